"""Health at a glance: each device's worst condition (heartbeat and alerts) for the dashboard grid, counts
by severity, and one device's monitoring panel."""

from ..db import database
from ..timeutil import iso, now_ns
from . import alerts, engine
from ..topology.connections import all_edges
from .heartbeats import recent
from .models import OPEN_STATES, SEVERITIES, Alert, Parameter, Watch

# Worst first: what a tile of the health grid shows.
HEALTH = ("critical", "alarm", "down", "warning", "late", "suppressed", "paused", "ok", "unknown")
HEALTH_RANK = {h: i for i, h in enumerate(HEALTH)}
MAX_DEPTH = 6


def _worse(a, b):
    return a if HEALTH_RANK[a] <= HEALTH_RANK[b] else b


def summary():
    """{engine, counts: {severity: {active, acknowledged, returned, shelved, suppressed}}, subsystems: [{name,
    devices: [{name, health, alerts, inherited?}]}], revision}: one pass over devices, watches, open alerts and
    connections."""
    devices = database.execute_sql("SELECT id, name, subsystem FROM devices ORDER BY subsystem, name").fetchall()
    watch_state = dict(database.execute_sql("SELECT device_id, state FROM heartbeat_watches").fetchall())
    measured = {d for (d,) in database.execute_sql("SELECT DISTINCT device_id FROM parameters "
                                                    "WHERE last_ns IS NOT NULL").fetchall()}
    counts = {s: {"active": 0, "acknowledged": 0, "returned": 0, "shelved": 0, "suppressed": 0} for s in SEVERITIES}
    worst, open_count = {}, {}
    for device_id, kind, severity, state, shelved, suppressed in database.execute_sql(
            "SELECT device_id, kind, severity, state, shelved_until_ns, suppressed_by FROM alerts "
            "WHERE open_key IS NOT NULL").fetchall():
        bucket = "shelved" if shelved else ("suppressed" if suppressed else state)
        counts[severity][bucket] += 1
        open_count[device_id] = open_count.get(device_id, 0) + 1
        if suppressed:
            health = "suppressed"
        elif shelved or state == "returned":
            health = "ok"
        else:  # a silent device shows as down, whatever its alert's severity: that says more
            health = "down" if kind == "heartbeat" and severity != "critical" else severity
        worst[device_id] = _worse(health, worst.get(device_id, "unknown"))
    own = {}
    for device_id, _, _ in devices:
        health = worst.get(device_id, "unknown")
        state = watch_state.get(device_id)
        if state in ("down", "late", "paused") and not (state == "down" and health == "suppressed"):
            health = _worse(state, health)
        elif state == "up" or device_id in measured:
            health = _worse("ok", health)
        own[device_id] = health
    inherited = _inherit(own, {d for d, state in watch_state.items() if state == "down"})
    subsystems = {}
    for device_id, name, subsystem in devices:
        row = {"name": name, "health": inherited.get(device_id, own[device_id]), "alerts": open_count.get(device_id, 0)}
        if device_id in inherited:
            row["inherited"] = True
        subsystems.setdefault(subsystem or "(none)", []).append(row)
    return {"engine": engine.status(), "counts": counts, "health": list(HEALTH), "revision": alerts.revision(),
            "subsystems": [{"name": name, "devices": rows} for name, rows in subsystems.items()]}


def _inherit(own, down):
    """Health for devices with no data of their own (crystals, bars) from the devices that serve them: suppressed
    behind one that is down, paused behind one paused, ok when all of them are known and none of that."""
    serving = {}
    for source, target, _ in all_edges():
        serving.setdefault(target, []).append(source)
    found = {}
    for _ in range(MAX_DEPTH):
        changed = False
        for device_id, sources in serving.items():
            if own.get(device_id) != "unknown" or device_id in found:
                continue
            healths = [found.get(s, own.get(s, "unknown")) for s in sources]
            if any(h in ("down", "suppressed") for h in healths) or any(s in down for s in sources):
                found[device_id] = "suppressed"
            elif "paused" in healths:
                found[device_id] = "paused"
            elif "unknown" not in healths:
                found[device_id] = "ok"
            else:
                continue
            changed = True
        if not changed:
            break
    return found


def device_panel(device):
    """One device's monitoring: heartbeat watch and recent heartbeats, parameters with their latest values and
    levels, open alerts, and whether a controller in front of it is down."""
    watch = Watch.get_or_none(Watch.device == device)
    parameters = [p.to_dict(device.name) for p in Parameter.select().where(Parameter.device == device)
                  .order_by(Parameter.name)]
    open_alerts = list(Alert.select().where(Alert.device == device, Alert.state.in_(OPEN_STATES))
                       .order_by(Alert.raised_ns.desc()))
    by_parameter = {a.parameter_id: a for a in open_alerts if a.parameter_id}
    for parameter in parameters:
        alert = by_parameter.get(parameter["id"])
        parameter["alert"] = {"id": alert.id, "severity": alert.severity, "state": alert.state} if alert else None
    suppressed_by = next((a.suppressed_by for a in open_alerts if a.suppressed_by), None)
    return {"device": device.name, "heartbeat": watch.to_dict(device.name) if watch else None,
            "heartbeats": recent(device, 20) if watch else [], "parameters": parameters,
            "alerts": [a.to_dict(device) for a in open_alerts], "suppressed_by": suppressed_by,
            "now": iso(now_ns())}
