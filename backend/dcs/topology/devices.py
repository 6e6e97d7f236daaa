"""Devices and device types: adding, changing and finding them.

Every value is checked before anything is stored, and a refusal names the field: the detector name
(dcs.names), the hardware index (up to 16 numbers, e.g. six hardware numbers and a seventh for the
firmware), the address (host or IP and port, crate/slot/channel), ports and predecessor links (no
cycles, one successor each).
"""

import ipaddress
import json
import re

import peewee

from ..audit import changes, record
from ..auth.models import Group
from ..auth.users import at_least, get_group, group_role
from ..db import database
from ..errors import bad_request, conflict, forbidden, not_found
from ..names import DETTYPE, split_detname
from ..timeutil import now_ns
from ..ttlcache import forget_all
from .models import CONNECTION_KINDS, Device, DeviceType, Port

LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
LABEL_63 = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
HOST = re.compile(rf"(?=.{{1,253}}$){LABEL_63}(\.{LABEL_63})*")  # RFC 1123 host names
ADDRESS_NUMBERS = {"port": (1, 65535), "crate": (0, 65535), "slot": (0, 65535), "channel": (0, 65535)}
MAX_PORTS = 512
MAX_HW_NUMBERS = 16
EDITABLE = ("description", "subsystem", "group", "hw_index", "firmware", "predecessor", "address")


def invalid(field, message):
    return bad_request(message, errors=[{"field": field, "error": message}])


def check_label(value, field, what):
    """Subsystems, port names, instruments, hatches: a letter or digit, then letters, digits, '.', '_', '-'."""
    if not isinstance(value, str) or not LABEL.fullmatch(value):
        raise invalid(field, f"The {what} {value!r} is not valid: 1 to 64 letters, digits, '.', '_' or '-', "
                             "starting with a letter or digit.")
    return value


def parse_hw_index(value):
    """[1, 2, 3] or "1.2.3" -> "1.2.3" (None for none): up to 16 whole numbers from 0 to 2**32-1."""
    if value in (None, "", []):
        return None
    numbers = value.split(".") if isinstance(value, str) else value
    if not isinstance(numbers, list) or not 1 <= len(numbers) <= MAX_HW_NUMBERS:
        raise invalid("hw_index", f"The hardware index must be 1 to {MAX_HW_NUMBERS} numbers, like 3.1.4.1.5.9.2.")
    clean = []
    for number in numbers:
        if isinstance(number, str) and number.isdigit() and number.isascii():
            number = int(number)
        if not isinstance(number, int) or isinstance(number, bool) or not 0 <= number < 2**32:
            raise invalid("hw_index", f"The hardware index holds {number!r}; each part must be a whole number "
                                      "from 0 to 4294967295.")
        clean.append(str(number))
    return ".".join(clean)


def check_address(address):
    """{host, ip, port, crate, slot, channel}, each optional; empty values are dropped."""
    if address is None:
        return {}
    if not isinstance(address, dict):
        raise invalid("address", "The address must be an object with host, ip, port, crate, slot and channel.")
    clean = {}
    for key, value in address.items():
        if value in (None, ""):
            continue
        field = f"address.{key}"
        if key == "host":
            if not isinstance(value, str) or not HOST.fullmatch(value):
                raise invalid(field, f"The host {value!r} is not a valid host name.")
        elif key == "ip":
            try:
                value = str(ipaddress.ip_address(value))
            except ValueError:
                raise invalid(field, f"The IP address {value!r} is not valid.") from None
        elif key in ADDRESS_NUMBERS:
            low, high = ADDRESS_NUMBERS[key]
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                raise invalid(field, f"The {key} must be a whole number from {low} to {high}.")
        else:
            raise invalid(field, f"{key!r} is not part of an address (host, ip, port, crate, slot, channel).")
        clean[key] = value
    return clean


def check_ports(ports, field="ports"):
    """[{name, kind}] with unique names; kind is a connection kind or "" (any)."""
    if not isinstance(ports, list) or len(ports) > MAX_PORTS:
        raise invalid(field, f"The ports must be a list of at most {MAX_PORTS} {{name, kind}} objects.")
    clean, seen = [], set()
    for port in ports:
        if not isinstance(port, dict) or set(port) - {"name", "kind"}:
            raise invalid(field, "Each port is an object with a name and a kind.")
        name = check_label(port.get("name"), field, "port name")
        kind = port.get("kind", "") or ""
        if kind not in CONNECTION_KINDS + ("",):
            raise invalid(field, f"The port {name} has the kind {kind!r}; use one of {', '.join(CONNECTION_KINDS)}.")
        if name in seen:
            raise invalid(field, f"The port name {name} is given twice.")
        seen.add(name)
        clean.append({"name": name, "kind": kind})
    return clean


