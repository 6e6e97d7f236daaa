"""Alerts and their states, as ISA 18.2 / IEC 62682 and the Phoebus alarm server have them.

    condition bad            -> active (unacknowledged)
    active, acknowledged     -> acknowledged
    active, condition normal -> returned (latching: someone must still acknowledge it) or cleared (not latching)
    acknowledged, normal     -> cleared
    returned, acknowledged   -> cleared
    returned, bad again      -> active
    acknowledged, worse      -> active (a higher severity needs a new acknowledgement)

Shelving hides an alert from the active list and mutes its notifications until a time; suppression marks
the alerts of devices behind a controller that is down. Every change is an event, kept in the database, so
the history and the acknowledgements survive restarts.
"""

import peewee

from ..audit import record
from ..auth.models import Group
from ..db import database, rows_by_id, writing
from ..errors import bad_request
from ..timeutil import NS, iso, now_ns
from ..topology.devices import require_device_role
from ..topology.models import Device
from .models import OPEN_STATES, SEVERITIES, SEVERITY_RANK, Alert, AlertEvent, Parameter

MAX_SHELVE_S = 7 * 86400
MAX_IDS = 1000


def event(alert, name, now, actor="", comment="", value=None):
    AlertEvent.create(alert=alert.id, at_ns=now, event=name, actor=actor, comment=comment, state=alert.state,
                      severity=alert.severity, value=alert.value if value is None else value)


def open_alerts():
    """{open_key: Alert} of every alert not cleared."""
    return {a.open_key: a for a in Alert.select().where(Alert.open_key.is_null(False))}


def condition_bad(found, key, device_id, parameter_id, kind, severity, text, value, latching, now,
                  suppressed_by="", guidance=""):
    """The condition of key is bad at severity: raise a new alert or update the open one (found, or None).
    Returns (alert, what happened: "raised", "again", "escalated" or None)."""
    if found is None:
        alert = Alert.create(device=device_id, parameter=parameter_id, kind=kind, open_key=key, severity=severity,
                             state="active", bad=1, latching=int(latching), message=text, value=value,
                             raised_ns=now, changed_ns=now, suppressed_by=suppressed_by, guidance=guidance)
        event(alert, "raised", now, comment=text)
        return alert, "raised"
    alert, happened = found, None
    worse = SEVERITY_RANK[severity] > SEVERITY_RANK[alert.severity]
    if not alert.bad:
        alert.state, happened = "active", "again"
    elif worse and alert.state == "acknowledged":
        alert.state, happened = "active", "escalated"
    elif severity != alert.severity:
        happened = "escalated" if worse else "eased"
    alert.bad, alert.severity, alert.message, alert.value = 1, severity, text, value
    if happened:
        alert.changed_ns = now
        alert.save()
        event(alert, happened, now, comment=text)
    else:
        Alert.update(message=text, value=value).where(Alert.id == alert.id).execute()
    return alert, happened


def condition_normal(alert, now, text):
    """The condition of an open alert is normal again; returns the new state."""
    if not alert.bad:
        return alert.state
    alert.bad = 0
    if alert.state == "acknowledged" or (alert.state == "active" and not alert.latching):
        _clear(alert)
    elif alert.state == "active":
        alert.state = "returned"
    alert.changed_ns = now
    alert.save()
    event(alert, "returned" if alert.state == "returned" else "cleared", now, comment=text)
    return alert.state


def _clear(alert):
    alert.state, alert.open_key, alert.cleared_ns = "cleared", None, now_ns()


def _require_operator(principal, alerts, what):
    for alert in alerts:
        require_device_role(principal, alert.device, "operator", f"{what} alert {alert.id} ({alert.device.name})")


def _selected(ids):
    query = Alert.select(Alert, Device).join(Device, on=(Alert.device == Device.id))
    return rows_by_id(query, ids, "alert", MAX_IDS)


def acknowledge(actor, principal, ids, comment=""):
    """Acknowledge alerts (all or none): {id: new state}; alerts already acknowledged or cleared are left as
    they are and reported."""
    now = now_ns()
    with writing():
        alerts = _selected(ids)
        _require_operator(principal, alerts, "Acknowledging")
        done = {}
        for alert in alerts:
            if alert.state in ("active", "returned"):
                if alert.state == "returned":
                    _clear(alert)
                else:
                    alert.state = "acknowledged"
                alert.acked_by, alert.acked_ns, alert.ack_comment, alert.changed_ns = actor.label, now, comment, now
                alert.save()
                event(alert, "acknowledged", now, actor.label, comment)
            done[alert.id] = alert.state
        record(actor, "alert.acknowledge", "alert", ",".join(str(i) for i in ids),
               f"acknowledged {len(ids)} alert(s)", after={"comment": comment, "states": done})
    return done


