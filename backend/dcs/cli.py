"""The `dcs` command. Exit codes: 0 success, 1 failure, 2 bad usage (including bad settings)."""

import argparse
import getpass
import logging
import sys

from . import __version__
from .auth.permissions import GROUP_ROLES, SCOPES
from . import run_commands
from .calib import commands as calib_commands
from .calib import workflow_commands
from .channel import commands as channel_commands
from .commands import cli as command_commands
from .configs import commands as config_commands
from .monitoring import commands as monitoring_commands
from .topology import commands as device_commands
from .config import ConfigError, Settings
from .console import UsageError, add_command, cli_actor, open_database, print_table
from .errors import DcsError

log = logging.getLogger("dcs")


def _read_password(args, prompt="Password: "):
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise UsageError("--password-stdin was given but standard input held no password.")
        return password, False
    if sys.stdin.isatty():
        first = getpass.getpass(prompt)
        if first != getpass.getpass("Again: "):
            raise UsageError("The two passwords differ.")
        return first, False
    from .auth.passwords import generate_password

    return generate_password(), True


# --- commands -------------------------------------------------------------------------------------------

def cmd_migrate(settings, args):
    db = open_database(settings, migrate=True)
    from .db import applied_migrations

    print(f"database is at migration {max(applied_migrations(db))}")


def _first_start(settings, demo):
    from . import demo as demo_data

    if not demo_data.is_empty():
        return None
    if demo:
        return demo_data.seed(settings.password_cost, settings=settings)
    return demo_data.first_admin(settings.password_cost)


def _print_first_start(created):
    print(f"First start: created the admin account {created['admin']!r} with the password "
          f"{created['admin_password']}")
    print("  (shown this once; change it under Profile, or reset it with `dcs user passwd admin`)")
    if "people" in created:
        print(f"Demo people {', '.join(created['people'])} share the password {created['people_password']}")


def cmd_demo(settings, args):
    open_database(settings, migrate=True)
    created = _first_start(settings, demo=True)
    if created is None:
        raise DcsError(409, "The database has users already; the demo is only seeded into an empty one.")
    _print_first_start(created)


def cmd_serve(settings, args):
    import waitress

    from .calib import darks  # noqa: F401 (registers the dark-run job handler)
    from .jobs import JobRunner
    from .monitoring.engine import Engine
    from .web.app import create_app

    if args.host:
        settings = settings.replace(host=args.host)
    if args.port:
        settings = settings.replace(port=args.port)
    db = open_database(settings, migrate=True)
    created = _first_start(settings, demo=args.demo)
    from .commands.runner import recover_abandoned

    recover_abandoned()
    db.close()
    app = create_app(settings)
    url = f"http://{settings.host}:{settings.port}/"
    print(f"DCS portal {__version__} serving on {url}")
    if created:
        _print_first_start(created)
    else:
        print("Log in with your account (first admin: 'admin'; forgot the password? `dcs user passwd admin`).")
    sys.stdout.flush()
    options = {}
    if settings.trusted_proxy:
        options = {"trusted_proxy": settings.trusted_proxy, "trusted_proxy_count": 1,
                   "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"}}
    runner = JobRunner(settings, settings.job_workers).start() if settings.job_workers else None
    alert_engine = Engine(settings).start() if settings.monitor else None
    feed = beam = None
    if args.demo_feed:
        from .demo_monitoring import Feed

        feed = Feed(settings).start()
        beam = _beam_demo(settings, url)
    try:
        waitress.serve(app, host=settings.host, port=settings.port, threads=settings.threads,
                       max_request_body_size=server_body_limit(settings), ident="dcs", **WAITRESS_OPTIONS, **options)
    finally:
        if runner is not None:
            runner.stop()
        if alert_engine is not None:
            alert_engine.stop()
        if feed is not None:
            feed.stop()
        if beam is not None:
            beam.stop()


def _beam_demo(settings, url):
    """The demo's ACNET source and beam channel, when the demo's beam monitors are there."""
    from .audit import Actor
    from .demo_beam import CHANNEL_DEVICE, BeamDemo
    from .topology.models import Device

    if Device.get_or_none(Device.name == CHANNEL_DEVICE) is None:
        return None
    beam = BeamDemo(settings, url.rstrip("/"), Actor("demo:beam-channel")).start()
    print(f"demo beam channel: ACNET simulated at {beam.source.url}, raw blocks in {beam.directory / 'blocks'}")
    return beam


def cmd_monitor(settings, args):
    from .monitoring.engine import Engine

    db = open_database(settings, migrate=True)
    db.close()
    engine = Engine(settings)
    print(f"alert engine {engine.holder} running on {settings.database_url.split('://')[0]}; "
          "it waits while another process holds the lease (Ctrl+C stops it)")
    sys.stdout.flush()
    engine.start()
    try:
        while engine.thread.is_alive():
            engine.thread.join(1)
    except KeyboardInterrupt:
        print("stopping the alert engine")
    finally:
        engine.stop()


