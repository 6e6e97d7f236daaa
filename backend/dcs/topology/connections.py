"""Ports and the connections between them, and what is behind a device.

A connection runs from a port of one device to a port of another (`ecal-hv03:ch07 -> ecal-c0101:hv`)
with a kind: HV, LV, readout, network or trigger. A port is one connector: it takes at most one
connection, and a port that has a kind takes only connections of that kind. Following connections
from a controller gives what is behind it (used to suppress alerts downstream of a failed one).
"""

from ..audit import record
from ..db import database
from ..errors import DcsError, bad_request, conflict, not_found
from ..timeutil import now_ns
from .devices import check_ports, get_device, invalid
from .models import CONNECTION_KINDS, Connection, Device, Port

MAX_DEPTH = 64
CHUNK = 500


def ports_of(device):
    return [{"name": p.name, "kind": p.kind} for p in device.ports.order_by(Port.name)]


def add_port(actor, device, name, kind=""):
    (port,) = check_ports([{"name": name, "kind": kind}], "name")
    with database.atomic():
        if Port.select().where(Port.device == device, Port.name == port["name"]).exists():
            raise conflict(f"{device.name} has a port {port['name']} already.",
                           errors=[{"field": "name", "error": "Taken."}])
        row = Port.create(device=device, **port)
        record(actor, "device.port.create", "device", device.name, f"added port {port['name']} to {device.name}",
               after=port)
    return row


def connection_of(port):
    return (Connection.select().where((Connection.from_port == port.id) | (Connection.to_port == port.id)).first())


def remove_port(actor, device, name):
    port = Port.get_or_none(Port.device == device, Port.name == name)
    if port is None:
        raise not_found(f"{device.name} has no port {name!r}.")
    with database.atomic():
        used = connection_of(port)
        if used is not None:
            raise conflict(f"{device.name}:{name} is connected ({used.from_port.label()} -> {used.to_port.label()}); "
                           "disconnect it first.")
        port.delete_instance()
        record(actor, "device.port.delete", "device", device.name, f"removed port {name} of {device.name}",
               before={"name": name, "kind": port.kind})


def find_port(endpoint, field):
    """'ecal-hv03:ch07' -> that Port (with .device); a missing device or port is refused naming the field."""
    if not isinstance(endpoint, str) or endpoint.count(":") != 1:
        raise invalid(field, f"The {field} end must read <device>:<port>, like ecal-hv03:ch07; got {endpoint!r}.")
    name, port_name = endpoint.split(":")
    port = (Port.select(Port, Device.id, Device.name, Device.group, Device.type).join(Device)
            .where(Device.name == name, Port.name == port_name).first())
    if port is not None:
        return port
    try:
        device = get_device(name)
    except DcsError as error:
        raise invalid(field, f"The {field} end names no known device: {error.message}") from None
    known = ", ".join(p["name"] for p in ports_of(device)[:20]) or "none"
    raise invalid(field, f"{device.name} has no port {port_name!r} (its ports: {known}).")


def connect(actor, source, target, kind, note=""):
    if kind not in CONNECTION_KINDS:
        raise invalid("kind", f"The connection kind must be one of {', '.join(CONNECTION_KINDS)}.")
    if not isinstance(note, str) or len(note) > 200:
        raise invalid("note", "The note is text of at most 200 characters.")
    with database.atomic():
        start, end = find_port(source, "from"), find_port(target, "to")
        if start.device.id == end.device.id:
            raise invalid("to", f"A connection joins two devices; both ends are on {start.device.name}.")
        for port, field in ((start, "from"), (end, "to")):
            if port.kind and port.kind != kind:
                raise invalid(field, f"{port.label()} is a {port.kind} port; it cannot take a {kind} connection.")
            used = connection_of(port)
            if used is not None:
                raise conflict(f"{port.label()} is connected already ({used.from_port.label()} -> "
                               f"{used.to_port.label()}).", errors=[{"field": field, "error": "Connected already."}])
        row = Connection.create(from_port=start, to_port=end, kind=kind, note=note, created_by=actor.label,
                                created_ns=now_ns())
        record(actor, "connection.create", "connection", row.id, f"connected {source} -> {target} ({kind})",
               after=row.to_dict())
    return row


def get_connection(connection_id):
    row = Connection.get_or_none(Connection.id == connection_id)
    if row is None:
        raise not_found(f"There is no connection {connection_id}.")
    return row


def disconnect(actor, row):
    with database.atomic():
        before = row.to_dict()
        row.delete_instance()
        record(actor, "connection.delete", "connection", row.id, f"disconnected {before['from']} -> {before['to']}",
               before=before)


def connections_of(device):
    """Every connection with an end on the device, outgoing first."""
    ports = Port.select(Port.id).where(Port.device == device)
    rows = (Connection.select().where(Connection.from_port.in_(ports) | Connection.to_port.in_(ports))
            .order_by(Connection.id))
    out = [c.to_dict() for c in rows]
    return sorted(out, key=lambda c: (not c["from"].startswith(device.name + ":"), c["from"], c["to"]))


def _edges_from(device_ids, kinds):
    sql = ("SELECT fp.device_id, tp.device_id, c.kind FROM connections c "
           "JOIN device_ports fp ON c.from_port_id = fp.id JOIN device_ports tp ON c.to_port_id = tp.id "
           "WHERE fp.device_id IN ({})")
    for start in range(0, len(device_ids), CHUNK):
        chunk = device_ids[start:start + CHUNK]
        for row in database.execute_sql(sql.format(", ".join([database.param] * len(chunk))), chunk):
            if not kinds or row[2] in kinds:
                yield row


def behind(device, kinds=None):
    """What hangs off device, following connections from their source to their target: a list of
    {name, depth, via, kind}, nearest first (cycles are followed once)."""
    if kinds:
        for kind in kinds:
            if kind not in CONNECTION_KINDS:
                raise bad_request(f"The connection kind must be one of {', '.join(CONNECTION_KINDS)}.")
    found, frontier, depth = {device.id: None}, [device.id], 0
    via = {}
    while frontier and depth < MAX_DEPTH:
        depth += 1
        following = []
        for source, target, kind in _edges_from(frontier, kinds):
            if target not in found:
                found[target] = depth
                via[target] = (source, kind)
                following.append(target)
        frontier = following
    ids = [i for i in found if i != device.id]
    names = {d.id: d.name for d in Device.select(Device.id, Device.name).where(Device.id.in_(ids + [device.id]))}
    return [{"name": names[i], "depth": found[i], "via": names[via[i][0]], "kind": via[i][1]}
            for i in sorted(ids, key=lambda i: (found[i], names[i]))]
