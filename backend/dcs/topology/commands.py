"""`dcs device ...`: devices, device types, placements, aliases, connections and what is behind a device,
from the shell, with the same rules as the API (run on the portal's host, acting as the local admin)."""

import csv
import io
import json

from ..configs.documents import parse_text
from ..configs.versions import active_version, set_schema
from ..console import UsageError, add_command, cli_actor, open_database, print_table, read_text_file
from ..timeutil import iso
from . import connections, placements
from .aliases import add_alias, list_aliases
from .devices import EDITABLE, add_device, add_type, get_device, get_type, lineage, list_devices, update_device
from .models import CONNECTION_KINDS, DeviceType, Placement


def _fields(args):
    """The editable fields given on the command line."""
    fields = {key: getattr(args, key) for key in ("description", "subsystem", "group", "firmware", "predecessor")
              if getattr(args, key) is not None}
    if args.hw_index is not None:
        fields["hw_index"] = args.hw_index
    address = {key: getattr(args, key) for key in ("host", "ip", "port", "crate", "slot", "channel")
               if getattr(args, key) is not None}
    if address:
        fields["address"] = address
    return fields


def cmd_list(settings, args):
    open_database(settings)
    found = list_devices(args.subsystem, args.type, args.group)
    if args.experiment:
        placed = placements.placed_at(experiment=args.experiment)
        found = [d for d in found if d.id in placed]
    if not found:
        print("No devices.")
        return
    print_table([("NAME", "TYPE", "SUBSYSTEM", "GROUP", "HW INDEX", "DESCRIPTION")] + [
        (d.name, d.type.name, d.subsystem or "-", d.group.name if d.group_id else "-", d.hw_index or "-",
         d.description[:60]) for d in found])


def cmd_show(settings, args):
    open_database(settings)
    device = get_device(args.name)
    facts = device.to_dict()
    print(f"{device.name}  ({facts['dettype']}, {facts['subsystem'] or 'no subsystem'}, "
          f"group {facts['group'] or '-'})")
    for key in ("description", "hw_index", "firmware"):
        if facts[key]:
            print(f"  {key}: {facts[key]}")
    if facts["address"]:
        print("  address: " + ", ".join(f"{k} {v}" for k, v in facts["address"].items()))
    links = lineage(device)
    if links["predecessors"] or links["successors"]:
        print(f"  lineage: {' -> '.join(links['predecessors'] + [f'[{device.name}]'] + links['successors'])}")
    for p in placements.placements_of(device):
        print(f"  placed: {p['experiment'] or '-'} {p['instrument']} {p['hatch']}  {p['begin']} to {p['end'] or 'now'}")
    for a in list_aliases(detname=device.name):
        print(f"  alias: {a.alias}  {iso(a.begin_ns)} to {iso(a.end_ns) or 'the end'}")
    for c in connections.connections_of(device):
        print(f"  {c['kind']:8} {c['from']} -> {c['to']}  (#{c['id']})")
    own, base = active_version(f"device:{device.name}"), active_version(f"type:{device.type.name}")
    print(f"  configuration: type default v{base.number if base else '-'}, own v{own.number if own else '-'}")


def cmd_add(settings, args):
    open_database(settings)
    ports = None
    if args.ports is not None:
        ports = [{"name": name, "kind": kind} for name, _, kind in (p.partition(":") for p in args.ports.split(","))]
    device = add_device(cli_actor(), args.name, ports=ports, **_fields(args))
    print(f"added {device.name}")


def cmd_set(settings, args):
    open_database(settings)
    fields = _fields(args)
    if not fields:
        raise UsageError(f"Say what to change: {', '.join('--' + f.replace('_', '-') for f in EDITABLE)}.")
    update_device(cli_actor(), get_device(args.name), fields)
    print(f"changed {', '.join(sorted(fields))} of {args.name}")


def cmd_place(settings, args):
    open_database(settings)
    row = placements.add_placement(cli_actor(), get_device(args.name), args.begin, args.end, args.instrument or "",
                                   args.hatch or "", args.experiment or "", args.note or "", move=args.move)
    print(f"{args.name} is placed in {row.experiment or row.instrument} from {iso(row.begin_ns)}")


