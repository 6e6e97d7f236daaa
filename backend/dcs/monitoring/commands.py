"""`dcs alerts ...` and `dcs heartbeat ...`: the alerts and heartbeat watches from a terminal, for a shifter
on a console or a script. Acknowledging, shelving and pausing act as a portal user (--as), so the group's
roles apply as in the browser."""

from ..console import acting_as, add_as_user, add_command, open_database, print_table
from ..timeutil import NS, now_ns
from ..topology.devices import get_device
from . import alerts, heartbeats
from .models import ALERT_STATES, SEVERITIES


def cmd_alerts_list(settings, args):
    open_database(settings)
    device = get_device(args.device) if args.device else None
    rows = alerts.list_alerts(args.state, args.severity, device, args.subsystem, limit=args.limit)
    if not rows:
        print(f"no alerts ({args.state})")
        return
    table = [("ID", "SEVERITY", "STATE", "RAISED", "DEVICE", "MESSAGE")]
    for alert in rows:
        a = alert.to_dict()
        state = a["state"] + (" (shelved)" if a["shelved"] else "") + (
            f" (behind {a['suppressed_by']})" if a["suppressed_by"] else "")
        table.append((str(a["id"]), a["severity"], state, a["raised"][:19], a["device"], a["message"]))
    print_table(table)


def cmd_alerts_ack(settings, args):
    open_database(settings)
    actor, principal = acting_as(args.as_user)
    states = alerts.acknowledge(actor, principal, args.ids, args.comment or "")
    for alert_id, state in states.items():
        print(f"alert {alert_id}: {state}")


def cmd_alerts_shelve(settings, args):
    open_database(settings)
    actor, principal = acting_as(args.as_user)
    shelved = alerts.shelve(actor, principal, args.ids, now_ns() + args.minutes * 60 * NS, args.comment)
    print(f"shelved {len(shelved)} alert(s) for {args.minutes} minutes")


def cmd_heartbeat_list(settings, args):
    open_database(settings)
    rows = [("DEVICE", "STATE", "LAST", "SEQ", "PERIOD", "GRACE", "BEATS", "STATUS")]
    for watch, name, _, _ in heartbeats.watches():
        w = watch.to_dict(name)
        if args.state and w["state"] != args.state:
            continue
        rows.append((name, w["state"], (w["last"] or "never")[:19], str(w["last_seq"] or "-"), f"{w['period_s']} s",
                     f"{w['grace_s']} s", str(w["beats"]), w["last_status"] or "-"))
    print_table(rows)


def cmd_heartbeat_pause(settings, args):
    open_database(settings)
    actor, principal = acting_as(args.as_user)
    device = get_device(args.device)
    from ..configs.versions import Owner

    Owner("device", device.type, device).require(principal, "operator")
    watch = heartbeats.pause(actor, device, now_ns() + args.minutes * 60 * NS, args.comment or "")
    print(f"{device.name} is paused until {watch.to_dict(device.name)['paused_until']}")


def register(commands):
    alert = commands.add_parser("alerts", help="List, acknowledge and shelve alerts.",
                                description="Alerts: list them, acknowledge or shelve them as a portal user.")
    actions = alert.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = add_command(actions, "list", cmd_alerts_list, "List alerts (open ones unless --state says otherwise).")
    listing.add_argument("--state", default="open", choices=("open", "all") + ALERT_STATES)
    listing.add_argument("--severity", choices=SEVERITIES, help="this severity and worse")
    listing.add_argument("--device")
    listing.add_argument("--subsystem")
    listing.add_argument("--limit", type=int, default=200)
    ack = add_as_user(add_command(actions, "ack", cmd_alerts_ack, "Acknowledge alerts by id (all or none)."))
    ack.add_argument("ids", nargs="+", type=int, metavar="ID")
    ack.add_argument("--comment")
    shelve = add_as_user(add_command(actions, "shelve", cmd_alerts_shelve,
                                     "Shelve alerts for some minutes, with the reason."))
    shelve.add_argument("ids", nargs="+", type=int, metavar="ID")
    shelve.add_argument("--minutes", type=int, required=True)
    shelve.add_argument("--comment", required=True)

    beat = commands.add_parser("heartbeat", help="Heartbeat watches of the devices.",
                               description="Heartbeat watches: their state, and pauses for maintenance.")
    beats = beat.add_subparsers(dest="action", metavar="ACTION", required=True)
    hlist = add_command(beats, "list", cmd_heartbeat_list, "List the heartbeat watches with their state.")
    hlist.add_argument("--state", choices=("new", "up", "late", "down", "paused"))
    pause = add_as_user(add_command(beats, "pause", cmd_heartbeat_pause,
                                    "Pause a device's watch for maintenance (no heartbeat alerts until it ends)."))
    pause.add_argument("device")
    pause.add_argument("--minutes", type=int, required=True)
    pause.add_argument("--comment")
