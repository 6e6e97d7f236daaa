"""Device types and devices named `<dettype>-<detid>`, their ports, the connections between ports and
where each device was placed when."""

import json

import peewee

from ..auth.models import Group
from ..db import Model
from ..timeutil import iso

CONNECTION_KINDS = ("HV", "LV", "readout", "network", "trigger")


class DeviceType(Model):
    label = "device type"

    name = peewee.CharField(max_length=32, unique=True)
    description = peewee.TextField(default="")
    group = peewee.ForeignKeyField(Group, null=True, column_name="group_id")
    config_schema = peewee.TextField(default='{"type": "object"}')
    schema_version = peewee.IntegerField(default=1)
    ports = peewee.TextField(default="[]")  # the ports every new device of the type gets: [{name, kind}]

    class Meta:
        table_name = "device_types"

    @property
    def schema(self):
        return json.loads(self.config_schema)

    @property
    def port_template(self):
        return json.loads(self.ports)

    def to_dict(self):
        return {"name": self.name, "description": self.description,
                "group": self.group.name if self.group_id else None, "schema_version": self.schema_version,
                "ports": self.port_template}


class Device(Model):
    label = "device"

    name = peewee.CharField(max_length=200, unique=True)
    type = peewee.ForeignKeyField(DeviceType, backref="devices", column_name="type_id")
    detid = peewee.CharField(max_length=160)
    description = peewee.TextField(default="")
    subsystem = peewee.CharField(max_length=64, default="")
    created_ns = peewee.BigIntegerField()
    group = peewee.ForeignKeyField(Group, null=True, column_name="group_id")
    hw_index = peewee.CharField(max_length=200, null=True, unique=True)
    firmware = peewee.CharField(max_length=64, default="")
    predecessor = peewee.ForeignKeyField("self", null=True, backref="successors", column_name="predecessor_id")
    host = peewee.CharField(max_length=253, default="")
    ip = peewee.CharField(max_length=45, default="")
    port = peewee.IntegerField(null=True)
    crate = peewee.IntegerField(null=True)
    slot = peewee.IntegerField(null=True)
    channel = peewee.IntegerField(null=True)
    updated_ns = peewee.BigIntegerField(null=True)

    class Meta:
        table_name = "devices"

    def address(self):
        return {key: getattr(self, key) for key in ("host", "ip", "port", "crate", "slot", "channel")
                if getattr(self, key) not in (None, "")}

    def to_dict(self):
        return {
            "name": self.name,
            "dettype": self.type.name,
            "detid": self.detid,
            "description": self.description,
            "subsystem": self.subsystem,
            "group": self.group.name if self.group_id else None,
            "hw_index": self.hw_index,
            "firmware": self.firmware,
            "address": self.address(),
            "created": iso(self.created_ns),
            "updated": iso(self.updated_ns),
        }


class Port(Model):
    device = peewee.ForeignKeyField(Device, backref="ports", on_delete="CASCADE")
    name = peewee.CharField(max_length=64)
    kind = peewee.CharField(max_length=16, default="")  # "" takes any kind of connection

    class Meta:
        table_name = "device_ports"

    def label(self):
        return f"{self.device.name}:{self.name}"


class Connection(Model):
    from_port = peewee.ForeignKeyField(Port, column_name="from_port_id", unique=True)
    to_port = peewee.ForeignKeyField(Port, column_name="to_port_id", unique=True)
    kind = peewee.CharField(max_length=16)
    note = peewee.CharField(max_length=200, default="")
    created_by = peewee.CharField(max_length=200)
    created_ns = peewee.BigIntegerField()

    class Meta:
        table_name = "connections"

    def to_dict(self):
        return {"id": self.id, "from": self.from_port.label(), "to": self.to_port.label(), "kind": self.kind,
                "note": self.note, "created_by": self.created_by, "created": iso(self.created_ns)}


class Placement(Model):
    device = peewee.ForeignKeyField(Device, backref="placements", on_delete="CASCADE")
    instrument = peewee.CharField(max_length=64, default="")
    hatch = peewee.CharField(max_length=64, default="")
    experiment = peewee.CharField(max_length=64, default="")
    begin_ns = peewee.BigIntegerField()
    end_ns = peewee.BigIntegerField(null=True)
    note = peewee.CharField(max_length=200, default="")

    class Meta:
        table_name = "placements"

    def to_dict(self):
        return {"id": self.id, "device": self.device.name, "instrument": self.instrument, "hatch": self.hatch,
                "experiment": self.experiment, "begin": iso(self.begin_ns), "end": iso(self.end_ns),
                "note": self.note}