def cmd_unplace(settings, args):
    open_database(settings)
    device = get_device(args.name)
    current = Placement.select().where(Placement.device == device, Placement.end_ns.is_null()).first()
    if current is None:
        raise UsageError(f"{args.name} has no open placement to end.")
    placements.end_placement(cli_actor(), current, args.end)
    print(f"{args.name} left {current.experiment or current.instrument} at {iso(current.end_ns)}")


def cmd_alias(settings, args):
    open_database(settings)
    row = add_alias(cli_actor(), args.alias, args.detname, args.begin, args.end)
    print(f"{row.alias} names {row.detname} from {iso(row.begin_ns)} to {iso(row.end_ns) or 'the end'}")


def _cabling(path):
    """Rows (from, to, kind, note) of a CSV cabling list: from,to,kind[,note], '#' comments allowed."""
    rows = []
    for number, row in enumerate(csv.reader(io.StringIO(read_text_file(path))), 1):
        if not row or row[0].strip().startswith("#") or [c.strip().lower() for c in row[:3]] == ["from", "to", "kind"]:
            continue
        if len(row) not in (3, 4):
            raise UsageError(f"{path}, line {number}: a row reads from,to,kind[,note].")
        rows.append(tuple(c.strip() for c in row) + (("",) if len(row) == 3 else ()))
    if not rows:
        raise UsageError(f"{path} holds no connections.")
    return rows


def cmd_connect(settings, args):
    open_database(settings)
    if args.file:
        made = connections.connect_many(cli_actor(), _cabling(args.file))
        print(f"connected {len(made)} pair(s) of ports")
        return
    if not (args.source and args.target and args.kind):
        raise UsageError("Give FROM TO --kind KIND (each end as device:port), or --file CABLING.csv.")
    row = connections.connect(cli_actor(), args.source, args.target, args.kind, args.note or "")
    print(f"connected {row.from_port.label()} -> {row.to_port.label()} ({row.kind}), #{row.id}")


def cmd_disconnect(settings, args):
    open_database(settings)
    row = connections.get_connection(args.id)
    connections.disconnect(cli_actor(), row)
    print(f"disconnected #{args.id}")


def cmd_behind(settings, args):
    open_database(settings)
    kinds = [k for k in (args.kind or "").split(",") if k]
    found = connections.behind(get_device(args.name), kinds)
    if args.json:
        print(json.dumps(found, indent=2))
        return
    if not found:
        print(f"Nothing is connected behind {args.name}.")
        return
    for item in found:
        print(f"{'  ' * item['depth']}{item['name']}  ({item['kind']} from {item['via']})")
    print(f"{len(found)} device(s) behind {args.name}")


def cmd_type_list(settings, args):
    open_database(settings)
    print_table([("TYPE", "GROUP", "PORTS", "SCHEMA", "DEVICES", "DESCRIPTION")] + [
        (t.name, t.group.name if t.group_id else "-", str(len(t.port_template)), f"v{t.schema_version}",
         str(t.devices.count()), t.description[:50]) for t in DeviceType.select().order_by(DeviceType.name)])


def cmd_type_add(settings, args):
    open_database(settings)
    ports = [{"name": name, "kind": kind} for name, _, kind in (p.partition(":") for p in (args.port or []))]
    add_type(cli_actor(), args.name, args.description or "", args.group, ports)
    print(f"added device type {args.name}")


def cmd_type_schema(settings, args):
    open_database(settings)
    device_type = get_type(args.name)
    if args.file is None:
        print(json.dumps(device_type.schema, indent=2, sort_keys=True))
        return
    fmt = "yaml" if args.file.endswith((".yaml", ".yml")) else "json"
    failing = set_schema(cli_actor(), device_type, parse_text(read_text_file(args.file), fmt, "schema"), args.force)
    print(f"{args.name} has schema version {device_type.schema_version}")
    for item in failing:
        print(f"  warning: {item['owner']} v{item['number']} fails it: "
              + "; ".join(f"{p['field']} {p['error']}" for p in item["problems"]))


