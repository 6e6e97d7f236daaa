"""The database: one DatabaseProxy for every model, bound by `connect(url)`, and the migration runner.

SQLite is the embedded default (WAL, foreign keys, a busy timeout); a PostgreSQL URL works unchanged
through playhouse.db_url. Migrations are numbered scripts in db/migrations (the `dcs.migrations`
package): `NNNN_name.py` with `up(m)`, applied in order, each in its own transaction, recorded in the
table schema_migrations.
"""

import contextlib
import functools
import importlib
import logging
import pkgutil
import re
import threading
from pathlib import Path

import peewee
from playhouse.db_url import connect as connect_url

from .errors import bad_request, not_found
from .timeutil import now_ns

log = logging.getLogger(__name__)

database = peewee.DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10000,
    "synchronous": "normal",
}


class Model(peewee.Model):
    label = None  # how messages name a row, for models looked up by their name ("device type")

    class Meta:
        database = database
        legacy_table_names = False

    @classmethod
    def named(cls, name):
        """The row called name, or a 404 saying there is no such {label}."""
        found = cls.get_or_none(cls.name == name) if isinstance(name, str) else None
        if found is None:
            raise not_found(f"There is no {cls.label} named {name!r}.")
        return found


def plain(text):
    """SQL written with ? placeholders, for the database in use (PostgreSQL's driver wants %s)."""
    return text if database.param == "?" else _percent(text)


@functools.lru_cache(maxsize=256)
def _percent(text):
    return text.replace("?", "%s")


_WRITERS = threading.RLock()


@contextlib.contextmanager
def writing():
    """A transaction for writes that many threads make at once (heartbeats, readings, the engine). On SQLite
    the threads of this process queue on a lock of their own first: SQLite lets a waiting writer sleep and
    poll, which under many concurrent writers wastes most of the time; a thread lock hands over at once."""
    db = database.obj
    if not isinstance(db, peewee.SqliteDatabase):
        # One such writer at a time on PostgreSQL too: ids then commit in the order they are given (the engine
        # reads new readings by id), and the engine and a person acknowledging never overwrite each other.
        with db.atomic():
            db.execute_sql("SELECT pg_advisory_xact_lock(8008)")
            yield
        return
    with _WRITERS, db.atomic():
        yield


def rows_by_id(query, ids, what, limit):
    """The rows of query with these ids, in the order given: a 400 for anything but a list of at most
    limit ids, a 404 naming the first id that is missing. what names the rows: "configuration version"."""
    if not isinstance(ids, (list, tuple)) or len(ids) > limit or not all(
            isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**62 for i in ids):
        raise bad_request(f"A {what} is named by its id: give a list of at most {limit} ids.")
    model = query.model
    found = {row.id: row for row in query.where(model.id.in_(list(ids)))} if ids else {}
    missing = [i for i in ids if i not in found]
    if missing:
        raise not_found(f"There is no {what} with id {missing[0]}.")
    return [found[i] for i in ids]


class MetaValue(Model):
    """Small facts about this installation (e.g. when the demo data was seeded)."""

    key = peewee.CharField(primary_key=True, max_length=64)
    value = peewee.TextField()

    class Meta:
        table_name = "meta"

    @classmethod
    def get_value(cls, key, default=None):
        row = cls.get_or_none(cls.key == key)
        return row.value if row else default

    @classmethod
    def set_value(cls, key, value):
        cls.insert(key=key, value=value).on_conflict(conflict_target=[cls.key], update={cls.value: value}).execute()


def connect(url):
    """Open the database at url, bind the proxy to it and return it."""
    if url.startswith("sqlite:"):
        path = url[len("sqlite:///"):]
        if path and ":memory:" not in path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # Every transaction takes the write lock when it begins: a deferred one that reads, then writes, fails at
        # once (without waiting) when another connection committed in between, and the alert engine commits
        # every second.
        db = connect_url(url, pragmas=SQLITE_PRAGMAS, check_same_thread=False, lock_type="IMMEDIATE")
    else:
        db = connect_url(url)
    database.initialize(db)
    return db


def dialect(db):
    return "postgres" if isinstance(db, peewee.PostgresqlDatabase) else "sqlite"


class Migration:
    """What a migration script's `up(m)` gets: the database, its dialect and a way to run SQL.

    Statements may use {pk} for an auto-incrementing 64-bit primary key column, which differs between
    SQLite and PostgreSQL; everything else is written in SQL both understand.
    """

    PK = {"sqlite": "INTEGER PRIMARY KEY AUTOINCREMENT", "postgres": "BIGSERIAL PRIMARY KEY"}

    def __init__(self, db):
        self.db = db
        self.dialect = dialect(db)

    def sql(self, statement, params=()):
        self.db.execute_sql(statement.replace("{pk}", self.PK[self.dialect]), params)


def available_migrations():
    """[(number, name, module)] sorted by number, from the dcs.migrations package (db/migrations)."""
    package = importlib.import_module("dcs.migrations")
    found = []
    for info in pkgutil.iter_modules(package.__path__):
        match = re.fullmatch(r"(\d{4})_(\w+)", info.name)
        if match:
            found.append((int(match.group(1)), info.name, importlib.import_module(f"dcs.migrations.{info.name}")))
    found.sort(key=lambda item: item[0])
    numbers = [number for number, _, _ in found]
    if len(set(numbers)) != len(numbers):
        raise RuntimeError(f"Two migrations share a number: {numbers}.")
    return found


def applied_migrations(db):
    if "schema_migrations" not in db.get_tables():
        return set()
    return {row[0] for row in db.execute_sql("SELECT version FROM schema_migrations").fetchall()}


def migrate(db, progress=None):
    """Apply the migrations db does not have yet, oldest first. Returns the names applied."""
    db.execute_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR(200) NOT NULL, "
        "applied_ns BIGINT NOT NULL)"
    )
    done = []
    for number, name, module in available_migrations():
        with _exclusive(db):
            if number in applied_migrations(db):
                continue
            log.debug("applying migration %s", name)
            module.up(Migration(db))
            db.execute_sql(
                "INSERT INTO schema_migrations (version, name, applied_ns) VALUES (%s, %s, %s)"
                .replace("%s", db.param), (number, name, now_ns()))
        done.append(name)
        if progress:
            progress(name)
    return done


def _exclusive(db):
    """A transaction that keeps two processes from applying the same migration at once."""
    if dialect(db) == "sqlite":
        return db.atomic(lock_type="IMMEDIATE")
    transaction = db.atomic()

    class Locked:
        def __enter__(self):
            transaction.__enter__()
            db.execute_sql("SELECT pg_advisory_xact_lock(4242)")

        def __exit__(self, *exc):
            return transaction.__exit__(*exc)

    return Locked()


def pending_migrations(db):
    have = applied_migrations(db)
    return [name for number, name, _ in available_migrations() if number not in have]
