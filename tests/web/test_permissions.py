"""Every route, for every role, anonymous, and tokens: allowed exactly as the permission table says."""

import pytest
from bottle import Bottle

from dcs.auth.models import User
from dcs.auth.permissions import PERMISSIONS
from dcs.auth.tokens import create_token, revoke_token
from dcs.timeutil import NS, now_ns
from dcs.web.plugins import check_routes

from ..conftest import PEOPLE, TEST_ACTOR, Browser, TokenClient, fill

# Who may use each permission, written out by hand: the code's table must agree with it.
LOGGED_IN = set(PEOPLE)
EXPECTED = {
    "public": LOGGED_IN | {"anonymous"},
    "authenticated": LOGGED_IN,
    "tokens.own": LOGGED_IN,
    "read": {"ada", "erin", "olaf", "maya", "vera"},
    "calib.write": {"ada", "erin", "olaf", "maya"},
    "runs.write": {"ada", "erin", "olaf", "maya"},
    "calib.approve": {"ada", "erin"},
    "topology.write": {"ada", "erin"},
    "configs.write": {"ada", "erin", "olaf", "maya"},
    "configs.activate": {"ada", "erin", "olaf"},
    "configs.approve": {"ada", "erin"},
    "devices.report": {"ada", "erin", "olaf", "maya"},
    "monitoring.operate": {"ada", "erin", "olaf"},
    "monitoring.write": {"ada", "erin"},
    "subscriptions.own": {"ada", "erin", "olaf", "maya", "vera"},
    "commands.run": {"ada", "erin", "olaf", "maya", "vera"},
    "xmlrpc": LOGGED_IN | {"anonymous"},
    "audit.read": {"ada", "erin"},
    "users.manage": {"ada"},
}
# An admin's token with only the read scope may use what needs no scope or the read scope.
READ_TOKEN_ALLOWED = {"public", "xmlrpc", "authenticated", "read", "audit.read"}


def api_routes(app):
    # Logging out ends the walker's session, so it goes last.
    return sorted(app.config["dcs.api"].routes, key=lambda r: r.rule.endswith("/auth/logout"))


@pytest.fixture
def callers(app, people):
    """name -> (client, id of a token of theirs) for every person, plus anonymous and bad tokens."""
    out = {}
    for name in PEOPLE:
        token, _ = create_token(TEST_ACTOR, User.by_name(name), "own", ["read"])
        out[name] = (Browser(app, name), token.id)
    out["anonymous"] = (TokenClient(app, "unused"), 1)
    out["anonymous"][0].headers = {}
    ada = User.by_name("ada")
    revoked, secret = create_token(TEST_ACTOR, ada, "revoked", ["read", "write", "admin"])
    revoke_token(TEST_ACTOR, revoked)
    out["revoked token"] = (TokenClient(app, secret), revoked.id)
    expired, secret = create_token(TEST_ACTOR, ada, "expired", ["read", "write", "admin"], expires_in_days=1)
    expired.expires_ns = now_ns() - NS
    expired.save()
    out["expired token"] = (TokenClient(app, secret), expired.id)
    reader, secret = create_token(TEST_ACTOR, ada, "reader", ["read"])
    out["read-scope token"] = (TokenClient(app, secret), reader.id)
    return out


def call(client, method, path):
    if isinstance(client, Browser):
        return client.get(path) if method == "GET" else client.request(method, path, {})
    return client.get(path) if method == "GET" else client.send(method, path, {})


def test_the_expected_table_names_every_permission_the_routes_use(app):
    used = {route.config["perm"] for route in api_routes(app)}
    assert used <= set(EXPECTED), f"add {used - set(EXPECTED)} to EXPECTED"


def test_every_route_answers_every_caller_as_the_table_says(app, callers):
    mismatches = []
    for route in api_routes(app):
        perm = route.config["perm"]
        for name, (client, token_id) in callers.items():
            response = call(client, route.method, fill(route.rule, token_id))
            if name in ("revoked token", "expired token"):
                expected = "allowed" if PERMISSIONS[perm].anonymous else 401
            elif name == "read-scope token":
                expected = "allowed" if perm in READ_TOKEN_ALLOWED else 403
            elif name in EXPECTED[perm]:
                expected = "allowed"
            else:
                expected = 401 if name == "anonymous" else 403
            got = "allowed" if response.status_int not in (401, 403) else response.status_int
            if got != expected:
                mismatches.append(f"{route.method} {route.rule} as {name}: expected {expected}, got "
                                  f"{response.status_int} {response.body[:120]!r}")
    assert not mismatches, "\n".join(mismatches)


def test_the_app_refuses_to_start_when_a_route_declares_no_permission():
    app = Bottle()
    app.route("/open", "GET", lambda: "hello")
    app.route("/typo", "GET", lambda: "hello", perm="raed")
    helper = str

    def closure():
        return helper("hello")

    app.route("/closure", "GET", closure, perm="read")
    with pytest.raises(RuntimeError) as error:
        check_routes(app)
    assert "GET /open declares no permission" in str(error.value)
    assert "unknown permission 'raed'" in str(error.value)
    assert "GET /closure is a closure" in str(error.value)