def shelve(actor, principal, ids, until_ns, comment):
    """Shelve alerts until a time: hidden from the active list and muted, still tracked."""
    now = now_ns()
    if until_ns <= now:
        raise bad_request(f"Shelving must end in the future, not at {iso(until_ns)}.")
    if until_ns > now + MAX_SHELVE_S * NS:
        raise bad_request("Alerts are shelved for at most 7 days; shelve them again when it ends.")
    if not comment.strip():
        raise bad_request("Say why the alerts are shelved; the next shift reads it.",
                          errors=[{"field": "comment", "error": "is required"}])
    with writing():
        alerts = _selected(ids)
        _require_operator(principal, alerts, "Shelving")
        for alert in alerts:
            if alert.state == "cleared":
                raise bad_request(f"Alert {alert.id} is cleared already; there is nothing to shelve.")
        for alert in alerts:
            alert.shelved_until_ns, alert.shelved_by, alert.shelve_comment = until_ns, actor.label, comment
            alert.save()
            event(alert, "shelved", now, actor.label, f"until {iso(until_ns)}: {comment}")
        record(actor, "alert.shelve", "alert", ",".join(str(i) for i in ids), f"shelved {len(ids)} alert(s)",
               after={"until": iso(until_ns), "comment": comment})
    return alerts


def unshelve(actor, principal, ids):
    now = now_ns()
    with writing():
        alerts = _selected(ids)
        _require_operator(principal, alerts, "Unshelving")
        for alert in alerts:
            if alert.shelved:
                alert.shelved_until_ns = None
                alert.save()
                event(alert, "unshelved", now, actor.label)
        record(actor, "alert.unshelve", "alert", ",".join(str(i) for i in ids), f"unshelved {len(ids)} alert(s)")
    return alerts


def expire_shelving(now):
    """Unshelve alerts whose shelving has ended; those alerts."""
    expired = list(Alert.select().where(Alert.shelved_until_ns.is_null(False), Alert.shelved_until_ns <= now))
    for alert in expired:
        alert.shelved_until_ns = None
        alert.save()
        event(alert, "unshelved", now, comment="the shelving time ended")
    return expired


def revision():
    """A number that grows with every alert event: pages poll it to know whether to fetch again."""
    return database.execute_sql("SELECT COALESCE(MAX(id), 0) FROM alert_events").fetchone()[0]


def list_alerts(state="open", severity=None, device=None, subsystem=None, group_id=None, limit=500):
    query = (Alert.select(Alert, Device, Group, Parameter).join(Device, on=(Alert.device == Device.id))
             .join(Group, peewee.JOIN.LEFT_OUTER, on=(Device.group == Group.id))
             .switch(Alert).join(Parameter, peewee.JOIN.LEFT_OUTER, on=(Alert.parameter == Parameter.id)))
    if state == "open":
        query = query.where(Alert.state.in_(OPEN_STATES))
    elif state != "all":
        query = query.where(Alert.state == state)
    if severity:
        query = query.where(Alert.severity.in_(SEVERITIES[SEVERITY_RANK[severity]:]))
    if device is not None:
        query = query.where(Alert.device == device)
    if subsystem:
        query = query.where(Device.subsystem == subsystem)
    if group_id is not None:
        query = query.where(Device.group == group_id)
    order = (Alert.changed_ns.desc(),) if state in ("cleared", "all") else (Alert.raised_ns.desc(),)
    return list(query.order_by(*order, Alert.id.desc()).limit(limit))


def history(alert, limit=1000):
    """An alert's events, oldest first: the first ones and, when there are very many, the latest `limit`."""
    events = list(AlertEvent.select().where(AlertEvent.alert == alert).order_by(AlertEvent.id.desc()).limit(limit))
    return [e.to_dict() for e in reversed(events)]


def recent_events(limit=200, device=None):
    query = (AlertEvent.select(AlertEvent, Alert, Device).join(Alert).join(Device, on=(Alert.device == Device.id))
             .order_by(AlertEvent.id.desc()).limit(limit))
    if device is not None:
        query = query.where(Alert.device == device)
    return [{**e.to_dict(), "device": e.alert.device.name, "message": e.alert.message} for e in query]
