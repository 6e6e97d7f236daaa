"""Reactions and emergency actions: rules that match alerts (by device, subsystem, parameter, kind and
severity) and either run an action automatically once the alert has stayed active and unacknowledged for a
delay (acknowledging in time stops it), or offer it to operators as a button that asks for confirmation.
Every run is recorded with the alert and in the audit log; a rule runs at most once per alert and way."""

import json
import logging

from ..audit import Actor, record
from ..auth.users import get_group, require_role
from ..db import database
from ..errors import DcsError, bad_request, conflict
from ..names import set_name
from ..timeutil import NS, now_ns
from ..topology.models import Device
from .actions import get_action
from .models import SEVERITIES, SEVERITY_RANK, Alert, Parameter, Reaction, ReactionRun

log = logging.getLogger(__name__)

get_reaction = Reaction.named
MAX_DELAY_S = 3600


def list_reactions():
    return list(Reaction.select().order_by(Reaction.name))


def _check(values):
    if values["mode"] not in Reaction.MODES:
        raise bad_request("The mode must be auto (run after the delay) or offer (a button for operators).")
    if values["min_severity"] not in SEVERITIES:
        raise bad_request(f"The severity must be one of {', '.join(SEVERITIES)}.")
    if values["kind"] not in ("", "heartbeat", "limit"):
        raise bad_request("The kind must be heartbeat, limit or empty (both).")
    if not 0 <= values["delay_s"] <= MAX_DELAY_S:
        raise bad_request(f"The delay is from 0 to {MAX_DELAY_S} seconds.")
    get_action(values["action"]).check(values["arguments"])
    if values["mode"] == "offer" and not values["confirm"].strip():
        values["confirm"] = f"Run {values['action']} now?"


def create(actor, principal, name, group, action, arguments, mode, device=None, subsystem="", parameter="",
           kind="", min_severity="alarm", delay_s=0, confirm=""):
    set_name(name, "reaction")
    group = get_group(group)
    require_role(principal, group, "expert", f"the group {group.name}")
    values = {"action": action, "arguments": arguments, "mode": mode, "subsystem": subsystem, "parameter": parameter,
              "kind": kind, "min_severity": min_severity, "delay_s": delay_s, "confirm": confirm}
    _check(values)
    found = get_action(action)
    if found.authorize is not None:
        found.authorize(principal, arguments, group)
    device_row = Device.named(device) if device else None
    if device_row is not None and device_row.group_id != group.id:
        raise bad_request(f"{device_row.name} is not a device of {group.name}; a rule reacts only to its group's "
                          "alerts.")
    with database.atomic():
        if Reaction.get_or_none(Reaction.name == name):
            raise conflict(f"A reaction named {name!r} exists already.")
        values["arguments"] = json.dumps(arguments, sort_keys=True)
        reaction = Reaction.create(name=name, group=group, device=device_row, created_by=actor.label,
                                   created_ns=now_ns(), **values)
        record(actor, "reaction.create", "reaction", name, f"created the reaction {name} ({mode}: {action})",
               after=reaction.to_dict())
    return reaction


def set_enabled(actor, principal, reaction, enabled):
    require_role(principal, reaction.group, "expert", f"the reaction {reaction.name}")
    with database.atomic():
        reaction.enabled = int(enabled)
        reaction.save()
        record(actor, "reaction.enable" if enabled else "reaction.disable", "reaction", reaction.name,
               f"{'enabled' if enabled else 'disabled'} the reaction {reaction.name}")
    return reaction


def delete(actor, principal, reaction):
    require_role(principal, reaction.group, "expert", f"the reaction {reaction.name}")
    with database.atomic():
        record(actor, "reaction.delete", "reaction", reaction.name, f"deleted the reaction {reaction.name}",
               before=reaction.to_dict())
        reaction.delete_instance()


def matches(reaction, alert, device, parameter_name):
    """Whether a rule reacts to an alert: only to alerts of its own group's devices, as narrowed by the rule."""
    return (reaction.enabled and device.group_id == reaction.group_id
            and (reaction.device_id is None or reaction.device_id == alert.device_id)
            and (not reaction.subsystem or reaction.subsystem == device.subsystem)
            and (not reaction.parameter or reaction.parameter == parameter_name)
            and (not reaction.kind or reaction.kind == alert.kind)
            and SEVERITY_RANK[alert.severity] >= SEVERITY_RANK[reaction.min_severity])


