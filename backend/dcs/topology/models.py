"""Device types (the `dettype` of a detector name) and devices named `<dettype>-<detid>`."""

import peewee

from ..db import Model
from ..timeutil import iso


class DeviceType(Model):
    name = peewee.CharField(max_length=32, unique=True)
    description = peewee.TextField(default="")

    class Meta:
        table_name = "device_types"


class Device(Model):
    name = peewee.CharField(max_length=200, unique=True)
    type = peewee.ForeignKeyField(DeviceType, backref="devices", column_name="type_id")
    detid = peewee.CharField(max_length=160)
    description = peewee.TextField(default="")
    subsystem = peewee.CharField(max_length=64, default="")
    created_ns = peewee.BigIntegerField()

    class Meta:
        table_name = "devices"

    def to_dict(self):
        return {
            "name": self.name,
            "dettype": self.type.name,
            "detid": self.detid,
            "description": self.description,
            "subsystem": self.subsystem,
            "created": iso(self.created_ns),
        }
