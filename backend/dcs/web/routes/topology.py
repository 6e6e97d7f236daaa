"""The topology as a whole: the graph, connections, aliases and device types (with their schemas)."""

from bottle import response

from ...auth.users import at_least, get_group, group_role, require_role
from ...configs.versions import Owner, set_schema
from ...errors import bad_request
from ...names import split_detname
from ...timeutil import to_ns
from ...topology import connections, graph, placements
from ...topology.aliases import add_alias, delete_alias, end_alias, get_alias, list_aliases
from ...topology.devices import add_type, get_device, get_type, update_type
from ...topology.models import CONNECTION_KINDS, Device, DeviceType
from .. import query
from ..fields import Bool, Body, Dict, List, Str, Time
from .devices import PORT, device_writer

CONNECTION = Body(**{"from": Str(min_len=3, max_len=265, description="<device>:<port>"),
                     "to": Str(min_len=3, max_len=265, description="<device>:<port>")},
                  kind=Str(choices=CONNECTION_KINDS), note=Str(max_len=200, default=""))
ALIAS = Body(alias=Str(min_len=1, max_len=200), detname=Str(min_len=3, max_len=200), begin=Time(),
             end=Time(required=False))
ALIAS_END = Body(end=Time())
NEW_TYPE = Body(name=Str(min_len=1, max_len=32), description=Str(max_len=4000, default=""),
                group=Str(max_len=64, required=False), ports=List(PORT, max_items=512, default=[]))
CHANGE_TYPE = Body(description=Str(max_len=4000, required=False), group=Str(max_len=64, required=False),
                   ports=List(PORT, max_items=512, required=False))
SCHEMA = Body(schema=Dict(max_bytes=262144), force=Bool(default=False))
GRAPH_QUERY = (("subsystem", "devices of one subsystem"), ("experiment", "devices placed in an experiment at the time"),
               ("at", "the time of the placements (default now; seconds or ISO 8601)"))


def alias_writer(principal, detname):
    """Experts of the named device's group write its aliases; for detectors the topology does not know
    (the calibration store may), experts of any group do."""
    split_detname(detname)
    device = Device.get_or_none(Device.name == detname)
    if device is not None:
        device_writer(principal, device)


def type_writer(principal, device_type):
    Owner("type", device_type).require(principal, "expert")


def type_page(device_type, principal):
    role = group_role(principal, device_type.group_id)
    return {**device_type.to_dict(), "schema": device_type.schema, "devices": device_type.devices.count(),
            "can": {"edit": at_least(role, "expert")}}