def get_device(name):
    device = Device.get_or_none(Device.name == name) if isinstance(name, str) else None
    if device is None:
        split_detname(name)
        raise not_found(f"There is no device named {name!r}.")
    return device


get_type = DeviceType.named


def _group(name):
    return None if name in (None, "") else get_group(name)


def _check_predecessor(device, name):
    """The device named as device's predecessor, refusing itself, a cycle and a second successor."""
    if name in (None, ""):
        return None
    before = get_device(name)
    if device is not None:
        if before.id == device.id:
            raise invalid("predecessor", f"{device.name} cannot be its own predecessor.")
        step, seen = before, set()
        while step.predecessor_id is not None and step.id not in seen:
            seen.add(step.id)
            if step.predecessor_id == device.id:
                raise invalid("predecessor", f"{before.name} descends from {device.name} already; making it "
                                             f"{device.name}'s predecessor would close a cycle.")
            step = Device.get_by_id(step.predecessor_id)
    taken = Device.get_or_none((Device.predecessor == before.id) & (Device.id != (device.id if device else 0)))
    if taken is not None:
        raise conflict(f"{before.name} already has a successor, {taken.name}.",
                       errors=[{"field": "predecessor", "error": "Has a successor already."}])
    return before


def _check_unique(device, hw_index, address):
    others = Device.select().where(Device.id != (device.id if device else 0))
    if hw_index is not None:
        taken = others.where(Device.hw_index == hw_index).first()
        if taken is not None:
            raise conflict(f"The hardware index {hw_index} belongs to {taken.name} already.",
                           errors=[{"field": "hw_index", "error": "Taken."}])
    if address:
        query = others
        for key in ("host", "ip", "port", "crate", "slot", "channel"):
            column = getattr(Device, key)
            value = address.get(key)
            query = query.where(column == value if value is not None
                                else (column.is_null() if key in ADDRESS_NUMBERS else column == ""))
        taken = query.first()
        if taken is not None:
            raise conflict(f"{taken.name} has the same address already.",
                           errors=[{"field": "address", "error": "Taken."}])


def _values(device, fields):
    """The checked column values of the editable fields given."""
    values = {}
    if "description" in fields:
        values["description"] = str(fields["description"] or "")
    if "subsystem" in fields:
        values["subsystem"] = check_label(fields["subsystem"], "subsystem", "subsystem") if fields["subsystem"] else ""
    if "group" in fields:
        values["group"] = _group(fields["group"])
    if "hw_index" in fields:
        values["hw_index"] = parse_hw_index(fields["hw_index"])
    if "firmware" in fields:
        firmware = fields["firmware"] or ""
        if not isinstance(firmware, str) or len(firmware) > 64 or any(c in firmware for c in "\x00\n\r"):
            raise invalid("firmware", "The firmware version is one line of at most 64 characters.")
        values["firmware"] = firmware
    if "predecessor" in fields:
        values["predecessor"] = _check_predecessor(device, fields["predecessor"])
    if "address" in fields:
        address = check_address(fields["address"])
        values.update({key: address.get(key, None if key in ADDRESS_NUMBERS else "")
                       for key in ("host", "ip", "port", "crate", "slot", "channel")})
    unique_address = ({k: values[k] for k in ("host", "ip", "port", "crate", "slot", "channel") if values[k] not in
                       (None, "")} if "address" in fields else None)
    _check_unique(device, values.get("hw_index"), unique_address)
    return values


