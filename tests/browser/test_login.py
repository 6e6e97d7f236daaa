"""Logging in through the real server, reaching the dashboard, and what a viewer may not see."""

from playwright.sync_api import expect

from ..conftest import PASSWORD
from .conftest import shot


def sign_in(page, username, password=PASSWORD):
    page.goto("/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_a_user_signs_in_and_reaches_the_dashboard(page):
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    shot(page, "login")
    sign_in(page, "erin")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_text("Erin").first).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    for area in ("Devices", "Configurations", "Calibrations", "Monitoring", "Alerts", "Commands"):
        expect(nav.get_by_role("link", name=area)).to_be_visible()
    shot(page, "dashboard")


def test_a_wrong_password_shows_the_servers_sentence(page):
    sign_in(page, "erin", "not-the-password")
    expect(page.get_by_role("alert")).to_contain_text("Wrong user name or password.")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_a_page_address_survives_a_reload(page):
    sign_in(page, "olaf")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    page.goto("/devices")
    expect(page.get_by_role("heading", name="Devices")).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name="Devices")).to_be_visible()


def test_a_viewer_sees_no_admin_pages_and_the_api_refuses_with_403(page):
    sign_in(page, "vera")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Users")).to_have_count(0)
    expect(nav.get_by_role("link", name="Audit")).to_have_count(0)
    page.goto("/admin/users")
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    shot(page, "viewer-not-allowed")
    answer = page.evaluate("""async () => {
        const response = await fetch('/api/users');
        return {status: response.status, body: await response.json()};
    }""")
    assert answer["status"] == 403
    assert answer["body"]["ok"] is False and answer["body"]["status"] == 403
    assert "admins" in answer["body"]["error"]


def test_an_admin_sees_the_users_and_the_audit_log(page):
    sign_in(page, "ada")
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    expect(page.get_by_role("rowheader", name="vera", exact=True)).to_be_visible()
    shot(page, "admin-users")
    nav.get_by_role("link", name="Audit").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    expect(page.get_by_text("auth.login").first).to_be_visible()
    shot(page, "audit")


def test_signing_out_returns_to_the_login_page(page):
    sign_in(page, "maya")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto("/devices")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_an_unknown_page_says_so(page):
    sign_in(page, "maya")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    page.goto("/no/such/page")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