def register(api):
    @api.route("/topology", "GET", perm="read", tag="topology", query=GRAPH_QUERY)
    def whole_graph():
        """The whole graph, compact: devices as rows of `columns`, connections as [from row, to row, kind]
        (only those with both ends shown; `outside` counts the others), and the filters' choices."""
        at = query.text("at")
        found = graph.whole_graph(query.text("subsystem"), query.text("experiment"),
                                  to_ns(at, "time asked for (at)") if at else None)
        subsystems = [r[0] for r in Device.select(Device.subsystem).where(Device.subsystem != "").distinct()
                      .order_by(Device.subsystem).tuples()]
        return {"ok": True, **found, "subsystems": subsystems, "experiments": placements.experiments()}

    @api.route("/connections", "GET", perm="read", tag="topology",
               query=(("device", "connections with an end on this device"),))
    def list_connections():
        """The connections of a device (name one: the whole set is in /api/topology)."""
        name = query.text("device")
        if name is None:
            raise bad_request("Name a device: /api/connections?device=<name> (the whole graph is /api/topology).")
        return {"ok": True, "connections": connections.connections_of(get_device(name))}

    @api.route("/connections", "POST", perm="topology.write", body=CONNECTION, tag="topology")
    def new_connection(principal, actor, body):
        """Connect a port of one device to a port of another (both ports must exist and be free)."""
        for end in ("from", "to"):
            device_writer(principal, connections.find_port(body[end], end).device)
        row = connections.connect(actor, body["from"], body["to"], body["kind"], body["note"])
        response.status = 201
        return {"ok": True, "connection": row.to_dict()}

    @api.route("/connections/<connection_id:int>", "DELETE", perm="topology.write", tag="topology")
    def delete_connection(connection_id, principal, actor):
        """Remove a connection."""
        row = connections.get_connection(connection_id)
        device_writer(principal, row.from_port.device)
        connections.disconnect(actor, row)
        return {"ok": True}

    @api.route("/aliases", "GET", perm="read", tag="topology",
               query=(("alias", "the periods of one alias"), ("detname", "the aliases of one detector")))
    def aliases():
        """Time-dependent aliases (alias, detname, begin, end), shared with the calibration store."""
        return {"ok": True, "aliases": [a.to_dict() for a in list_aliases(query.text("alias"),
                                                                          query.text("detname"))]}

    @api.route("/aliases", "POST", perm="topology.write", body=ALIAS, tag="topology")
    def new_alias(principal, actor, body):
        """Name a detector by an alias over a period; periods of one alias must not overlap."""
        alias_writer(principal, body["detname"])
        row = add_alias(actor, body["alias"], body["detname"], body["begin"], body.get("end"))
        response.status = 201
        return {"ok": True, "alias": row.to_dict()}

    @api.route("/aliases/<alias_id:int>", "PATCH", perm="topology.write", body=ALIAS_END, tag="topology")
    def change_alias(alias_id, principal, actor, body):
        """End one period of an alias (or move its end)."""
        row = get_alias(alias_id)
        alias_writer(principal, row.detname)
        return {"ok": True, "alias": end_alias(actor, row, body["end"]).to_dict()}

    @api.route("/aliases/<alias_id:int>", "DELETE", perm="topology.write", tag="topology")
    def remove_alias(alias_id, principal, actor):
        """Remove an alias period entered by mistake."""
        row = get_alias(alias_id)
        alias_writer(principal, row.detname)
        delete_alias(actor, row)
        return {"ok": True}

    @api.route("/device-types", "GET", perm="read", tag="topology")
    def device_types(principal):
        """Device types with their owning group, port template, schema and whether you may change them."""
        return {"ok": True, "types": [type_page(t, principal) for t in DeviceType.select().order_by(DeviceType.name)]}

    @api.route("/device-types", "POST", perm="topology.write", body=NEW_TYPE, tag="topology")
    def new_type(principal, actor, body):
        """Add a device type (experts of the group it will belong to; without a group, admins)."""
        require_role(principal, get_group(body["group"]) if body.get("group") else None, "expert",
                     f"the device type {body['name']}")
        device_type = add_type(actor, body["name"], body["description"], body.get("group"), body["ports"])
        response.status = 201
        return {"ok": True, "type": type_page(device_type, principal)}

    @api.route("/device-types/<name>", "GET", perm="read", tag="topology")
    def device_type(name, principal):
        """A device type with its JSON Schema, its number of devices and whether you may change it."""
        return {"ok": True, "type": type_page(get_type(name), principal)}

    @api.route("/device-types/<name>", "PATCH", perm="topology.write", body=CHANGE_TYPE, tag="topology")
    def change_type(name, principal, actor, body):
        """Change a type's description, owning group or port template (for devices added later)."""
        found = get_type(name)
        type_writer(principal, found)
        if body.get("group"):
            require_role(principal, get_group(body["group"]), "expert", f"the group {body['group']}")
        return {"ok": True, "type": type_page(update_type(actor, found, body), principal)}

    @api.route("/device-types/<name>/schema", "PUT", perm="topology.write", body=SCHEMA, tag="topology")
    def change_schema(name, principal, actor, body):
        """A new JSON Schema (draft 2020-12) for the type's configurations. Refused (409, listing them) when
        active configurations would fail it, unless force."""
        found = get_type(name)
        type_writer(principal, found)
        failing = set_schema(actor, found, body["schema"], body["force"])
        return {"ok": True, "type": type_page(found, principal), "failing": failing}