def _parameter_name(alert):
    if not alert.parameter_id:
        return None
    found = Parameter.get_or_none(Parameter.id == alert.parameter_id)
    return found.name if found else None


def offers(alert):
    """The reactions offered as buttons on an alert, with the runs made so far."""
    parameter_name = _parameter_name(alert)
    offered = [r for r in Reaction.select().where(Reaction.mode == "offer")
               if matches(r, alert, alert.device, parameter_name)]
    return [r.to_dict() for r in offered]


def runs_of(alert):
    return [r.to_dict() for r in ReactionRun.select(ReactionRun, Reaction).join(Reaction)
            .where(ReactionRun.alert == alert.id).order_by(ReactionRun.at_ns)]


def _run(actor, reaction, alert, how):
    """Run the reaction's action once for an alert and way; the run is recorded before and after."""
    from . import alerts as alert_states

    now = now_ns()
    with database.atomic():
        if ReactionRun.get_or_none(ReactionRun.reaction == reaction.id, ReactionRun.alert == alert.id,
                                   ReactionRun.how == how):
            raise conflict(f"The reaction {reaction.name} has run for alert {alert.id} already.")
        current = Alert.get_by_id(alert.id)
        if how == "auto" and not (current.state == "active" and current.bad and not current.shelved):
            return None  # acknowledged, returned or shelved meanwhile: the automatic action is off
        run = ReactionRun.create(reaction=reaction.id, alert=alert.id, how=how, actor=actor.label, state="running",
                                 at_ns=now)
    try:
        result = get_action(reaction.action).run(actor, alert.device, reaction.args)
        state = "done"
    except DcsError as error:
        result, state = error.message, "failed"
    except Exception as error:  # an action's own failure is reported, never raised into the engine
        log.exception("reaction %s failed", reaction.name)
        result, state = f"{type(error).__name__}: {error}", "failed"
    with database.atomic():
        run.state, run.result = state, result[:2000]
        run.save()
        alert_states.event(alert, "action", now_ns(), actor.label, f"{reaction.name} ({how}): {state}: {result}")
        record(actor, "reaction.run", "alert", str(alert.id), f"{how} reaction {reaction.name} on alert {alert.id} "
               f"({alert.device.name}): {state}", after={"action": reaction.action, "arguments": reaction.args,
                                                         "result": result})
    return run


def run_offered(actor, principal, alert, reaction, confirmed):
    """An operator presses an offered reaction's button (having confirmed it)."""
    require_role(principal, alert.device.group, "operator", f"the device {alert.device.name}")
    if reaction.mode != "offer" or not matches(reaction, alert, alert.device, _parameter_name(alert)):
        raise bad_request(f"The reaction {reaction.name} is not offered for alert {alert.id}.")
    if alert.state == "cleared":
        raise bad_request(f"Alert {alert.id} is cleared; its offered actions are over.")
    if not confirmed:
        raise bad_request(f"Confirm first: {reaction.confirm}", errors=[{"field": "confirm", "error": "is required"}])
    action = get_action(reaction.action)
    if action.authorize is not None:  # the presser must be allowed to do it by hand, whoever made the rule
        action.authorize(principal, reaction.args, reaction.group)
    return _run(actor, reaction, alert, "button")


def run_due(now):
    """Run the automatic reactions whose alerts have stayed active and unacknowledged for their delay."""
    automatic = [r for r in Reaction.select().where(Reaction.mode == "auto", Reaction.enabled == 1)]
    if not automatic:
        return 0
    candidates = list(Alert.select(Alert, Device).join(Device, on=(Alert.device == Device.id)).where(
        Alert.state == "active", Alert.bad == 1, Alert.shelved_until_ns.is_null(), Alert.suppressed_by == ""))
    done = {(r, a) for r, a in ReactionRun.select(ReactionRun.reaction, ReactionRun.alert)
            .where(ReactionRun.how == "auto", ReactionRun.alert.in_([a.id for a in candidates])).tuples()}
    count = 0
    for alert in candidates:
        parameter_name = None
        for reaction in automatic:
            # The delay counts from the alert's last change: a warning that became critical waits again.
            if (reaction.id, alert.id) in done or now - alert.changed_ns < reaction.delay_s * NS:
                continue
            parameter_name = parameter_name or _parameter_name(alert)
            if matches(reaction, alert, alert.device, parameter_name):
                if _run(Actor(f"engine:reaction {reaction.name}"), reaction, alert, "auto") is not None:
                    count += 1
    return count
