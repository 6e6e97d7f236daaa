"""Alerts: the list (pages poll it with the revision they have), one alert with its history and offered
reactions, acknowledging and shelving in bulk, the event log, reaction rules and personal subscriptions."""

from ...auth.users import at_least, get_group, group_role
from ...db import rows_by_id
from ...errors import bad_request
from ...monitoring import alerts, notify, reactions
from ...monitoring.actions import ACTIONS
from ...monitoring.models import ALERT_STATES, SEVERITIES, Alert, Reaction, Subscription
from ...timeutil import NS, now_ns, to_ns
from ...topology.devices import get_device
from .. import query
from ..fields import Bool, Body, Dict, Int, List, Str, Time

IDS = List(Int(minimum=1), max_items=alerts.MAX_IDS)
ACK = Body(ids=IDS, comment=Str(max_len=2000, default=""))
SHELVE = Body(ids=IDS, until=Time(required=False), minutes=Int(minimum=1, maximum=7 * 24 * 60, required=False),
              comment=Str(max_len=2000))
UNSHELVE = Body(ids=IDS)
RUN = Body(confirm=Bool(default=False))
REACTION = Body(name=Str(min_len=1, max_len=100), group=Str(min_len=1, max_len=64), action=Str(max_len=100),
                arguments=Dict(max_bytes=4000, default={}), mode=Str(choices=Reaction.MODES),
                device=Str(max_len=200, required=False), subsystem=Str(max_len=64, default=""),
                parameter=Str(max_len=64, default=""), kind=Str(choices=("", "heartbeat", "limit"), default=""),
                min_severity=Str(choices=SEVERITIES, default="alarm"), delay_s=Int(minimum=0, maximum=3600, default=0),
                confirm=Str(max_len=500, default=""))
ENABLE = Body(enabled=Bool())
SUBSCRIBE = Body(channel=Str(choices=Subscription.CHANNELS), target=Str(min_len=3, max_len=500, strip=True),
                 min_severity=Str(choices=SEVERITIES, default="alarm"), subsystem=Str(max_len=64, default=""),
                 remind_s=Int(minimum=0, maximum=7 * 86400, default=0), on_recovery=Bool(default=True))
LIST_QUERY = (("state", "open (default), active, acknowledged, returned, cleared or all"),
              ("severity", "this severity and worse: warning, alarm or critical"), ("device", "one device's alerts"),
              ("subsystem", "one subsystem's alerts"), ("group", "one group's alerts"),
              ("unless", "the revision the page has: when nothing changed since, the answer is {unchanged: true}"))


def _alert(alert_id):
    return rows_by_id(Alert.select(), [alert_id], "alert", 1)[0]


def _page(alert, principal):
    role = group_role(principal, alert.device.group_id)
    return {**alert.to_dict(), "history": alerts.history(alert), "offers": reactions.offers(alert),
            "runs": reactions.runs_of(alert), "can": {"operate": at_least(role, "operator")}}


