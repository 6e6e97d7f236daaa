"""Devices: the list, adding and changing them, their ports and placements, what is behind them, and
the device page (placements, aliases, connections, configuration, calibrations, live values)."""

from bottle import response

from ...auth.users import at_least, get_group, group_role, require_role
from ...calib.models import CalibFile, CalibRange, CalibVersion
from ...configs.live import compare_live
from ...configs.versions import Owner, effective
from ...configs.models import ConfigVersion
from ...topology import connections, placements
from ...topology.aliases import list_aliases
from ...names import split_detname
from ...topology.devices import EDITABLE, add_device, get_device, lineage, list_devices, update_device
from ...topology.models import CONNECTION_KINDS, DeviceType
from .. import query
from ..fields import Body, Bool, Dict, Int, List, Str, Time

PORT = Body(name=Str(min_len=1, max_len=64), kind=Str(choices=CONNECTION_KINDS + ("",), default=""))
ADDRESS = Dict(max_bytes=2000, required=False, description="host, ip, port, crate, slot, channel")
HW_INDEX = List(Int(minimum=0, maximum=2**32 - 1), max_items=16, required=False,
                description="Up to 16 numbers, e.g. six hardware numbers and a seventh for the firmware.")
DEVICE_FIELDS = dict(description=Str(max_len=4000, required=False), subsystem=Str(max_len=64, required=False),
                     group=Str(max_len=64, required=False), hw_index=HW_INDEX,
                     firmware=Str(max_len=64, required=False), predecessor=Str(max_len=200, required=False),
                     address=ADDRESS)
NEW_DEVICE = Body(name=Str(min_len=3, max_len=200), ports=List(PORT, max_items=512, required=False),
                  **DEVICE_FIELDS)
CHANGE_DEVICE = Body(**DEVICE_FIELDS)
PLACEMENT = Body(begin=Time(), end=Time(required=False), instrument=Str(max_len=64, default=""),
                 hatch=Str(max_len=64, default=""), experiment=Str(max_len=64, default=""),
                 note=Str(max_len=200, default=""), move=Bool(default=False))
PLACEMENT_END = Body(end=Time())
LIST_QUERY = (("subsystem", "devices of one subsystem"), ("type", "devices of one type"),
              ("group", "devices of one group"), ("hw_index", "the device with this hardware index, e.g. 1.2.3"))


def device_writer(principal, device):
    """Experts of the device's group (or its type's, when it has none) and admins change its topology."""
    Owner("device", device.type, device).require(principal, "expert")


def _calibrations(detname):
    rows = (CalibRange.select(CalibFile.workspace, CalibRange.ctype, CalibVersion.id).join(CalibFile)
            .switch(CalibRange).join(CalibVersion).where(CalibFile.detname == detname).tuples())
    found = {}
    for workspace, ctype, _ in rows:
        key = (workspace, ctype)
        found[key] = found.get(key, 0) + 1
    return [{"workspace": w, "ctype": c, "versions": n} for (w, c), n in sorted(found.items())]


def device_page(device, principal):
    owner = Owner("device", device.type, device)
    role = group_role(principal, owner.group.id if owner.group else None)
    live = compare_live(device)
    config = effective(device)
    return {
        **device.to_dict(), **lineage(device),
        "predecessor": device.predecessor.name if device.predecessor_id else None,
        "type": device.type.to_dict(),
        "ports": connections.ports_of(device),
        "placements": placements.placements_of(device),
        "aliases": [a.to_dict() for a in list_aliases(detname=device.name)],
        "connections": connections.connections_of(device),
        "behind_count": len(connections.behind(device)),
        "config": {"type_version": config["type_version"], "device_version": config["device_version"],
                   "versions": ConfigVersion.select().where(ConfigVersion.owner == owner.key).count(),
                   "problems": config["problems"]},
        "live": None if live is None else {"read": live["read"], "matches": live["matches"], "counts": live["counts"]},
        "calibrations": _calibrations(device.name),
        "can": {"edit": at_least(role, "expert"), "write_config": at_least(role, "member"),
                "activate": at_least(role, "operator")},
    }


