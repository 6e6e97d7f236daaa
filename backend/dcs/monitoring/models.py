"""Monitoring rows: heartbeat watches and heartbeats, parameters and readings, alerts and their history,
subscriptions and notifications, reactions and the engine's lease."""

import json

import peewee

from ..auth.models import Group, User
from ..db import Model
from ..timeutil import iso
from ..topology.models import Device

SEVERITIES = ("warning", "alarm", "critical")
SEVERITY_RANK = {s: rank for rank, s in enumerate(SEVERITIES)}
WATCH_STATES = ("new", "up", "late", "down", "paused")
SIGNALS = ("beat", "start", "fail")
# ISA 18.2 / IEC 62682: active and unacknowledged, acknowledged, returned to normal but unacknowledged, cleared.
ALERT_STATES = ("active", "acknowledged", "returned", "cleared")
OPEN_STATES = ("active", "acknowledged", "returned")
ALERT_KINDS = ("heartbeat", "limit")


class Watch(Model):
    """What the portal expects of a device's heartbeats, and what it last heard."""

    device = peewee.ForeignKeyField(Device, unique=True, on_delete="CASCADE", column_name="device_id")
    period_s = peewee.IntegerField(default=60)
    grace_s = peewee.IntegerField(default=30)
    severity = peewee.CharField(max_length=8, default="alarm")
    state = peewee.CharField(max_length=8, default="new")
    last_ns = peewee.BigIntegerField(null=True)
    last_seq = peewee.BigIntegerField(null=True)
    last_signal = peewee.CharField(max_length=8, default="")
    last_status = peewee.CharField(max_length=200, default="")
    exit_code = peewee.IntegerField(null=True)
    started_ns = peewee.BigIntegerField(null=True)
    beats = peewee.BigIntegerField(default=0)
    paused_until_ns = peewee.BigIntegerField(null=True)
    pause_comment = peewee.CharField(max_length=500, default="")
    guidance = peewee.TextField(default="")  # what to do when the device stops beating
    changed_ns = peewee.BigIntegerField()

    class Meta:
        table_name = "heartbeat_watches"

    def to_dict(self, name=None):
        return {"device": name or self.device.name, "state": self.state, "period_s": self.period_s,
                "grace_s": self.grace_s, "severity": self.severity, "last": iso(self.last_ns),
                "last_seq": self.last_seq, "last_signal": self.last_signal or None, "last_status": self.last_status,
                "exit_code": self.exit_code, "started": iso(self.started_ns), "beats": self.beats,
                "paused_until": iso(self.paused_until_ns) if self.state == "paused" else None,
                "pause_comment": self.pause_comment, "guidance": self.guidance, "changed": iso(self.changed_ns)}


class Heartbeat(Model):
    device = peewee.ForeignKeyField(Device, on_delete="CASCADE", column_name="device_id")
    received_ns = peewee.BigIntegerField()
    seq = peewee.BigIntegerField(null=True)
    signal = peewee.CharField(max_length=8)
    exit_code = peewee.IntegerField(null=True)
    status = peewee.CharField(max_length=200, default="")
    source = peewee.CharField(max_length=200, default="")

    class Meta:
        table_name = "heartbeats"

    def to_dict(self):
        return {"received": iso(self.received_ns), "seq": self.seq, "signal": self.signal,
                "exit_code": self.exit_code, "status": self.status, "source": self.source}


class Parameter(Model):
    """An operating condition of a device with its limits: warn and alarm, low and high, a deadband for
    returning, a delay the value must stay bad for, and N bad samples of the last M."""

    label = "parameter"
    LIMITS = ("alarm_low", "warn_low", "warn_high", "alarm_high")

    device = peewee.ForeignKeyField(Device, on_delete="CASCADE", column_name="device_id")
    name = peewee.CharField(max_length=64)
    unit = peewee.CharField(max_length=32, default="")
    nominal = peewee.DoubleField(null=True)
    alarm_low = peewee.DoubleField(null=True)
    warn_low = peewee.DoubleField(null=True)
    warn_high = peewee.DoubleField(null=True)
    alarm_high = peewee.DoubleField(null=True)
    deadband = peewee.DoubleField(default=0)
    delay_s = peewee.DoubleField(default=0)
    n_bad = peewee.IntegerField(default=1)
    m_window = peewee.IntegerField(default=1)
    alarm_severity = peewee.CharField(max_length=8, default="alarm")
    latching = peewee.IntegerField(default=1)
    guidance = peewee.TextField(default="")
    last_ns = peewee.BigIntegerField(null=True)
    last_value = peewee.DoubleField(null=True)
    updated_ns = peewee.BigIntegerField()

    class Meta:
        table_name = "parameters"
        indexes = ((("device", "name"), True),)

    def limits(self):
        return {key: getattr(self, key) for key in self.LIMITS}

    def to_dict(self, device_name=None):
        return {"id": self.id, "device": device_name or self.device.name, "name": self.name, "unit": self.unit,
                "nominal": self.nominal, **self.limits(), "deadband": self.deadband, "delay_s": self.delay_s,
                "n_bad": self.n_bad, "m_window": self.m_window, "alarm_severity": self.alarm_severity,
                "latching": bool(self.latching), "guidance": self.guidance, "last": iso(self.last_ns),
                "last_value": self.last_value, "updated": iso(self.updated_ns)}


