"""Fixtures: a real app on a fresh SQLite file in a temp directory, people of every role, clients."""

import json
import re

import pytest
import webtest

from dcs.audit import Actor
from dcs.auth.models import User
from dcs.auth.tokens import create_token
from dcs.auth.users import create_group, create_user
from dcs.config import Settings
from dcs.db import connect, database, migrate

PASSWORD = "correct-horse-battery"
FAST_COST = 10  # scrypt cost for tests; the default (15) is tested on its own
TEST_ACTOR = Actor("test:setup")

# username -> (is_admin, memberships)
PEOPLE = {
    "ada": (True, []),
    "erin": (False, [("ecal", "expert")]),
    "olaf": (False, [("ecal", "operator"), ("shift", "viewer")]),
    "maya": (False, [("ecal", "member")]),
    "vera": (False, [("ecal", "viewer")]),
    "nobody": (False, []),
}
ROLE_OF = {"ada": "admin", "erin": "expert", "olaf": "operator", "maya": "member", "vera": "viewer",
           "nobody": None}


def make_settings(tmp_path, **overrides):
    values = dict(database_url=f"sqlite:///{tmp_path}/dcs.sqlite", calib_dir=str(tmp_path / "calib"),
                  data_root=str(tmp_path / "data"), secret_key="test-secret-key-" + "x" * 32, password_cost=FAST_COST,
                  command_modules=str(tmp_path / "modules"), command_state_dir=str(tmp_path / "commands"))
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings(tmp_path):
    return make_settings(tmp_path)


@pytest.fixture
def db(settings):
    database_ = connect(settings.database_url)
    database_.connect(reuse_if_open=True)
    migrate(database_)
    yield database_
    database_.close()


@pytest.fixture
def app(settings, db):
    from dcs.web.app import create_app

    return create_app(settings)


@pytest.fixture
def client(app):
    return webtest.TestApp(app, extra_environ={"REMOTE_ADDR": "127.0.0.1"})


@pytest.fixture
def people(db):
    create_group(TEST_ACTOR, "ecal", "Calorimeter")
    create_group(TEST_ACTOR, "shift", "Shift crew")
    for name, (is_admin, memberships) in PEOPLE.items():
        create_user(TEST_ACTOR, name, PASSWORD, FAST_COST, display_name=name.title(), is_admin=is_admin,
                    memberships=[{"group": g, "role": r} for g, r in memberships])
    return PEOPLE


class Browser:
    """A WebTest client logged in as one user, sending the CSRF token on writes like the SPA does."""

    def __init__(self, app, username, password=PASSWORD, ip="127.0.0.1"):
        self.app = webtest.TestApp(app, extra_environ={"REMOTE_ADDR": ip})
        response = self.app.post_json("/api/auth/login", {"username": username, "password": password})
        self.csrf = response.json["csrf_token"]
        self.user = response.json["user"]

    def request(self, method, path, body=None, headers=None, raw=None, content_type="application/json"):
        headers = {"X-CSRF-Token": self.csrf, **(headers or {})}
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        return self.app.request(path, method=method, body=data, headers=headers, content_type=content_type,
                                expect_errors=True)

    def get(self, path, **kw):
        return self.app.get(path, expect_errors=True, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, {} if body is None else body, **kw)

    def patch(self, path, body, **kw):
        return self.request("PATCH", path, body, **kw)

    def put(self, path, body, **kw):
        return self.request("PUT", path, body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)


@pytest.fixture
def login(app, people):
    return lambda username, **kw: Browser(app, username, **kw)


class TokenClient:
    """A WebTest client that authenticates with an API token."""

    def __init__(self, app, secret):
        self.app = webtest.TestApp(app, extra_environ={"REMOTE_ADDR": "127.0.0.1"})
        self.headers = {"Authorization": f"Bearer {secret}"}

    def get(self, path):
        return self.app.get(path, headers=self.headers, expect_errors=True)

    def send(self, method, path, body=None):
        return self.app.request(path, method=method, body=json.dumps(body if body is not None else {}).encode(),
                                headers=self.headers, content_type="application/json", expect_errors=True)


@pytest.fixture
def token_for(app, people):
    def make(username, scopes, **kw):
        token, secret = create_token(TEST_ACTOR, User.by_name(username), f"{username}-token", scopes, **kw)
        return TokenClient(app, secret), token

    return make


def assert_error(response, status, *words):
    """The one error shape: ok false, a readable sentence, the status repeated; and the words in it."""
    assert response.status_int == status, response.body[:500]
    assert response.content_type == "application/json"
    body = response.json
    assert body["ok"] is False
    assert body["status"] == status
    assert isinstance(body["error"], str) and body["error"].endswith((".", "?", "!")), body["error"]
    assert "Traceback" not in body["error"]
    for word in words:
        assert word.lower() in body["error"].lower(), body["error"]
    return body


def snapshot():
    """Every row of every table, to check that a refused request changed nothing."""
    tables = {}
    for table in sorted(t for t in database.get_tables() if not t.startswith("sqlite_")):
        cursor = database.execute_sql(f'SELECT * FROM "{table}" ORDER BY 1')
        tables[table] = cursor.fetchall()
    return tables


def refusal(call):
    """The DcsError call raises; the database must be as it was before."""
    from dcs.errors import DcsError

    before = snapshot()
    with pytest.raises(DcsError) as error:
        call()
    assert snapshot() == before
    return error.value


def fill(rule, token_id=1):
    """A route rule with every wildcard filled in, for the tests that walk the whole route table."""
    rule = rule.replace("<username>", "vera").replace("<name>", "ecal").replace("<detname>", "cspad-0001")
    rule = rule.replace("<ctype>", "pedestals").replace("<version_id:int>", "1").replace("<sha256>", "0" * 64)
    rule = rule.replace("<run_id:int>", "1").replace("<parameter>", "temp").replace("<alert_id:int>", "1").replace("<subscription_id:int>", "1")
    rule = rule.replace("<number:int>", "1").replace("<job_id:int>", "1").replace("<port>", "hv")
    rule = re.sub(r"<(placement|connection|alias)_id:int>", "1", rule).replace("<kind:re:types|devices>", "devices")
    return re.sub(r"<token_id:int>", str(token_id), rule)