def register(api):
    @api.route("/devices", "GET", perm="read", tag="devices", query=LIST_QUERY)
    def devices():
        """Every device, by name (or those of a subsystem, type or group, or with a hardware index)."""
        found = list_devices(query.text("subsystem"), query.text("type"), query.text("group"), query.text("hw_index"))
        return {"ok": True, "devices": [d.to_dict() for d in found]}

    @api.route("/devices", "POST", perm="topology.write", body=NEW_DEVICE, tag="devices")
    def new_device(principal, actor, body):
        """Add a device named <dettype>-<detid>; it gets its type's ports unless ports are given."""
        dettype, _ = split_detname(body["name"], "name")
        device_type = DeviceType.get_or_none(DeviceType.name == dettype)
        group = get_group(body["group"]) if body.get("group") else (device_type.group if device_type else None)
        require_role(principal, group, "expert", f"devices of the {dettype} type")
        fields = {k: body[k] for k in EDITABLE if k in body}
        device = add_device(actor, body["name"], ports=body.get("ports"), **fields)
        response.status = 201
        return {"ok": True, "device": device_page(device, principal)}

    @api.route("/devices/<name>", "GET", perm="read", tag="devices")
    def device(name, principal):
        """The device page: the device, its lineage, ports, placements, aliases, connections, configuration,
        calibrations, live values, and what you may do."""
        return {"ok": True, "device": device_page(get_device(name), principal)}

    @api.route("/devices/<name>", "PATCH", perm="topology.write", body=CHANGE_DEVICE, tag="devices")
    def change_device(name, principal, actor, body):
        """Change a device's description, subsystem, group, hardware index, firmware, predecessor or address."""
        found = get_device(name)
        device_writer(principal, found)
        if "group" in body and not principal.is_admin:
            require_role(principal, get_group(body["group"]) if body["group"] else None, "expert",
                         f"the group {body['group'] or '(none)'}")
        return {"ok": True, "device": device_page(update_device(actor, found, body), principal)}

    @api.route("/devices/<name>/ports", "POST", perm="topology.write", body=PORT, tag="devices")
    def new_port(name, principal, actor, body):
        """Add a port to a device."""
        found = get_device(name)
        device_writer(principal, found)
        connections.add_port(actor, found, body["name"], body["kind"])
        response.status = 201
        return {"ok": True, "ports": connections.ports_of(found)}

    @api.route("/devices/<name>/ports/<port>", "DELETE", perm="topology.write", tag="devices")
    def delete_port(name, port, principal, actor):
        """Remove a port that has no connection."""
        found = get_device(name)
        device_writer(principal, found)
        connections.remove_port(actor, found, port)
        return {"ok": True, "ports": connections.ports_of(found)}

    @api.route("/devices/<name>/placements", "POST", perm="topology.write", body=PLACEMENT, tag="devices")
    def new_placement(name, principal, actor, body):
        """Place a device in an instrument, hatch and experiment from a time on (move: end the open one)."""
        found = get_device(name)
        device_writer(principal, found)
        placements.add_placement(actor, found, **body)
        response.status = 201
        return {"ok": True, "placements": placements.placements_of(found)}

    @api.route("/devices/<name>/placements/<placement_id:int>", "PATCH", perm="topology.write", body=PLACEMENT_END,
               tag="devices")
    def end_placement(name, placement_id, principal, actor, body):
        """End a placement (or move its end)."""
        found = get_device(name)
        device_writer(principal, found)
        placements.end_placement(actor, placements.get_placement(found, placement_id), body["end"])
        return {"ok": True, "placements": placements.placements_of(found)}

    @api.route("/devices/<name>/placements/<placement_id:int>", "DELETE", perm="topology.write", tag="devices")
    def delete_placement(name, placement_id, principal, actor):
        """Remove a placement entered by mistake."""
        found = get_device(name)
        device_writer(principal, found)
        placements.delete_placement(actor, placements.get_placement(found, placement_id))
        return {"ok": True, "placements": placements.placements_of(found)}

    @api.route("/devices/<name>/behind", "GET", perm="read", tag="devices",
               query=(("kind", "follow only connections of these kinds (comma-separated)"),))
    def behind(name):
        """What hangs off a device (a controller): everything reached by following its connections, nearest
        first, with the device each was reached from."""
        kinds = [k for k in (query.text("kind") or "").split(",") if k]
        found = connections.behind(get_device(name), kinds)
        return {"ok": True, "device": name, "behind": found}