class Reading(Model):
    parameter_id = peewee.BigIntegerField()
    t_ns = peewee.BigIntegerField()
    value = peewee.DoubleField()

    class Meta:
        table_name = "readings"


class Rollup(Model):
    parameter_id = peewee.BigIntegerField()
    resolution_s = peewee.IntegerField()
    bucket_ns = peewee.BigIntegerField()
    vmin = peewee.DoubleField()
    vmax = peewee.DoubleField()
    vsum = peewee.DoubleField()
    n = peewee.BigIntegerField()

    class Meta:
        table_name = "reading_rollups"
        primary_key = peewee.CompositeKey("parameter_id", "resolution_s", "bucket_ns")


class Alert(Model):
    """One occurrence of a bad condition, from raised to cleared; `open_key` is set while it is not cleared,
    so a device's parameter (or heartbeat) has at most one open alert."""

    device = peewee.ForeignKeyField(Device, on_delete="CASCADE", column_name="device_id")
    parameter = peewee.ForeignKeyField(Parameter, null=True, on_delete="SET NULL", column_name="parameter_id")
    kind = peewee.CharField(max_length=16)
    open_key = peewee.CharField(max_length=250, null=True, unique=True)
    severity = peewee.CharField(max_length=8)
    state = peewee.CharField(max_length=24)
    bad = peewee.IntegerField(default=1)  # is the condition bad right now
    latching = peewee.IntegerField(default=1)
    message = peewee.TextField()
    guidance = peewee.TextField(default="")  # what to do, from the parameter or the heartbeat watch when raised
    value = peewee.DoubleField(null=True)
    raised_ns = peewee.BigIntegerField()
    changed_ns = peewee.BigIntegerField()
    cleared_ns = peewee.BigIntegerField(null=True)
    acked_by = peewee.CharField(max_length=200, default="")
    acked_ns = peewee.BigIntegerField(null=True)
    ack_comment = peewee.TextField(default="")
    shelved_until_ns = peewee.BigIntegerField(null=True)
    shelved_by = peewee.CharField(max_length=200, default="")
    shelve_comment = peewee.TextField(default="")
    suppressed_by = peewee.CharField(max_length=200, default="")
    notified_ns = peewee.BigIntegerField(null=True)
    reminders = peewee.IntegerField(default=0)

    class Meta:
        table_name = "alerts"

    @staticmethod
    def key_for(device_id, kind, parameter_id=None):
        return f"{device_id}:{kind}:{parameter_id or ''}"

    @property
    def shelved(self):
        return self.shelved_until_ns is not None

    def to_dict(self, device=None, parameter=None):
        device = device or self.device
        parameter = parameter if parameter is not None else (self.parameter if self.parameter_id else None)
        return {"id": self.id, "device": device.name, "subsystem": device.subsystem,
                "group": device.group.name if device.group_id else None, "kind": self.kind,
                "parameter": parameter.name if parameter else None, "unit": parameter.unit if parameter else "",
                "severity": self.severity, "state": self.state, "bad": bool(self.bad), "latching": bool(self.latching),
                "message": self.message, "value": self.value, "raised": iso(self.raised_ns),
                "changed": iso(self.changed_ns), "cleared": iso(self.cleared_ns), "acked_by": self.acked_by or None,
                "acked": iso(self.acked_ns), "ack_comment": self.ack_comment, "shelved": self.shelved,
                "shelved_until": iso(self.shelved_until_ns), "shelved_by": self.shelved_by or None,
                "shelve_comment": self.shelve_comment, "suppressed_by": self.suppressed_by or None,
                "guidance": self.guidance}


class AlertEvent(Model):
    alert = peewee.ForeignKeyField(Alert, backref="events", on_delete="CASCADE", column_name="alert_id")
    at_ns = peewee.BigIntegerField()
    event = peewee.CharField(max_length=16)
    actor = peewee.CharField(max_length=200, default="")
    comment = peewee.TextField(default="")
    state = peewee.CharField(max_length=24)
    severity = peewee.CharField(max_length=8)
    value = peewee.DoubleField(null=True)

    class Meta:
        table_name = "alert_events"

    def to_dict(self):
        return {"id": self.id, "alert": self.alert_id, "at": iso(self.at_ns), "event": self.event,
                "actor": self.actor or None, "comment": self.comment, "state": self.state,
                "severity": self.severity, "value": self.value}