def add_device(actor, name, description="", subsystem="", type_description="", ports=None, **fields):
    """A new device; its type is created on first use. ports: [{name, kind}], by default the type's."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise bad_request(f"Unknown device fields: {', '.join(sorted(unknown))}.")
    dettype, detid = split_detname(name, "name")
    with database.atomic():
        if Device.get_or_none(Device.name == name):
            raise conflict(f"A device named {name!r} exists already.", errors=[{"field": "name", "error": "Taken."}])
        values = _values(None, {"description": description, "subsystem": subsystem, **fields})
        device_type, _ = DeviceType.get_or_create(name=dettype, defaults={"description": type_description})
        ports = device_type.port_template if ports is None else check_ports(ports)
        device = Device.create(name=name, type=device_type, detid=detid, created_ns=now_ns(), **values)
        if ports:
            Port.insert_many([{"device": device.id, **port} for port in ports]).execute()
        record(actor, "device.create", "device", name, f"added device {name}", after=device.to_dict())
    return device


def update_device(actor, device, fields):
    """Change the editable fields given (the others stay)."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise bad_request(f"Unknown device fields: {', '.join(sorted(unknown))}.")
    with database.atomic():
        device = Device.get_by_id(device.id)
        before = {**device.to_dict(), "predecessor": _name(device.predecessor_id)}
        for key, value in _values(device, fields).items():
            setattr(device, key, value)
        device.updated_ns = now_ns()
        device.save()
        after = {**device.to_dict(), "predecessor": _name(device.predecessor_id)}
        old, new = changes(before, after)
        new.pop("updated", None)
        old.pop("updated", None)
        if new:
            record(actor, "device.update", "device", device.name, f"changed {', '.join(sorted(new))} of {device.name}",
                   before=old, after=new)
    forget_all()  # a device's group decides who may report for it
    return device


def _name(device_id):
    return Device.get_by_id(device_id).name if device_id else None


def list_devices(subsystem=None, dettype=None, group=None, hw_index=None):
    """Devices by name, with their type and group in the same query (a list of 5,000 is one query)."""
    query = (Device.select(Device, DeviceType, Group).join(DeviceType).switch(Device)
             .join(Group, peewee.JOIN.LEFT_OUTER).order_by(Device.name))
    if subsystem:
        query = query.where(Device.subsystem == subsystem)
    if dettype:
        query = query.where(DeviceType.name == dettype)
    if group:
        query = query.where(Device.group == get_group(group))
    if hw_index:
        query = query.where(Device.hw_index == parse_hw_index(hw_index))
    return list(query)


def lineage(device):
    """Predecessors (oldest first) and successors (nearest first) of a device."""
    before, step, seen = [], device, {device.id}
    while step.predecessor_id is not None and step.predecessor_id not in seen:
        step = Device.get_by_id(step.predecessor_id)
        seen.add(step.id)
        before.insert(0, step.name)
    after, step = [], device
    while True:
        step = Device.get_or_none(Device.predecessor == step.id)
        if step is None or step.id in seen:
            break
        seen.add(step.id)
        after.append(step.name)
    return {"predecessors": before, "successors": after}


def add_type(actor, name, description="", group=None, ports=None):
    if not isinstance(name, str) or not DETTYPE.fullmatch(name) or len(name) > 32:
        raise invalid("name", f"The device type {name!r} must be a lower-case letter followed by lower-case "
                              "letters or digits (at most 32).")
    with database.atomic():
        if DeviceType.get_or_none(DeviceType.name == name):
            raise conflict(f"A device type named {name!r} exists already.",
                           errors=[{"field": "name", "error": "Taken."}])
        device_type = DeviceType.create(name=name, description=description, group=_group(group),
                                        ports=json.dumps(check_ports(ports or [])))
        record(actor, "device_type.create", "device_type", name, f"added device type {name}",
               after=device_type.to_dict())
    return device_type


def update_type(actor, device_type, fields):
    """Change a type's description, owning group or port template (given keys only)."""
    unknown = set(fields) - {"description", "group", "ports"}
    if unknown:
        raise bad_request(f"Unknown device type fields: {', '.join(sorted(unknown))}.")
    with database.atomic():
        before = device_type.to_dict()
        if "description" in fields:
            device_type.description = str(fields["description"] or "")
        if "group" in fields:
            device_type.group = _group(fields["group"])
        if "ports" in fields:
            device_type.ports = json.dumps(check_ports(fields["ports"]))
        device_type.save()
        old, new = changes(before, device_type.to_dict())
        if new:
            record(actor, "device_type.update", "device_type", device_type.name,
                   f"changed {', '.join(sorted(new))} of device type {device_type.name}", before=old, after=new)
    return device_type


def require_device_role(principal, device, role, what):
    """A 403 unless the principal has the role in the device's group (its type's group when it has none): the one
    rule for running commands on a device and for acting on its alerts. what: "Acknowledging alert 3 (x)"."""
    group = device.group if device.group_id else device.type.group
    if not at_least(group_role(principal, group.id if group else None), role):
        raise forbidden(f"{what} is for {role}s of {group.name if group else 'its group (it has none)'} and those "
                        "above them.")
