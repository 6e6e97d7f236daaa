"""Logging in and out, sessions, CSRF and throttling, as a browser and a script would meet them."""

from dcs.auth.models import LoginFailure, Session, User
from dcs.timeutil import NS

from ..conftest import PASSWORD, Browser, assert_error, snapshot


def test_a_user_logs_in_and_gets_an_httponly_lax_session_cookie(client, people):
    response = client.post_json("/api/auth/login", {"username": "erin", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("dcs_session=")
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower() and "Path=/" in cookie
    assert response.json["user"]["username"] == "erin"
    assert response.json["user"]["role"] == "expert"
    assert "audit.read" in response.json["permissions"]
    assert len(response.json["csrf_token"]) == 64


def test_me_tells_who_is_logged_in_and_refuses_strangers(client, login):
    assert_error(client.get("/api/auth/me", expect_errors=True), 401, "log in")
    olaf = login("olaf")
    me = olaf.get("/api/auth/me").json
    assert me["user"]["username"] == "olaf"
    assert me["user"]["memberships"] == [{"group": "ecal", "role": "operator"}, {"group": "shift", "role": "viewer"}]
    assert me["csrf_token"] == olaf.csrf


def test_the_session_key_is_stored_only_as_a_hash(app, people):
    browser = Browser(app, "vera")
    key = browser.app.cookies["dcs_session"]
    stored = [s.key_hash for s in Session.select()]
    assert key not in stored and len(stored) == 1 and len(stored[0]) == 64


def test_a_wrong_password_and_an_unknown_user_get_the_same_401(client, people):
    before = snapshot()
    wrong = client.post_json("/api/auth/login", {"username": "erin", "password": "nope-nope-nope"}, expect_errors=True)
    unknown = client.post_json("/api/auth/login", {"username": "ghost", "password": PASSWORD}, expect_errors=True)
    assert assert_error(wrong, 401)["error"] == assert_error(unknown, 401)["error"] == "Wrong user name or password."
    assert "Set-Cookie" not in wrong.headers
    after = snapshot()
    changed = {table for table in after if after[table] != before[table]}
    assert changed == {"login_failures", "audit_log"}, "a failed login records itself and nothing else"


def test_a_disabled_user_cannot_log_in(client, people):
    User.update(disabled=True).where(User.username == "maya").execute()
    response = client.post_json("/api/auth/login", {"username": "maya", "password": PASSWORD}, expect_errors=True)
    assert_error(response, 403, "disabled")


def test_repeated_failures_lock_the_account_even_for_the_right_password(client, people, settings):
    for _ in range(settings.login_max_failures):
        client.post_json("/api/auth/login", {"username": "erin", "password": "wrong-password!"}, expect_errors=True)
    response = client.post_json("/api/auth/login", {"username": "erin", "password": PASSWORD}, expect_errors=True)
    body = assert_error(response, 429, "try again in")
    assert 0 < int(response.headers["Retry-After"]) <= settings.login_lockout
    assert body["retry_after"] == int(response.headers["Retry-After"])
    # Another account from another address is not affected.
    other = Browser(client.app, "olaf", ip="10.0.0.9")
    assert other.user["username"] == "olaf"


def test_the_lockout_ends_when_the_failures_age_out(client, people, settings):
    for _ in range(settings.login_max_failures):
        client.post_json("/api/auth/login", {"username": "erin", "password": "wrong-password!"}, expect_errors=True)
    LoginFailure.update(at_ns=LoginFailure.at_ns - (settings.login_lockout + 1) * NS).execute()
    response = client.post_json("/api/auth/login", {"username": "erin", "password": PASSWORD})
    assert response.json["ok"] is True


def test_many_failures_from_one_address_lock_that_address(client, people, settings):
    for index in range(settings.login_max_failures * 4):
        client.post_json("/api/auth/login", {"username": f"ghost{index}", "password": "x" * 12}, expect_errors=True)
    response = client.post_json("/api/auth/login", {"username": "vera", "password": PASSWORD}, expect_errors=True)
    assert_error(response, 429)


def test_a_cookie_write_without_the_csrf_token_is_refused_and_changes_nothing(login):
    ada = login("ada")
    before = snapshot()
    response = ada.post("/api/groups", {"name": "sneaky"}, headers={"X-CSRF-Token": ""})
    assert_error(response, 403, "CSRF")
    assert snapshot() == before


def test_another_sessions_csrf_token_does_not_work(login):
    ada, vera = login("ada"), login("vera")
    response = ada.post("/api/groups", {"name": "sneaky"}, headers={"X-CSRF-Token": vera.csrf})
    assert_error(response, 403, "CSRF")


def test_logout_ends_the_session(login):
    vera = login("vera")
    assert vera.post("/api/auth/logout").json == {"ok": True}
    assert_error(vera.get("/api/auth/me"), 401)


def test_an_idle_session_expires(login, settings):
    vera = login("vera")
    Session.update(last_seen_ns=Session.last_seen_ns - (settings.session_idle + 1) * NS).execute()
    assert_error(vera.get("/api/auth/me"), 401)
    assert Session.select().count() == 0


def test_changing_ones_password_keeps_this_session_and_ends_the_others(app, login):
    here, elsewhere = login("maya"), login("maya")
    response = here.post("/api/auth/password", {"current_password": PASSWORD, "new_password": "a-much-better-one"})
    assert response.json == {"ok": True}
    assert here.get("/api/auth/me").status_int == 200
    assert_error(elsewhere.get("/api/auth/me"), 401)
    assert Browser(app, "maya", password="a-much-better-one").user["username"] == "maya"


def test_changing_ones_password_needs_the_current_one_and_a_long_enough_new_one(login):
    maya = login("maya")
    before = snapshot()
    wrong = maya.post("/api/auth/password", {"current_password": "guess-guess", "new_password": "a-much-better-one"})
    assert_error(wrong, 403, "current password")
    short = maya.post("/api/auth/password", {"current_password": PASSWORD, "new_password": "short"})
    assert_error(short, 400, "at least 10")
    assert snapshot() == before


def test_disabling_a_user_ends_their_sessions(login):
    ada, maya = login("ada"), login("maya")
    assert ada.patch("/api/users/maya", {"disabled": True}).json["user"]["disabled"] is True
    assert_error(maya.get("/api/auth/me"), 401)