class Subscription(Model):
    label = "subscription"
    CHANNELS = ("email", "webhook")

    user = peewee.ForeignKeyField(User, on_delete="CASCADE", column_name="user_id")
    channel = peewee.CharField(max_length=8)
    target = peewee.CharField(max_length=500)
    min_severity = peewee.CharField(max_length=8, default="alarm")
    subsystem = peewee.CharField(max_length=64, default="")
    remind_s = peewee.IntegerField(default=0)
    on_recovery = peewee.IntegerField(default=1)
    created_ns = peewee.BigIntegerField()

    class Meta:
        table_name = "subscriptions"

    def to_dict(self):
        return {"id": self.id, "user": self.user.username, "channel": self.channel, "target": self.target,
                "min_severity": self.min_severity, "subsystem": self.subsystem or None, "remind_s": self.remind_s,
                "on_recovery": bool(self.on_recovery), "created": iso(self.created_ns)}


class Notification(Model):
    REASONS = ("raised", "reminder", "recovered")

    subscription = peewee.ForeignKeyField(Subscription, on_delete="CASCADE", column_name="subscription_id")
    alert = peewee.ForeignKeyField(Alert, on_delete="CASCADE", column_name="alert_id")
    reason = peewee.CharField(max_length=10)
    state = peewee.CharField(max_length=8, default="pending")
    attempts = peewee.IntegerField(default=0)
    last_error = peewee.CharField(max_length=500, default="")
    created_ns = peewee.BigIntegerField()
    due_ns = peewee.BigIntegerField()
    sent_ns = peewee.BigIntegerField(null=True)

    class Meta:
        table_name = "notifications"

    def to_dict(self):
        return {"id": self.id, "subscription": self.subscription_id, "alert": self.alert_id, "reason": self.reason,
                "state": self.state, "attempts": self.attempts, "last_error": self.last_error or None,
                "created": iso(self.created_ns), "sent": iso(self.sent_ns)}


class Reaction(Model):
    """A rule: when an alert matching it is raised, run an action automatically after a delay, or offer it to
    operators as a button that asks for confirmation."""

    label = "reaction"
    MODES = ("auto", "offer")

    name = peewee.CharField(max_length=100, unique=True)
    group = peewee.ForeignKeyField(Group, column_name="group_id")
    device = peewee.ForeignKeyField(Device, null=True, on_delete="CASCADE", column_name="device_id")
    subsystem = peewee.CharField(max_length=64, default="")
    parameter = peewee.CharField(max_length=64, default="")
    kind = peewee.CharField(max_length=16, default="")
    min_severity = peewee.CharField(max_length=8, default="alarm")
    action = peewee.CharField(max_length=100)
    arguments = peewee.TextField(default="{}")
    mode = peewee.CharField(max_length=8)
    delay_s = peewee.IntegerField(default=0)
    confirm = peewee.TextField(default="")
    enabled = peewee.IntegerField(default=1)
    created_by = peewee.CharField(max_length=200)
    created_ns = peewee.BigIntegerField()

    class Meta:
        table_name = "reactions"

    @property
    def args(self):
        return json.loads(self.arguments)

    def to_dict(self):
        return {"id": self.id, "name": self.name, "group": self.group.name,
                "device": self.device.name if self.device_id else None, "subsystem": self.subsystem or None,
                "parameter": self.parameter or None, "kind": self.kind or None, "min_severity": self.min_severity,
                "action": self.action, "arguments": self.args, "mode": self.mode, "delay_s": self.delay_s,
                "confirm": self.confirm, "enabled": bool(self.enabled), "created_by": self.created_by,
                "created": iso(self.created_ns)}


class ReactionRun(Model):
    reaction = peewee.ForeignKeyField(Reaction, on_delete="CASCADE", column_name="reaction_id")
    alert = peewee.ForeignKeyField(Alert, on_delete="CASCADE", column_name="alert_id")
    how = peewee.CharField(max_length=8)  # auto or button
    actor = peewee.CharField(max_length=200)
    state = peewee.CharField(max_length=8)  # done or failed
    result = peewee.TextField(default="")
    at_ns = peewee.BigIntegerField()

    class Meta:
        table_name = "reaction_runs"

    def to_dict(self):
        return {"id": self.id, "reaction": self.reaction.name, "alert": self.alert_id, "how": self.how,
                "actor": self.actor, "state": self.state, "result": self.result, "at": iso(self.at_ns)}


class EngineLease(Model):
    """One row: which process runs the alert engine, until when, and when it last beat."""

    holder = peewee.CharField(max_length=200, default="")
    acquired_ns = peewee.BigIntegerField(default=0)
    expires_ns = peewee.BigIntegerField(default=0)
    beat_ns = peewee.BigIntegerField(default=0)
    ticks = peewee.BigIntegerField(default=0)
    last_error = peewee.CharField(max_length=500, default="")

    class Meta:
        table_name = "engine_lease"
