"""The same portal on a real PostgreSQL server: migrations, the API, the append-only log, backups."""

import os

import peewee
import pytest
import webtest

from dcs.audit import AuditEntry
from dcs.db import connect, pending_migrations
from dcs.web.app import create_app

from .conftest import PASSWORD, PEOPLE, make_settings
from .postgres import postgres_server
from .server import dcs_env, run_dcs
from .test_db import MODELS


@pytest.fixture(scope="module")
def postgres():
    with postgres_server() as server:
        yield server


@pytest.fixture
def settings(postgres, tmp_path):
    """Overrides the SQLite settings: the `db` and `people` fixtures then work on PostgreSQL."""
    url, _ = postgres
    db = connect(url)
    with db.connection_context():
        for table in db.get_tables():
            db.execute_sql(f'DROP TABLE "{table}" CASCADE')
        db.execute_sql("DROP FUNCTION IF EXISTS audit_log_append_only() CASCADE")
    return make_settings(tmp_path, database_url=url)


def test_migrations_build_the_whole_schema_on_postgresql(db):
    assert isinstance(db, peewee.PostgresqlDatabase)
    assert pending_migrations(db) == []
    for model in MODELS:
        columns = {c.name for c in db.get_columns(model._meta.table_name)}
        assert {f.column_name for f in model._meta.sorted_fields} <= columns


def test_the_api_works_unchanged_on_postgresql(settings, people):
    app = webtest.TestApp(create_app(settings), extra_environ={"REMOTE_ADDR": "127.0.0.1"})
    login = app.post_json("/api/auth/login", {"username": "ada", "password": PASSWORD}).json
    headers = {"X-CSRF-Token": login["csrf_token"]}
    assert app.post_json("/api/groups", {"name": "veto"}, headers=headers).status_int == 201
    made = app.post_json("/api/tokens", {"name": "ctl", "scopes": ["read"]}, headers=headers).json
    reader = webtest.TestApp(app.app)
    users = reader.get("/api/groups", headers={"Authorization": f"Bearer {made['secret']}"}).json
    assert "veto" in {g["name"] for g in users["groups"]}
    assert {u["username"] for u in app.get("/api/users").json["users"]} == set(PEOPLE)
    conflict = app.post_json("/api/groups", {"name": "veto"}, headers=headers, expect_errors=True)
    assert conflict.status_int == 409 and conflict.json["ok"] is False
    entries = app.get("/api/audit?action=group.create").json["entries"]
    assert entries[0]["object_id"] == "veto" and entries[0]["actor"] == "user:ada"


def test_the_audit_log_is_append_only_on_postgresql_too(db, people):
    with pytest.raises(peewee.InternalError, match="append-only"):
        with db.atomic():
            AuditEntry.update(actor="someone-else").execute()


def test_backup_and_restore_of_a_postgresql_site(postgres, db, tmp_path):
    url, bindir = postgres
    env = dcs_env(tmp_path, DCS_DATABASE_URL=url, PATH=f"{bindir}:{os.environ['PATH']}")
    assert run_dcs(["group", "add", "kept"], env).returncode == 0
    backed = run_dcs(["backup", str(tmp_path / "backup")], env)
    assert backed.returncode == 0, backed.stderr
    assert (tmp_path / "backup" / "dcs.pgdump").stat().st_size > 0
    run_dcs(["group", "add", "after"], env)
    restored = run_dcs(["restore", str(tmp_path / "backup"), "--force"], env)
    assert restored.returncode == 0, restored.stderr
    groups = run_dcs(["group", "list"], env).stdout
    assert "kept" in groups and "after" not in groups


def test_monitoring_works_on_postgresql(settings, people):
    """Rollups are upserted with PostgreSQL's own SQL; binning, the engine and reminders run unchanged."""
    from dcs.audit import Actor
    from dcs.auth.models import User
    from dcs.db import writing
    from dcs.monitoring import notify, parameters
    from dcs.monitoring.engine import Engine
    from dcs.monitoring.models import Alert, Rollup
    from dcs.monitoring.readings import series, store_rows
    from dcs.monitoring.retention import purge
    from dcs.timeutil import NS, now_ns
    from dcs.topology.devices import add_device, add_type

    actor = Actor("test:pg")
    add_type(actor, "sipm", "HV board", "ecal")
    device = add_device(actor, "sipm-pg01", subsystem="ECal", group="ecal")
    temp = parameters.define(actor, device, "temp", {"warn_high": 30.0})
    notify.subscribe(actor, settings, User.by_name("olaf"), "email", "olaf@example.org", "warning", remind_s=60)
    engine = Engine(settings, holder="pg")
    engine.tick()
    start = now_ns() - 120 * NS
    for batch in range(2):
        with writing():
            store_rows([(temp.id, start + (batch * 60 + i) * NS, 20.0 + i % 5) for i in range(60)])
    with writing():
        store_rows([(temp.id, now_ns(), 35.0)])
    assert sum(r.n for r in Rollup.select().where(Rollup.resolution_s == 60)) == 121
    binned = series(temp, start, now_ns() + NS, 10)
    assert sum(binned["count"]) == 121 and max(binned["max"]) == 35.0
    engine.tick()
    alert = Alert.get()
    assert alert.state == "active" and alert.severity == "warning"
    assert notify.queue_reminders(now_ns() + 120 * NS) == 1
    assert purge(1, now=now_ns() + 2 * 86400 * NS) == 121