def _device_fields(parser):
    parser.add_argument("--description")
    parser.add_argument("--subsystem")
    parser.add_argument("--group", help="the owning group (its experts change the device)")
    parser.add_argument("--hw-index", dest="hw_index", help="hardware index, numbers joined by dots: 3.1.4.1.5.9.2")
    parser.add_argument("--firmware")
    parser.add_argument("--predecessor", help="the device this one replaces")
    parser.add_argument("--host")
    parser.add_argument("--ip")
    for key in ("port", "crate", "slot", "channel"):
        parser.add_argument(f"--{key}", type=int)


def register(commands):
    device = commands.add_parser("device", help="Devices, their placements, aliases and connections.",
                                 description="Devices and the topology: types, devices, placements, aliases, "
                                             "connections, and what is behind a controller.")
    sub = device.add_subparsers(dest="action", metavar="ACTION", required=True)
    ls = add_command(sub, "list", cmd_list, "List devices.")
    ls.add_argument("--subsystem")
    ls.add_argument("--type")
    ls.add_argument("--group")
    ls.add_argument("--experiment", help="devices placed in this experiment now")
    add_command(sub, "show", cmd_show, "Show a device: facts, lineage, placements, aliases, connections.") \
        .add_argument("name")
    add = add_command(sub, "add", cmd_add, "Add a device named <dettype>-<detid>.")
    add.add_argument("name")
    add.add_argument("--ports", help="name:kind,... (default: the type's ports)")
    _device_fields(add)
    change = add_command(sub, "set", cmd_set, "Change a device's description, subsystem, group, hardware index, "
                                              "firmware, predecessor or address.")
    change.add_argument("name")
    _device_fields(change)
    place = add_command(sub, "place", cmd_place, "Place a device in an experiment/instrument/hatch from a time on.")
    place.add_argument("name")
    place.add_argument("--begin", required=True, help="Unix seconds or ISO 8601")
    place.add_argument("--end")
    place.add_argument("--instrument")
    place.add_argument("--hatch")
    place.add_argument("--experiment")
    place.add_argument("--note")
    place.add_argument("--move", action="store_true", help="end the placement open at --begin first")
    unplace = add_command(sub, "unplace", cmd_unplace, "End a device's open placement.")
    unplace.add_argument("name")
    unplace.add_argument("--end", required=True, help="Unix seconds or ISO 8601")
    alias = add_command(sub, "alias", cmd_alias, "Name a device by an alias from a time on.")
    alias.add_argument("alias")
    alias.add_argument("detname")
    alias.add_argument("--begin", required=True)
    alias.add_argument("--end")
    con = add_command(sub, "connect", cmd_connect, "Connect a port to a port (device:port), or load a cabling CSV.")
    con.add_argument("source", nargs="?", metavar="FROM")
    con.add_argument("target", nargs="?", metavar="TO")
    con.add_argument("--kind", choices=CONNECTION_KINDS)
    con.add_argument("--note")
    con.add_argument("--file", help="a CSV of from,to,kind[,note] rows: all are connected or none")
    add_command(sub, "disconnect", cmd_disconnect, "Remove a connection by its number.").add_argument("id", type=int)
    behind = add_command(sub, "behind", cmd_behind, "What is behind a device (following its connections).")
    behind.add_argument("name")
    behind.add_argument("--kind", help="follow only these kinds, comma-separated")
    behind.add_argument("--json", action="store_true")
    types = sub.add_parser("type", help="Device types.", description="Device types and their configuration schemas.")
    type_sub = types.add_subparsers(dest="type_action", metavar="ACTION", required=True)
    add_command(type_sub, "list", cmd_type_list, "List device types.")
    type_add = add_command(type_sub, "add", cmd_type_add, "Add a device type.")
    type_add.add_argument("name")
    type_add.add_argument("--description")
    type_add.add_argument("--group")
    type_add.add_argument("--port", action="append", metavar="NAME:KIND", help="a port every new device gets")
    schema = add_command(type_sub, "schema", cmd_type_schema,
                         "Print a type's JSON Schema, or set it from FILE (JSON or YAML).")
    schema.add_argument("name")
    schema.add_argument("file", nargs="?")
    schema.add_argument("--force", action="store_true", help="set it even when active configurations fail it")