# Calibration arrays are megabytes: keep answers in memory (waitress spools anything over 1 MiB to a
# temporary file by default) and send them in large writes. Device controllers keep their connections open:
# waitress would stop accepting at 100.
WAITRESS_OPTIONS = {"outbuf_overflow": 256 * 1024**2, "outbuf_high_watermark": 256 * 1024**2,
                    "send_bytes": 1024**2, "connection_limit": 1000}


def server_body_limit(settings):
    """Waitress buffers a whole body before the app sees it, so it gets a limit of its own: loose enough
    that a too-large body still reaches the app and gets the JSON 413, tight enough to bound the buffering."""
    return max(4 * settings.max_body, settings.max_upload) + 1024**2


def cmd_user_add(settings, args):
    from .auth.users import create_user

    open_database(settings)
    is_admin = args.role == "admin"
    if not is_admin and not args.group:
        raise UsageError(f"--role {args.role} is a group role: name the group(s) with --group.")
    password, generated = _read_password(args)
    user = create_user(cli_actor(), args.name, password, settings.password_cost, display_name=args.display_name or "",
                       email=args.email or "", is_admin=is_admin,
                       memberships=[{"group": g, "role": args.role} for g in (args.group or []) if not is_admin])
    print(f"created user {user.username}" + (f" with the password {password}" if generated else ""))


def cmd_user_list(settings, args):
    from .auth.models import User

    open_database(settings)
    rows = [("USER", "ROLE", "STATE", "GROUPS")]
    for user in User.select().order_by(User.username):
        memberships = user.memberships_list()
        rows.append((user.username, user.highest_role(memberships) or "-", "disabled" if user.disabled else "active",
                     ", ".join(f"{m['group']}:{m['role']}" for m in memberships) or "-"))
    print_table(rows)


def cmd_user_passwd(settings, args):
    from .auth.users import update_user

    open_database(settings)
    password, generated = _read_password(args, "New password: ")
    update_user(cli_actor(), args.name, cost=settings.password_cost, password=password)
    print(f"set a new password for {args.name}" + (f": {password}" if generated else ""))


def cmd_user_disable(settings, args, disabled=True):
    from .auth.users import update_user

    open_database(settings)
    update_user(cli_actor(), args.name, disabled=disabled)
    print(f"{'disabled' if disabled else 'enabled'} {args.name}")


def cmd_user_enable(settings, args):
    cmd_user_disable(settings, args, disabled=False)


def cmd_group_add(settings, args):
    from .auth.users import create_group

    open_database(settings)
    create_group(cli_actor(), args.name, args.description or "")
    print(f"created group {args.name}")


def cmd_group_list(settings, args):
    from .auth.models import Group

    open_database(settings)
    rows = [("GROUP", "MEMBERS", "DESCRIPTION")]
    for group in Group.select().order_by(Group.name):
        rows.append((group.name, str(len(group.to_dict()["members"])), group.description))
    print_table(rows)


def cmd_token_create(settings, args):
    from .auth.tokens import create_token
    from .auth.users import get_user

    open_database(settings)
    scopes = [s for item in args.scope for s in item.split(",") if s]
    token, secret = create_token(cli_actor(), get_user(args.user), args.name, scopes, args.expires_days)
    print(secret)
    print(f"created token {token.id} {token.name!r} for {args.user} with scopes {', '.join(token.scope_list)}; "
          "the secret above is shown only this once", file=sys.stderr)


def cmd_token_list(settings, args):
    from .auth.tokens import list_tokens
    from .auth.users import get_user

    open_database(settings)
    rows = [("ID", "NAME", "USER", "SCOPES", "STATE", "LAST USED")]
    for token in list_tokens(get_user(args.user) if args.user else None):
        t = token.to_dict()
        state = "revoked" if t["revoked"] else ("expires " + t["expires"] if t["expires"] else "active")
        rows.append((str(t["id"]), t["name"], t["user"], ",".join(t["scopes"]), state, t["last_used"] or "never"))
    print_table(rows)


def cmd_token_revoke(settings, args):
    from .auth.tokens import get_token, revoke_token

    open_database(settings)
    token = revoke_token(cli_actor(), get_token(args.id))
    print(f"revoked token {token.id} {token.name!r} of {token.user.username}")


def cmd_backup(settings, args):
    from .backup import backup
    from .progress import Progress

    with Progress("backing up the database", 1) as bar:
        manifest = backup(settings, args.dir, progress=lambda done, total: bar.update(done, total))
    print(f"backed up {manifest['database']} database and {len(manifest['files']) - 1} calibration file(s) "
          f"to {args.dir}")


