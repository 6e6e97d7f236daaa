"""What every `dcs` sub-command shares: opening the database, naming the actor, tables, usage errors."""

import getpass
import signal
import sys
import threading

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


def acting_as(name):
    """(actor, principal) of the portal user a command acts as (--as NAME), so the same rules apply as in
    the browser: the group's roles and the two-person rule."""
    from .auth.sessions import principal_for_user
    from .auth.users import get_user

    if not name:
        raise UsageError("Say who acts: --as USERNAME (the two-person rule needs to know).")
    principal = principal_for_user(get_user(name))
    return Actor(f"cli:{principal.username}", principal.user_id), principal


def read_text_file(path):
    """The text of a file, or of standard input for '-'; a missing or unreadable file is a usage error."""
    if path == "-":
        return sys.stdin.read()
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"Cannot read {path}: {getattr(error, 'strerror', None) or error}.") from None


def add_as_user(parser):
    parser.add_argument("--as", dest="as_user", metavar="USERNAME", help="the portal user who acts")
    return parser


def add_approval_commands(sets, get_subject, revise, show):
    """The sub-commands every kind of set has for its approval (propose, withdraw, approve, reject, revise),
    each acting as a portal user (--as) so the group's roles and the two-person rule apply."""
    from . import approval

    def step(settings, args):
        open_database(settings)
        actor, principal = acting_as(args.as_user)
        show(approval.transition(actor, principal, get_subject(args.name), args.approval_action, args.comment or ""))

    def new_draft(settings, args):
        open_database(settings)
        actor, principal = acting_as(args.as_user)
        show(revise(actor, principal, get_subject(args.name), args.new_name))

    for action, text in (("propose", "Propose a draft for approval."), ("withdraw", "Take a proposal back."),
                         ("approve", "Approve a proposed set (an expert of its group, not the proposer)."),
                         ("reject", "Reject a proposed set (--comment required).")):
        parser = add_as_user(add_command(sets, action, step, text))
        parser.set_defaults(approval_action=action)
        parser.add_argument("name")
        parser.add_argument("--comment")
    rev = add_as_user(add_command(sets, "revise", new_draft, "Make a new draft from a set (how an approved set "
                                                             "changes)."))
    rev.add_argument("name")
    rev.add_argument("new_name")


def wait_until_stopped():
    """Block until Ctrl+C or SIGTERM, the way a service is stopped (then the caller cleans up)."""
    stopped = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        while not stopped.wait(0.25):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
