"""`dcs cmd ...`: the command modules from a terminal, acting as a portal user (--as) so the same roles apply."""

import json
import sys

from ..console import UsageError, acting_as, add_as_user, add_command, open_database, print_table
from ..topology.devices import get_device
from . import runner
from .modules import load


def cmd_list(settings, args):
    open_database(settings)
    rows = [("COMMAND", "ROLE", "DANGER", "TIMEOUT", "ARGUMENTS", "WHAT IT DOES")]
    for module in load(settings).values():
        for command in module.commands.values():
            arguments = " ".join(f"{a.name}={a.type}" + (f"[{a.minimum:g}..{a.maximum:g}{a.unit}]"
                                                         if a.maximum is not None else "") for a in command.args)
            rows.append((command.key, command.role, command.danger, f"{command.timeout_s:g} s", arguments or "-",
                         command.summary))
    print_table(rows)


def _arguments(pairs):
    found = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise UsageError(f"An argument is NAME=VALUE, not {pair!r}.")
        found[name] = value
    return found


def _show(run):
    r = run.to_dict()
    print(f"run {r['id']}: {r['command']} on {r['device']}: {r['state']}"
          + (f" (exit {r['exit_code']})" if r["exit_code"] is not None else "")
          + (f" in {r['duration_s']:.2f} s" if r["duration_s"] is not None else "")
          + (f": {r['message']}" if r["message"] else ""))
    return r


def cmd_run(settings, args):
    open_database(settings)
    actor, principal = acting_as(args.as_user)
    runs = runner.start(settings, actor, principal, args.command, args.devices, _arguments(args.arg), args.yes,
                        wait=True)
    failed = 0
    for run in runs:
        r = _show(run)
        if args.output and r["output"]:
            sys.stdout.write(r["output"] if r["output"].endswith("\n") else r["output"] + "\n")
        failed += r["state"] != "done"
    return 1 if failed else 0


def cmd_log(settings, args):
    open_database(settings)
    device = get_device(args.device) if args.device else None
    rows = [("RUN", "STARTED", "COMMAND", "DEVICE", "BY", "STATE", "EXIT", "MESSAGE")]
    for run in runner.list_runs(device, limit=args.limit):
        r = run.to_dict()
        rows.append((str(r["id"]), r["started"][:19], r["command"], r["device"], r["actor"], r["state"],
                     "-" if r["exit_code"] is None else str(r["exit_code"]), r["message"][:60] or "-"))
    print_table(rows)


def cmd_show(settings, args):
    open_database(settings)
    r = _show(runner.get_run(args.id))
    print(f"by {r['actor']} at {r['started']}, arguments {json.dumps(r['arguments'])}")
    for title, text in (("output", r["output"]), ("errors", r["errors"])):
        if text:
            print(f"--- {title}")
            sys.stdout.write(text if text.endswith("\n") else text + "\n")


def cmd_cancel(settings, args):
    open_database(settings)
    actor, principal = acting_as(args.as_user)
    run = runner.cancel(actor, principal, runner.get_run(args.id))
    print(f"asked run {run.id} ({run.module}.{run.command}) to stop")


def cmd_collect(settings, args):
    from .collector import Collector

    open_database(settings)
    _, principal = acting_as(args.as_user)
    collector = Collector(settings, principal, args.devices or None, args.every)
    if args.once:
        for name, state in collector.round().items():
            print(f"{name}: {state}")
        return
    print(f"collecting from the SiPM boards every {args.every:g} s (Ctrl+C stops)")
    try:
        collector.run()
    except KeyboardInterrupt:
        print("stopped")


def register(commands):
    cmd = commands.add_parser("cmd", help="Run device commands through the command modules.",
                              description="Device commands: list them, run one on devices, read the run log.")
    actions = cmd.add_subparsers(dest="action", metavar="ACTION", required=True)
    add_command(actions, "list", cmd_list, "List the command modules' commands with their arguments and roles.")
    run = add_as_user(add_command(actions, "run", cmd_run,
                                  "Run MODULE.COMMAND on devices and wait for it (exit 1 if any run failed)."))
    run.add_argument("command", metavar="MODULE.COMMAND")
    run.add_argument("devices", nargs="+", metavar="DEVICE")
    run.add_argument("--arg", action="append", metavar="NAME=VALUE", help="an argument (repeatable)")
    run.add_argument("--yes", action="store_true", help="confirm a command that changes the hardware")
    run.add_argument("--output", action="store_true", help="print the utility's output too")
    log = add_command(actions, "log", cmd_log, "The run log, newest first.")
    log.add_argument("--device")
    log.add_argument("--limit", type=int, default=50)
    add_command(actions, "show", cmd_show, "One run with its output.").add_argument("id", type=int)
    cancel = add_as_user(add_command(actions, "cancel", cmd_cancel, "Stop a running command."))
    cancel.add_argument("id", type=int)
    collect = add_as_user(add_command(actions, "collect", cmd_collect,
                                      "Read the SiPM boards' status into heartbeats and readings, every few seconds."))
    collect.add_argument("devices", nargs="*", metavar="DEVICE", help="the boards (default: every SiPM board)")
    collect.add_argument("--every", type=float, default=10.0, help="seconds between rounds (default 10)")
    collect.add_argument("--once", action="store_true", help="one round, then stop")
