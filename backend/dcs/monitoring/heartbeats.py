"""Heartbeats: device controllers say they are alive, as healthchecks.io checks do.

A heartbeat names a device and may carry a sequence number, a signal (`beat`, `start` when the controller
starts, `fail` when it knows it is broken, or an exit code: 0 is a beat, anything else a failure), a short
status and a small payload of parameter values that become readings. The first heartbeat of a device
creates its watch with the default period and grace; experts change them. The engine turns silence into
states: up, late after the period, down after the period and the grace (which raises an alert); a device
can be paused for maintenance until a time.
"""

import math

from ..audit import record
from ..db import database, writing
from ..errors import bad_request, conflict, not_found
from ..timeutil import NS, iso, now_ns, to_ns
from ..topology.models import Device
from .models import SEVERITIES, Heartbeat, Parameter, Watch
from .readings import FUTURE_SLACK_NS, store_rows
from .reporters import devices_named, require_reporter

DEFAULT_PERIOD_S, DEFAULT_GRACE_S = 60, 30
MAX_PAYLOAD = 64


def _signal(item):
    code = item.get("exit_code")
    if code is not None:
        return "beat" if code == 0 else "fail"
    return item.get("signal") or "beat"


def _payload_values(item, index, parameters, device_id, received_ns):
    """Readings rows from a heartbeat's payload, and the names the device has no parameter for."""
    rows, ignored = [], []
    for name, value in (item.get("payload") or {}).items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise bad_request(f"Heartbeat {index + 1}: the payload value of {name!r} must be a finite number, "
                              f"not {value!r}.")
        parameter_id = parameters.get((device_id, name))
        if parameter_id is None:
            ignored.append(name)
        else:
            rows.append((parameter_id, received_ns, float(value)))
    return rows, ignored


def receive(actor, principal, items, source=""):
    """Store a batch of heartbeats (checked dicts) at once, or nothing: [{device, state, ignored}]."""
    if not items:
        raise bad_request("The batch holds no heartbeats.")
    devices = devices_named([item["device"] for item in items])
    require_reporter(principal, devices)
    now = now_ns()
    for index, item in enumerate(items):
        if len(item.get("payload") or {}) > MAX_PAYLOAD:
            raise bad_request(f"Heartbeat {index + 1}: a payload holds at most {MAX_PAYLOAD} values.")
        if item.get("sent_at") is not None and to_ns(item["sent_at"], "sending time") > now + FUTURE_SLACK_NS:
            raise bad_request(f"Heartbeat {index + 1} was sent at {item['sent_at']!r}, in the future; "
                              "check the controller's clock.")
    ids = [device_id for device_id, _ in devices.values()]
    parameters = {}
    if any(item.get("payload") for item in items):
        parameters = {(d, n): i for i, d, n in Parameter.select(Parameter.id, Parameter.device, Parameter.name)
                      .where(Parameter.device.in_(ids)).tuples()}
    rows, answers, readings = [], [], []
    for index, item in enumerate(items):
        device_id = devices[item["device"]][0]
        values, ignored = _payload_values(item, index, parameters, device_id, now)
        readings.extend(values)
        rows.append({"device": device_id, "received_ns": now, "seq": item.get("seq"), "signal": _signal(item),
                     "exit_code": item.get("exit_code"), "status": item.get("status", "")[:200], "source": source})
        answers.append({"device": item["device"], "ignored": ignored})
    with writing():
        Heartbeat.insert_many(rows).execute()
        states = _update_watches(rows, now)
        if readings:
            store_rows(readings)
    for answer, row in zip(answers, rows):
        answer["state"] = states[row["device"]]
    return answers


def _update_watches(rows, now):
    """Bring each device's watch up to its latest heartbeat (created on the first); {device_id: state}."""
    latest, counts = {}, {}
    for row in rows:
        latest[row["device"]] = row
        counts[row["device"]] = counts.get(row["device"], 0) + 1
    watches = {w.device_id: w for w in Watch.select().where(Watch.device.in_(list(latest)))}
    states = {}
    for device_id, row in latest.items():
        watch = watches.get(device_id) or Watch(device=device_id, period_s=DEFAULT_PERIOD_S,
                                                grace_s=DEFAULT_GRACE_S, changed_ns=now)
        state = "down" if row["signal"] == "fail" else "up"
        if watch.state == "paused" and watch.paused_until_ns and watch.paused_until_ns > now:
            state = "paused"
        if state != watch.state:
            watch.changed_ns = now
        watch.state, watch.last_ns, watch.last_seq = state, now, row["seq"]
        watch.last_signal, watch.last_status, watch.exit_code = row["signal"], row["status"], row["exit_code"]
        if row["signal"] == "start":
            watch.started_ns = now
        watch.beats += counts[device_id]
        watch.save()
        states[device_id] = state
    return states


