"""The database: migrations applied once and in order, SQLite tuned, the schema matching the models."""

import peewee
from dcs.audit import AuditEntry
from dcs.auth.models import ApiToken, Group, LoginFailure, Membership, Session, User
from dcs.calib.models import (
    CalibDefault,
    CalibFile,
    CalibRange,
    CalibSet,
    CalibSetPin,
    CalibVersion,
)
from dcs.db import (
    MetaValue,
    applied_migrations,
    available_migrations,
    connect,
    migrate,
    pending_migrations,
)
from dcs.configs.models import (ConfigActivation, ConfigSet, ConfigSetPin, ConfigVersion, LiveConfig, Recipe,
                                RecipeEntry)
from dcs.topology.aliases import DetectorAlias
from dcs.runs import DarkDetector, DarkTag, Experiment, Run, RunFile, RunNote
from dcs.approval import ApprovalEvent
from dcs.calib.provenance import CalibParent, CalibProvenance
from dcs.jobs import Job
from dcs.topology.models import Connection, Device, DeviceType, Placement, Port
from dcs.monitoring.models import (Alert, AlertEvent, EngineLease, Heartbeat, Notification, Parameter, Reaction,
                                   ReactionRun, Reading, Rollup, Subscription, Watch)

MODELS = [MetaValue, User, Group, Membership, Session, ApiToken, LoginFailure, AuditEntry, DeviceType, Device,
          CalibFile, CalibRange, CalibVersion, CalibDefault, CalibSet, CalibSetPin, Experiment, Run,
          DetectorAlias, DarkTag, RunNote, RunFile, DarkDetector, Job, CalibProvenance, CalibParent, ApprovalEvent,
          Port, Connection, Placement, ConfigVersion, ConfigActivation, LiveConfig, Recipe, RecipeEntry, ConfigSet,
          ConfigSetPin, Watch, Heartbeat, Parameter, Reading, Rollup, Alert, AlertEvent, Subscription, Notification,
          Reaction, ReactionRun, EngineLease]


def test_migrations_are_numbered_and_applied_once(tmp_path):
    db = connect(f"sqlite:///{tmp_path}/fresh.sqlite")
    names = [name for _, name, _ in available_migrations()]
    assert names[0] == "0001_initial" and names == sorted(names)
    assert migrate(db) == names
    assert migrate(db) == [] and pending_migrations(db) == []
    assert applied_migrations(db) == {number for number, _, _ in available_migrations()}


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(db):
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_the_migrated_schema_has_every_column_of_every_model(db):
    for model in MODELS:
        table = model._meta.table_name
        columns = {c.name for c in db.get_columns(table)}
        expected = {f.column_name for f in model._meta.sorted_fields}
        assert expected <= columns, f"{table} lacks {expected - columns}"


def test_foreign_keys_are_enforced(db):
    try:
        db.execute_sql("INSERT INTO memberships (user_id, group_id, role) VALUES (999, 999, 'viewer')")
    except peewee.IntegrityError:
        return
    raise AssertionError("a membership of a user that does not exist was stored")
