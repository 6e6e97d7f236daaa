"""Creating an API token in the browser: the secret is shown once, then only the prefix remains; revoking asks first."""

import re

from playwright.sync_api import expect

from .conftest import shot
from .test_login import sign_in


def test_a_token_is_created_its_secret_shown_once_and_it_can_be_revoked(page):
    sign_in(page, "olaf")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Tokens").click()
    expect(page.get_by_role("heading", name="API tokens")).to_be_visible()
    page.get_by_label("Token name").fill("hv-board-7")
    page.get_by_label("heartbeat").check()
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_text(re.compile(r"^dcs_[0-9a-f]{8}_")).or_(page.locator("input[readonly]")).first
    expect(secret).to_be_visible()
    shot(page, "token-created")
    text = secret.input_value() if secret.evaluate("e => e.tagName") == "INPUT" else secret.inner_text()
    assert re.fullmatch(r"dcs_[0-9a-f]{8}_\S{20,}", text.strip())

    page.reload()
    row = page.get_by_role("row").filter(has_text="hv-board-7")
    expect(row).to_be_visible()
    assert text.strip() not in page.content()
    row.get_by_role("button", name=re.compile("Revoke")).click()
    page.get_by_role("dialog").get_by_role("button", name="Revoke").click()
    expect(row).to_contain_text("Revoked")