def watch_of(device):
    watch = Watch.get_or_none(Watch.device == device)
    if watch is None:
        raise not_found(f"{device.name} has not sent a heartbeat yet and has no heartbeat settings.")
    return watch


def configure(actor, device, period_s=None, grace_s=None, severity=None, guidance=None):
    """Set how often a device must beat and how long it may be late; creates the watch (state new)."""
    if severity is not None and severity not in SEVERITIES:
        raise bad_request(f"The severity must be one of {', '.join(SEVERITIES)}.")
    now = now_ns()
    with database.atomic():
        watch = Watch.get_or_none(Watch.device == device) or Watch(
            device=device, period_s=DEFAULT_PERIOD_S, grace_s=DEFAULT_GRACE_S, changed_ns=now)
        before = {"period_s": watch.period_s, "grace_s": watch.grace_s, "severity": watch.severity,
                  "guidance": watch.guidance}
        if guidance is not None:
            watch.guidance = guidance
        if period_s is not None:
            watch.period_s = period_s
        if grace_s is not None:
            watch.grace_s = grace_s
        if severity is not None:
            watch.severity = severity
        watch.save()
        after = {"period_s": watch.period_s, "grace_s": watch.grace_s, "severity": watch.severity,
                 "guidance": watch.guidance}
        record(actor, "heartbeat.configure", "device", device.name,
               f"{device.name} must beat every {watch.period_s} s with {watch.grace_s} s grace", before=before,
               after=after)
    return watch


def pause(actor, device, until_ns, comment):
    """Maintenance: no heartbeat alerts for the device until until_ns (its open heartbeat alert stays)."""
    now = now_ns()
    if until_ns <= now:
        raise bad_request(f"A pause must end in the future, not at {iso(until_ns)}.")
    if until_ns > now + 30 * 86400 * NS:
        raise bad_request("A pause lasts at most 30 days; pause again when it ends.")
    with database.atomic():
        watch = Watch.get_or_none(Watch.device == device) or Watch(
            device=device, period_s=DEFAULT_PERIOD_S, grace_s=DEFAULT_GRACE_S, changed_ns=now)
        watch.state, watch.paused_until_ns, watch.pause_comment, watch.changed_ns = "paused", until_ns, comment, now
        watch.save()
        record(actor, "heartbeat.pause", "device", device.name, f"paused {device.name} until {iso(until_ns)}",
               after={"until": iso(until_ns), "comment": comment})
    return watch


def resume(actor, device):
    """End a pause now; the device has one period and its grace from now to beat again."""
    now = now_ns()
    with database.atomic():
        watch = watch_of(device)
        if watch.state != "paused":
            raise conflict(f"{device.name} is not paused (it is {watch.state}).")
        watch.state, watch.paused_until_ns, watch.changed_ns = "up", now, now
        watch.save()
        record(actor, "heartbeat.resume", "device", device.name, f"ended the pause of {device.name}")
    return watch


def watches():
    """Every watch with its device's name, subsystem and group: [(watch, name, subsystem, group_id)]."""
    query = (Watch.select(Watch, Device.id, Device.name, Device.subsystem, Device.group)
             .join(Device, on=(Watch.device == Device.id)).order_by(Device.name))
    return [(w, w.device.name, w.device.subsystem, w.device.group_id) for w in query]


def recent(device, limit=50):
    return [h.to_dict() for h in Heartbeat.select().where(Heartbeat.device == device)
            .order_by(Heartbeat.received_ns.desc(), Heartbeat.id.desc()).limit(limit)]


def next_state(watch, now):
    """What silence has made of a watch by now: (state, seconds since the last beat or the end of a pause)."""
    if watch.state == "paused" and (watch.paused_until_ns or 0) > now:
        return "paused", None
    base = max(watch.last_ns or 0, watch.paused_until_ns or 0)
    if not base:
        return "new", None  # never heard of, never paused: nothing to miss yet
    silent = (now - base) / NS
    if watch.last_signal == "fail" and watch.last_ns >= (watch.paused_until_ns or 0):
        return "down", silent
    if silent > watch.period_s + watch.grace_s:
        return "down", silent
    if silent > watch.period_s:
        return "late", silent
    return "up", silent
