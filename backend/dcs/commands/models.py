"""Command runs and device locks."""

import json

import peewee

from ..db import Model
from ..timeutil import NS, iso
from ..topology.models import Device

RUN_STATES = ("running", "done", "failed", "timeout", "cancelled")
FINISHED = RUN_STATES[1:]


class CommandRun(Model):
    batch = peewee.CharField(max_length=32)  # the runs started together, one per device
    module = peewee.CharField(max_length=40)
    command = peewee.CharField(max_length=40)
    device = peewee.ForeignKeyField(Device, on_delete="CASCADE", column_name="device_id")
    arguments = peewee.TextField(default="{}")
    actor = peewee.CharField(max_length=200)
    state = peewee.CharField(max_length=10)
    exit_code = peewee.IntegerField(null=True)
    output = peewee.TextField(default="")
    errors = peewee.TextField(default="")
    message = peewee.TextField(default="")
    result = peewee.TextField(default="{}")
    started_ns = peewee.BigIntegerField()
    finished_ns = peewee.BigIntegerField(null=True)
    cancel_requested = peewee.IntegerField(default=0)
    worker = peewee.CharField(max_length=200, default="")

    class Meta:
        table_name = "command_runs"

    def to_dict(self, device_name=None):
        duration = (self.finished_ns - self.started_ns) / NS if self.finished_ns else None
        return {"id": self.id, "batch": self.batch, "command": f"{self.module}.{self.command}",
                "device": device_name or self.device.name, "arguments": json.loads(self.arguments),
                "actor": self.actor, "state": self.state, "exit_code": self.exit_code, "output": self.output,
                "errors": self.errors, "message": self.message, "result": json.loads(self.result),
                "started": iso(self.started_ns), "finished": iso(self.finished_ns),
                "duration_s": round(duration, 3) if duration is not None else None,
                "cancel_requested": bool(self.cancel_requested)}


class DeviceLock(Model):
    device = peewee.ForeignKeyField(Device, primary_key=True, on_delete="CASCADE", column_name="device_id")
    run_id = peewee.BigIntegerField()
    since_ns = peewee.BigIntegerField()
    until_ns = peewee.BigIntegerField()  # the run's timeout and a margin: a lock left by a dead process lapses

    class Meta:
        table_name = "device_locks"