def cmd_restore(settings, args):
    from .backup import restore

    manifest = restore(settings, args.dir, force=args.force)
    open_database(settings, migrate=True)
    print(f"restored the backup of {manifest['created']} into {settings.database_url} and {settings.calib_dir}")


# --- the parser -----------------------------------------------------------------------------------------

def build_parser():
    parser = argparse.ArgumentParser(
        prog="dcs", description="DCS portal: serve the web portal and manage its database, users and tokens.",
        epilog="Settings come from DCS_* environment variables; see docs/admin-guide.md.")
    parser.add_argument("--version", action="version", version=f"dcs {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    serve = add_command(commands, "serve", cmd_serve, "Migrate the database and serve the portal with waitress.")
    serve.add_argument("--host", help="listen address (default DCS_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="listen port (default DCS_PORT or 8080)")
    serve.add_argument("--demo", action="store_true", help="seed demo data into an empty database on first start")
    serve.add_argument("--demo-feed", action="store_true",
                       help="play the demo's device controllers: heartbeats and readings every 5 s")
    add_command(commands, "migrate", cmd_migrate, "Apply the database migrations that are not applied yet.")
    add_command(commands, "demo", cmd_demo, "Seed demo groups, people and detectors into an empty database.")
    add_command(commands, "monitor", cmd_monitor,
                "Run the alert engine alone (heartbeats, limits, alerts, notifications, reactions); `dcs serve` runs "
                "it too unless DCS_MONITOR=0, and one process at a time holds it.")

    user = commands.add_parser("user", help="Manage users.", description="Manage users.")
    users = user.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = add_command(users, "add", cmd_user_add, "Create a user with a role (admin, or a group role in --group).")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=("admin",) + GROUP_ROLES)
    add.add_argument("--group", action="append", help="group to give the role in (repeatable)")
    add.add_argument("--display-name")
    add.add_argument("--email")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from standard input (otherwise asked, or generated and printed)")
    add_command(users, "list", cmd_user_list, "List users with roles and groups.")
    passwd = add_command(users, "passwd", cmd_user_passwd, "Set a user's password (ends their sessions).")
    passwd.add_argument("name")
    passwd.add_argument("--password-stdin", action="store_true",
                        help="read the password from standard input (otherwise asked, or generated and printed)")
    add_command(users, "disable", cmd_user_disable, "Disable a user: no login, no tokens, sessions ended.") \
        .add_argument("name")
    add_command(users, "enable", cmd_user_enable, "Enable a disabled user again.").add_argument("name")

    group = commands.add_parser("group", help="Manage groups.", description="Manage experiment groups.")
    groups = group.add_subparsers(dest="action", metavar="ACTION", required=True)
    gadd = add_command(groups, "add", cmd_group_add, "Create a group.")
    gadd.add_argument("name")
    gadd.add_argument("--description")
    add_command(groups, "list", cmd_group_list, "List groups.")

    token = commands.add_parser("token", help="Manage API tokens.", description="Manage API tokens.")
    tokens = token.add_subparsers(dest="action", metavar="ACTION", required=True)
    tcreate = add_command(tokens, "create", cmd_token_create, "Create a token and print its secret (once).")
    tcreate.add_argument("name")
    tcreate.add_argument("--user", required=True)
    tcreate.add_argument("--scope", action="append", required=True,
                         help=f"one of {', '.join(SCOPES)} (repeatable, or comma-separated)")
    tcreate.add_argument("--expires-days", type=int)
    tlist = add_command(tokens, "list", cmd_token_list, "List tokens (never their secrets).")
    tlist.add_argument("--user")
    add_command(tokens, "revoke", cmd_token_revoke, "Revoke a token by id.").add_argument("id", type=int)

    device_commands.register(commands)
    config_commands.register(commands)
    monitoring_commands.register(commands)
    command_commands.register(commands)
    run_commands.register(commands)
    channel_commands.register(commands)
    calib_commands.register(commands, workflow_commands.register)
    add_command(commands, "backup", cmd_backup,
            "Copy the database (online, while serving) and the calibration directory into a new DIR.") \
        .add_argument("dir", metavar="DIR")
    restore = add_command(commands, "restore", cmd_restore, "Restore a backup DIR (stop the server first).")
    restore.add_argument("dir", metavar="DIR")
    restore.add_argument("--force", action="store_true", help="replace an existing database and calibration files")
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        print(f"dcs: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        code = args.func(settings, args)
    except UsageError as error:
        print(f"dcs: {error}", file=sys.stderr)
        return 2
    except DcsError as error:
        print(f"dcs: {error.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 1
    return code or 0


if __name__ == "__main__":
    sys.exit(main())
