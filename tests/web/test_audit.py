"""Every write leaves an audit entry: who, when, what, before and after; never a secret; never changed."""

import peewee
import pytest

from dcs.audit import AuditEntry
from dcs.db import database

from ..conftest import assert_error


def test_a_change_is_recorded_with_who_what_and_before_after(login):
    ada = login("ada")
    ada.patch("/api/users/vera", {"display_name": "Vera V.", "email": "vera@example.org"})
    entry = login("erin").get("/api/audit?action=user.update").json["entries"][0]
    assert entry["actor"] == "user:ada"
    assert entry["object_type"] == "user" and entry["object_id"] == "vera"
    assert entry["before"] == {"display_name": "Vera", "email": ""}
    assert entry["after"] == {"display_name": "Vera V.", "email": "vera@example.org"}
    assert entry["ip"] == "127.0.0.1"
    assert entry["time"].endswith("+00:00")


def test_tokens_are_named_as_the_actor_when_they_act(token_for):
    client, _ = token_for("ada", ["write", "admin"])
    client.send("POST", "/api/groups", {"name": "veto"})
    entry = AuditEntry.select().where(AuditEntry.action == "group.create", AuditEntry.object_id == "veto").get()
    assert entry.actor == "token:ada-token(ada)"


def test_no_password_or_secret_ever_reaches_the_log(login):
    ada = login("ada")
    ada.post("/api/users", {"username": "kim", "password": "kims-secret-password"})
    ada.patch("/api/users/kim", {"password": "kims-next-password"})
    secret = ada.post("/api/tokens", {"name": "t", "scopes": ["read"]}).json["secret"]
    text = "\n".join(str(row) for row in database.execute_sql("SELECT * FROM audit_log").fetchall())
    for hidden in ("kims-secret-password", "kims-next-password", secret, "scrypt$"):
        assert hidden not in text
    summaries = [e.summary for e in AuditEntry.select().where(AuditEntry.object_id == "kim")]
    assert "user kim: set a new password" in summaries


def test_failed_and_successful_logins_are_recorded(client, login):
    client.post_json("/api/auth/login", {"username": "vera", "password": "not-her-password"}, expect_errors=True)
    login("vera")
    actions = [e.action for e in AuditEntry.select().where(AuditEntry.object_id == "vera")]
    assert "auth.login_failed" in actions and "auth.login" in actions


def test_the_log_is_append_only_in_the_database_itself(login):
    login("vera")
    with pytest.raises(peewee.IntegrityError, match="append-only"):
        AuditEntry.update(actor="someone-else").execute()
    with pytest.raises(peewee.IntegrityError, match="append-only"):
        AuditEntry.delete().execute()


def test_filters_and_paging_walk_the_whole_log_newest_first(login):
    ada = login("ada")
    for index in range(7):
        ada.post("/api/groups", {"name": f"group{index}"})
    erin = login("erin")
    seen, before = [], ""
    while True:
        page = erin.get(f"/api/audit?action=group.create&limit=3{before}").json
        seen += [e["object_id"] for e in page["entries"]]
        if page["next_before_id"] is None:
            break
        before = f"&before_id={page['next_before_id']}"
    assert seen[:7] == [f"group{i}" for i in reversed(range(7))]
    assert erin.get("/api/audit?object=group:group3").json["entries"][0]["action"] == "group.create"
    assert erin.get("/api/audit?actor=ada&action=group.").json["entries"]
    assert erin.get("/api/audit?since=2100-01-01T00:00:00Z").json["entries"] == []
    assert erin.get("/api/audit?until=1000000000").json["entries"] == []


def test_operators_cannot_read_the_audit_log(login):
    assert_error(login("olaf").get("/api/audit"), 403, "experts and admins")
