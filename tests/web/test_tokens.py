"""API tokens: shown once, stored hashed, scoped, revocable, expiring."""

from dcs.auth.models import ApiToken
from dcs.db import database

from ..conftest import TokenClient, assert_error, snapshot


def test_a_new_tokens_secret_is_shown_once_and_works_as_a_bearer_token(app, login):
    olaf = login("olaf")
    created = olaf.post("/api/tokens", {"name": "hv-board-1", "scopes": ["read", "heartbeat"]})
    assert created.status_int == 201
    secret = created.json["secret"]
    assert secret.startswith("dcs_" + created.json["token"]["prefix"] + "_")
    listed = olaf.get("/api/tokens").json["tokens"]
    assert [t["name"] for t in listed] == ["hv-board-1"]
    assert secret not in olaf.get("/api/tokens").text
    me = TokenClient(app, secret).get("/api/auth/me").json
    assert me["user"]["username"] == "olaf" and "csrf_token" not in me


def test_only_a_hash_of_the_secret_is_stored(app, login):
    secret = login("vera").post("/api/tokens", {"name": "t", "scopes": ["read"]}).json["secret"]
    dump = "\n".join(database.connection().iterdump())
    assert secret not in dump and secret.split("_", 2)[2] not in dump


def test_a_token_is_limited_to_its_scopes(app, token_for):
    reader, _ = token_for("ada", ["read"])
    assert reader.get("/api/groups").status_int == 200
    assert_error(reader.send("POST", "/api/groups", {"name": "nope"}), 403, "scope")
    assert_error(reader.get("/api/users"), 403, "'admin'")


def test_a_token_cannot_mint_a_token_with_more_scopes_than_its_own(token_for):
    writer, _ = token_for("olaf", ["write"])
    writer.get("/api/auth/me")  # first use records last_used; what follows must change nothing
    before = snapshot()
    assert_error(writer.send("POST", "/api/tokens", {"name": "x", "scopes": ["write", "read"]}), 403, "scopes it has")
    assert snapshot() == before
    assert writer.send("POST", "/api/tokens", {"name": "y", "scopes": ["write"]}).status_int == 201


def test_only_admins_get_the_admin_scope(login):
    assert_error(login("erin").post("/api/tokens", {"name": "x", "scopes": ["admin"]}), 400, "admin")
    assert login("ada").post("/api/tokens", {"name": "x", "scopes": ["admin"]}).status_int == 201


def test_a_revoked_token_is_refused_at_once_and_stays_listed(app, login):
    olaf = login("olaf")
    created = olaf.post("/api/tokens", {"name": "ctl", "scopes": ["read"]}).json
    client = TokenClient(app, created["secret"])
    assert client.get("/api/devices").status_int == 200
    revoked = olaf.delete(f"/api/tokens/{created['token']['id']}").json["token"]
    assert revoked["revoked"] is not None
    assert_error(client.get("/api/devices"), 401, "revoked")
    assert [t["revoked"] is not None for t in olaf.get("/api/tokens").json["tokens"]] == [True]


def test_an_expired_token_is_refused(app, token_for):
    client, token = token_for("vera", ["read"], expires_in_days=1)
    ApiToken.update(expires_ns=1).where(ApiToken.id == token.id).execute()
    assert_error(client.get("/api/devices"), 401, "expired")


def test_a_disabled_users_tokens_stop_working(login, token_for):
    client, _ = token_for("vera", ["read"])
    login("ada").patch("/api/users/vera", {"disabled": True})
    assert_error(client.get("/api/devices"), 401, "disabled")


def test_a_malformed_authorization_header_is_a_clear_401(client, people):
    for header in ("Basic dmVyYTp4", "Bearer", "Bearer not-a-dcs-token", "Bearer dcs_0000_" + "x" * 300,
                   "Bearer dcs_deadbeef_unknownsecret"):
        response = client.get("/api/devices", headers={"Authorization": header}, expect_errors=True)
        assert_error(response, 401)


def test_people_see_and_revoke_only_their_own_tokens_but_admins_see_all(login):
    olaf, vera, ada = login("olaf"), login("vera"), login("ada")
    token_id = olaf.post("/api/tokens", {"name": "mine", "scopes": ["read"]}).json["token"]["id"]
    assert vera.get("/api/tokens").json["tokens"] == []
    assert_error(vera.get("/api/tokens?all=1"), 403, "admins")
    before = snapshot()
    assert_error(vera.delete(f"/api/tokens/{token_id}"), 403, "someone else")
    assert snapshot() == before
    assert [t["user"] for t in ada.get("/api/tokens?all=1").json["tokens"]] == ["olaf"]
    assert ada.delete(f"/api/tokens/{token_id}").json["token"]["revoked"]


def test_admins_create_tokens_for_device_controllers_others_cannot(login):
    made = login("ada").post("/api/tokens", {"name": "sipm-hvb01", "scopes": ["heartbeat"], "user": "olaf"})
    assert made.json["token"]["user"] == "olaf"
    assert_error(login("erin").post("/api/tokens", {"name": "x", "scopes": ["read"], "user": "olaf"}), 403)
