"""Adding and listing devices; names are checked by dcs.names before anything is stored."""

from ..audit import record
from ..db import database
from ..errors import conflict
from ..names import split_detname
from ..timeutil import now_ns
from .models import Device, DeviceType


def add_device(actor, name, description="", subsystem="", type_description=""):
    dettype, detid = split_detname(name)
    with database.atomic():
        if Device.get_or_none(Device.name == name):
            raise conflict(f"A device named {name!r} exists already.")
        device_type, _ = DeviceType.get_or_create(name=dettype, defaults={"description": type_description})
        device = Device.create(name=name, type=device_type, detid=detid, description=description,
                               subsystem=subsystem, created_ns=now_ns())
        record(actor, "device.create", "device", name, f"added device {name}",
               after={"description": description, "subsystem": subsystem})
    return device


def list_devices():
    return list(Device.select(Device, DeviceType).join(DeviceType).order_by(Device.name))