def register(api):
    @api.route("/alerts", "GET", perm="read", tag="alerts", query=LIST_QUERY)
    def list_alerts():
        """Alerts, newest first; open ones (active, acknowledged, returned) unless another state is asked for."""
        revision = alerts.revision()
        if query.whole("unless") == revision:
            return {"ok": True, "unchanged": True, "revision": revision}
        state = query.text("state") or "open"
        if state not in ("open", "all") + ALERT_STATES:
            raise bad_request("The state must be open, active, acknowledged, returned, cleared or all.")
        severity = query.text("severity")
        if severity and severity not in SEVERITIES:
            raise bad_request(f"The severity must be one of {', '.join(SEVERITIES)}.")
        device = get_device(query.text("device")) if query.text("device") else None
        group = get_group(query.text("group")).id if query.text("group") else None
        rows = alerts.list_alerts(state, severity, device, query.text("subsystem"), group,
                                  limit=query.whole("limit", 500, digits=4) or 500)
        return {"ok": True, "revision": revision, "alerts": [a.to_dict() for a in rows]}

    @api.route("/alerts/events", "GET", perm="read", tag="alerts",
               query=(("device", "one device's events"), ("limit", "how many (default 200, at most 2000)")))
    def alert_events():
        """The alert log: every change of every alert, newest first."""
        device = get_device(query.text("device")) if query.text("device") else None
        limit = min(query.whole("limit", 200, digits=4), 2000)
        return {"ok": True, "events": alerts.recent_events(limit, device)}

    @api.route("/alerts/<alert_id:int>", "GET", perm="read", tag="alerts")
    def get_alert(alert_id, principal):
        """One alert with its full history, guidance, offered reactions and the reactions run."""
        return {"ok": True, "alert": _page(_alert(alert_id), principal)}

    @api.route("/alerts/acknowledge", "POST", perm="monitoring.operate", body=ACK, tag="alerts")
    def acknowledge(principal, actor, body):
        """Acknowledge one or many alerts with a comment (all or none)."""
        if not body["ids"]:
            raise bad_request("Name the alerts to acknowledge (ids).")
        return {"ok": True, "states": alerts.acknowledge(actor, principal, body["ids"], body["comment"])}

    @api.route("/alerts/shelve", "POST", perm="monitoring.operate", body=SHELVE, tag="alerts")
    def shelve(principal, actor, body):
        """Shelve alerts until a time (or for some minutes) with a reason: hidden and muted, still tracked."""
        if not body["ids"]:
            raise bad_request("Name the alerts to shelve (ids).")
        if (body.get("until") is None) == (body.get("minutes") is None):
            raise bad_request("Say how long to shelve: either until (a time) or minutes.")
        until = to_ns(body["until"], "end of the shelving", "until") if body.get("until") is not None else \
            now_ns() + body["minutes"] * 60 * NS
        shelved = alerts.shelve(actor, principal, body["ids"], until, body["comment"])
        return {"ok": True, "alerts": [a.to_dict() for a in shelved]}

    @api.route("/alerts/unshelve", "POST", perm="monitoring.operate", body=UNSHELVE, tag="alerts")
    def unshelve(principal, actor, body):
        """Bring shelved alerts back before their time."""
        return {"ok": True, "alerts": [a.to_dict() for a in alerts.unshelve(actor, principal, body["ids"])]}

    @api.route("/alerts/<alert_id:int>/reactions/<name>", "POST", perm="monitoring.operate", body=RUN, tag="alerts")
    def run_reaction(alert_id, name, principal, actor, body):
        """Run a reaction offered on the alert, once confirmed (`confirm: true`); the run says whether the action
        was done or failed, and why."""
        alert = _alert(alert_id)
        run = reactions.run_offered(actor, principal, alert, reactions.get_reaction(name), body["confirm"])
        return {"ok": True, "run": run.to_dict(), "alert": _page(_alert(alert_id), principal)}

    @api.route("/reactions", "GET", perm="read", tag="alerts")
    def list_reactions():
        """Reaction rules and the actions they may run."""
        return {"ok": True, "reactions": [r.to_dict() for r in reactions.list_reactions()],
                "actions": [a.to_dict() for a in sorted(ACTIONS.values(), key=lambda a: a.name)]}

    @api.route("/reactions", "POST", perm="monitoring.write", body=REACTION, tag="alerts")
    def create_reaction(principal, actor, body):
        """A rule: which alerts (device, subsystem, parameter, kind, severity), which action, automatic after a
        delay or offered as a button."""
        return {"ok": True, "reaction": reactions.create(actor, principal, **body).to_dict()}

    @api.route("/reactions/<name>", "PATCH", perm="monitoring.write", body=ENABLE, tag="alerts")
    def enable_reaction(name, principal, actor, body):
        """Enable or disable a rule."""
        reaction = reactions.set_enabled(actor, principal, reactions.get_reaction(name), body["enabled"])
        return {"ok": True, "reaction": reaction.to_dict()}

    @api.route("/reactions/<name>", "DELETE", perm="monitoring.write", tag="alerts")
    def delete_reaction(name, principal, actor):
        """Delete a rule (its runs go with it; the audit log keeps them)."""
        reactions.delete(actor, principal, reactions.get_reaction(name))
        return {"ok": True}

    @api.route("/subscriptions", "GET", perm="subscriptions.own", tag="alerts")
    def my_subscriptions(principal):
        """Your subscriptions to alert notifications."""
        return {"ok": True, "subscriptions": [s.to_dict() for s in notify.subscriptions_of(principal.user_id)]}

    @api.route("/subscriptions", "POST", perm="subscriptions.own", body=SUBSCRIBE, tag="alerts")
    def subscribe(principal, actor, settings, body):
        """Be told about alerts by email or webhook: from a severity up, optionally one subsystem, with reminders
        every remind_s seconds while active (0: none) and a message on recovery."""
        subscription = notify.subscribe(actor, settings, notify.user_for(principal), **body)
        return {"ok": True, "subscription": subscription.to_dict()}

    @api.route("/subscriptions/<subscription_id:int>", "DELETE", perm="subscriptions.own", tag="alerts")
    def unsubscribe(subscription_id, principal, actor):
        """End one of your subscriptions."""
        notify.unsubscribe(actor, principal, subscription_id)
        return {"ok": True}
