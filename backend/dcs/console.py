"""What every `dcs` sub-command shares: opening the database, naming the actor, tables, usage errors."""

import getpass

from .audit import Actor
from .errors import DcsError


class UsageError(Exception):
    """Bad usage: the CLI prints the sentence and exits 2."""


def cli_actor():
    try:
        login = getpass.getuser()
    except Exception:  # no login name in some containers
        login = "unknown"
    return Actor(f"cli:{login}")


def open_database(settings, migrate=False):
    from .db import connect, migrate as run_migrations, pending_migrations

    db = connect(settings.database_url)
    db.connect(reuse_if_open=True)
    if migrate:
        run_migrations(db, progress=lambda name: print(f"applied migration {name}"))
    elif pending_migrations(db):
        raise DcsError(500, "The database is not migrated yet: run `dcs migrate` first.")
    return db


def print_table(rows):
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


def add_command(parent, name, func, help_text):
    sub = parent.add_parser(name, help=help_text, description=help_text)
    sub.set_defaults(func=func)
    return sub
