"""Ports and the connections between them, and what is behind a device.

A connection runs from a port of the device that serves to a port of the device that depends on it
(`sipm-ecal03:ch07 -> bgo-071:hv`: the HV channel powers the crystal; `v1742-ecal03:in07 -> bgo-071:signal`:
the digitizer reads it) with a kind: HV, LV, readout, network or trigger. A port is one connector: it takes at most one
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


def _split(endpoint, field):
    if not isinstance(endpoint, str) or endpoint.count(":") != 1 or not all(endpoint.split(":")):
        raise invalid(field, f"The {field} end must read <device>:<port>, like ecal-hv03:ch07; got {endpoint!r}.")
    return tuple(endpoint.split(":"))


def _ports(names):
    """{(device name, port name): (port id, port kind, device id)} of the devices named."""
    found, names = {}, sorted(set(names))
    for start in range(0, len(names), CHUNK):
        rows = (Port.select(Port.id, Port.name, Port.kind, Device.id, Device.name).join(Device)
                .where(Device.name.in_(names[start:start + CHUNK])).tuples())
        for port_id, port_name, kind, device_id, device_name in rows:
            found[(device_name, port_name)] = (port_id, kind, device_id)
    return found


def _used(port_ids):
    """{port id: (from label, to label)} of the ports among port_ids that are connected already."""
    used, ids = {}, sorted(set(port_ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        for row in (Connection.select().where(Connection.from_port.in_(chunk) | Connection.to_port.in_(chunk))):
            pair = (row.from_port.label(), row.to_port.label())
            used[row.from_port_id] = used[row.to_port_id] = pair
    return used


def _missing(device_name, port_name, field):
    try:
        device = get_device(device_name)
    except DcsError as error:
        return invalid(field, f"The {field} end names no known device: {error.message}")
    known = ", ".join(p["name"] for p in ports_of(device)[:20]) or "none"
    return invalid(field, f"{device.name} has no port {port_name!r} (its ports: {known}).")


def find_port(endpoint, field):
    """'ecal-hv03:ch07' -> that Port (with its device); a missing device or port is refused naming the field."""
    device_name, port_name = _split(endpoint, field)
    port = (Port.select(Port, Device.id, Device.name, Device.group, Device.type).join(Device)
            .where(Device.name == device_name, Port.name == port_name).first())
    if port is None:
        raise _missing(device_name, port_name, field)
    return port


def connect_many(actor, rows):
    """Connect [(from, to, kind, note)] all or nothing: one set of rules for one cable or a whole cabling
    list. A refusal names the field (for a list, the row as well); nothing is written."""
    if not rows:
        raise bad_request("There is nothing to connect: the list of connections is empty.")
    several = len(rows) > 1

    def refuse(index, field, message, status=400):
        where = f"rows[{index}].{field}" if several else field
        text = f"Row {index + 1}: {message}" if several else message
        return (bad_request if status == 400 else conflict)(text, errors=[{"field": where, "error": message}])

    parsed = []
    for index, (source, target, kind, note) in enumerate(rows):
        if kind not in CONNECTION_KINDS:
            raise refuse(index, "kind", f"The connection kind must be one of {', '.join(CONNECTION_KINDS)}.")
        if not isinstance(note, str) or len(note) > 200:
            raise refuse(index, "note", "The note is text of at most 200 characters.")
        try:
            parsed.append((_split(source, "from"), _split(target, "to"), kind, note))
        except DcsError as error:
            raise refuse(index, error.extra["errors"][0]["field"], error.message) from None
    with database.atomic():
        ports = _ports(name for ends in parsed for name in (ends[0][0], ends[1][0]))
        taken = _used(ports[end][0] for ends in parsed for end in ends[:2] if end in ports)
        made = []
        for index, (start, end, kind, note) in enumerate(parsed):
            for endpoint, field in ((start, "from"), (end, "to")):
                if endpoint not in ports:
                    error = _missing(*endpoint, field)
                    raise refuse(index, field, error.message)
            (start_id, start_kind, start_device), (end_id, end_kind, end_device) = ports[start], ports[end]
            if start_device == end_device:
                raise refuse(index, "to", f"A connection joins two devices; both ends are on {start[0]}.")
            for (port_id, port_kind), endpoint, field in (((start_id, start_kind), start, "from"),
                                                          ((end_id, end_kind), end, "to")):
                label = ":".join(endpoint)
                if port_kind and port_kind != kind:
                    raise refuse(index, field, f"{label} is a {port_kind} port; it cannot take a {kind} connection.")
                if port_id in taken:
                    raise refuse(index, field, f"{label} is connected already ({taken[port_id][0]} -> "
                                               f"{taken[port_id][1]}).", status=409)
                taken[port_id] = (":".join(start), ":".join(end))
            made.append({"from_port": start_id, "to_port": end_id, "kind": kind, "note": note,
                         "created_by": actor.label, "created_ns": now_ns()})
        created = []
        for first in range(0, len(made), CHUNK):
            chunk = made[first:first + CHUNK]
            Connection.insert_many(chunk).execute()
            created.extend(Connection.select().where(Connection.from_port.in_([m["from_port"] for m in chunk])))
        created.sort(key=lambda c: c.id)
        summary = (f"connected {':'.join(parsed[0][0])} -> {':'.join(parsed[0][1])} ({parsed[0][2]})" if not several
                   else f"connected {len(made)} pairs of ports")
        record(actor, "connection.create", "connection", created[0].id if not several else "", summary,
               after={"connections": [[":".join(a), ":".join(b), k] for a, b, k, _ in parsed[:1000]]})
    return created


def connect(actor, source, target, kind, note=""):
    """One connection from a port to a port (see connect_many for the rules)."""
    return connect_many(actor, [(source, target, kind, note)])[0]


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
    """Every connection with an end on the device, outgoing first (one query, however many)."""
    source, target = Port.alias(), Port.alias()
    source_device, target_device = Device.alias(), Device.alias()
    ports = Port.select(Port.id).where(Port.device == device)
    rows = (Connection.select(Connection, source, target, source_device, target_device)
            .join(source, on=(Connection.from_port == source.id))
            .join(source_device, on=(source.device == source_device.id))
            .switch(Connection).join(target, on=(Connection.to_port == target.id))
            .join(target_device, on=(target.device == target_device.id))
            .where(Connection.from_port.in_(ports) | Connection.to_port.in_(ports)))
    out = [c.to_dict() for c in rows]
    return sorted(out, key=lambda c: (not c["from"].startswith(device.name + ":"), c["from"], c["to"]))


EDGES = ("SELECT fp.device_id, tp.device_id, c.kind FROM connections c "
         "JOIN device_ports fp ON c.from_port_id = fp.id JOIN device_ports tp ON c.to_port_id = tp.id")


def all_edges():
    """(source device id, target device id, kind) of every connection, in one query."""
    return database.execute_sql(EDGES).fetchall()


def _edges_from(device_ids, kinds):
    sql = EDGES + " WHERE fp.device_id IN ({})"
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
