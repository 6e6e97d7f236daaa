"""Heartbeats: device controllers say they are alive, as healthchecks.io checks do.

A heartbeat names a device and may carry a sequence number, a signal (`beat`, `start` when the controller
starts, `fail` when it knows it is broken, or an exit code: 0 is a beat, anything else a failure), a short
status and a small payload of parameter values that become readings. The first heartbeat of a device
creates its watch with the default period and grace; experts change them. The engine turns silence into
states: up, late after the period, down after the period and the grace (which raises an alert); a device
can be paused for maintenance until a time.
"""

from ..audit import record
from ..db import database, plain, writing
from ..errors import bad_request, conflict, not_found
from ..groupcommit import GroupCommit
from ..timeutil import NS, iso, now_ns, to_ns
from ..topology.models import Device
from ..ttlcache import MISSING, TtlCache, generation
from .models import SEVERITIES, Heartbeat, Parameter, Watch
from .readings import FUTURE_SLACK_NS, finite, store_rows
from .reporters import devices_named, require_reporter

DEFAULT_PERIOD_S, DEFAULT_GRACE_S = 60, 30
MAX_PAYLOAD = 64


def _signal(item):
    """A fail signal is a failure whatever the exit code; otherwise a non-zero exit code is one."""
    code, signal = item.get("exit_code"), item.get("signal") or "beat"
    if signal == "fail" or code not in (None, 0):
        return "fail"
    return signal


def _payload_values(item, index, parameters, device_id, received_ns):
    """Readings rows from a heartbeat's payload, and the names the device has no parameter for."""
    rows, ignored = [], []
    for name, value in (item.get("payload") or {}).items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not finite(value):
            raise bad_request(f"Heartbeat {index + 1}: the payload value of {name!r} must be a finite number, "
                              f"not {value!r}.")
        parameter_id = parameters.get((device_id, name))
        if parameter_id is None:
            ignored.append(name)
        else:
            rows.append((parameter_id, received_ns, float(value)))
    return rows, ignored


_PARAMETERS = TtlCache(5)


def _parameters_of(device_ids):
    """{(device_id, name): parameter_id} of the devices' parameters, remembered a few seconds."""
    found, wanted, since = {}, [], generation()
    for device_id in set(device_ids):
        known = _PARAMETERS.get(device_id)
        if known is MISSING:
            wanted.append(device_id)
        else:
            found.update(known)
    if wanted:
        fresh = {device_id: {} for device_id in wanted}
        for parameter_id, device_id, name in (Parameter.select(Parameter.id, Parameter.device, Parameter.name)
                                              .where(Parameter.device.in_(wanted)).tuples()):
            fresh[device_id][(device_id, name)] = parameter_id
        for device_id, names in fresh.items():
            found.update(_PARAMETERS.put(device_id, names, since))
    return found


def receive(actor, principal, items, source=""):
    """Store a batch of heartbeats (checked dicts) at once, or nothing: [{device, state, ignored}]."""
    if not items:
        raise bad_request("The batch holds no heartbeats.")
    devices = devices_named([item["device"] for item in items])
    require_reporter(principal, devices)
    now = now_ns()
    for index, item in enumerate(items):
        if any(ord(c) < 32 for c in item.get("status", "")):
            raise bad_request(f"Heartbeat {index + 1}: the status is one line of text, without control characters.")
        if len(item.get("payload") or {}) > MAX_PAYLOAD:
            raise bad_request(f"Heartbeat {index + 1}: a payload holds at most {MAX_PAYLOAD} values.")
        if item.get("sent_at") is not None and to_ns(item["sent_at"], "sending time") > now + FUTURE_SLACK_NS:
            raise bad_request(f"Heartbeat {index + 1} was sent at {item['sent_at']!r}, in the future; "
                              "check the controller's clock.")
    ids = [device_id for device_id, _ in devices.values()]
    parameters = _parameters_of(ids) if any(item.get("payload") for item in items) else {}
    rows, answers, readings = [], [], []
    for index, item in enumerate(items):
        device_id = devices[item["device"]][0]
        values, ignored = _payload_values(item, index, parameters, device_id, now)
        readings.extend(values)
        rows.append((device_id, now, item.get("seq"), _signal(item), item.get("exit_code"),
                     item.get("status", "")[:200], source))
        answers.append({"device": item["device"], "ignored": ignored})
    states = _COMMITS.submit((rows, readings))
    for answer, row in zip(answers, rows):
        answer["state"] = states[row[0]]
    return answers


def _write(batch):
    """Heartbeats and payload readings of concurrent requests in one transaction; each gets the watches' states."""
    rows = [row for beats, _ in batch for row in beats]
    readings = [reading for _, values in batch for reading in values]
    with writing():
        cursor = database.cursor()
        cursor.executemany(plain(INSERT_HEARTBEAT), rows)
        states = _update_watches(cursor, rows)
        if readings:
            store_rows(readings)
    return [states] * len(batch)


_COMMITS = GroupCommit(_write)


# Plain SQL: this runs for every heartbeat of every controller, and building queries costs more than running them.
INSERT_HEARTBEAT = ("INSERT INTO heartbeats (device_id, received_ns, seq, signal, exit_code, status, source) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)")
SELECT_WATCHES = "SELECT device_id, state, paused_until_ns FROM heartbeat_watches WHERE device_id IN ({})"
UPDATE_WATCH = ("UPDATE heartbeat_watches SET state = ?, changed_ns = COALESCE(?, changed_ns), last_ns = ?, last_seq = ?, last_signal = ?, "
                "last_status = ?, exit_code = ?, started_ns = COALESCE(?, started_ns), beats = beats + ? "
                "WHERE device_id = ?")
INSERT_WATCH = ("INSERT INTO heartbeat_watches (device_id, period_s, grace_s, state, changed_ns, last_ns, last_seq, "
                "last_signal, last_status, exit_code, started_ns, beats) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")



def _update_watches(cursor, rows):
    """Bring each device's watch up to its latest heartbeat (created on the first); {device_id: state}."""
    latest, counts = {}, {}
    for row in rows:
        latest[row[0]] = row
        counts[row[0]] = counts.get(row[0], 0) + 1
    ids = list(latest)
    cursor.execute(plain(SELECT_WATCHES.format(", ".join("?" * len(ids)))), ids)
    known = {device_id: (state, paused_until) for device_id, state, paused_until in cursor.fetchall()}
    updates, inserts, states = [], [], {}
    for device_id, (_, now, seq, signal, exit_code, status, _) in latest.items():
        state = "down" if signal == "fail" else "up"
        started = now if signal == "start" else None
        if device_id not in known:
            inserts.append((device_id, DEFAULT_PERIOD_S, DEFAULT_GRACE_S, state, now, now, seq, signal, status,
                            exit_code, started, counts[device_id]))
        else:
            before, paused_until = known[device_id]
            if before == "paused" and (paused_until or 0) > now:
                state = "paused"
            changed = now if state != before else None
            updates.append((state, changed, now, seq, signal, status, exit_code, started, counts[device_id],
                            device_id))
        states[device_id] = state
    if updates:
        cursor.executemany(plain(UPDATE_WATCH), updates)
    if inserts:
        cursor.executemany(plain(INSERT_WATCH), inserts)
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
