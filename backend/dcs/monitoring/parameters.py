"""Parameters and their limits, set by experts of the device's group.

Limits nest: alarm low <= warn low <= warn high <= alarm high (any may be left out). The deadband is how far
back inside a limit a value must come before its level drops (hysteresis); the delay is how long a level
must last before an alert is raised; N of M says how many of the last M samples must be bad.
"""

import math
import re

from ..audit import record
from ..db import database, writing
from ..errors import bad_request, conflict, not_found
from ..timeutil import now_ns
from ..ttlcache import forget_all
from .alerts import event
from .models import SEVERITIES, Alert, Parameter

NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.:-]{0,63}")
FIELDS = ("unit", "nominal", "alarm_low", "warn_low", "warn_high", "alarm_high", "deadband", "delay_s", "n_bad",
          "m_window", "alarm_severity", "latching", "guidance")
MAX_WINDOW = 100


def get_parameter(device, name):
    found = Parameter.get_or_none(Parameter.device == device, Parameter.name == name) if isinstance(name, str) else None
    if found is None:
        raise not_found(f"{device.name} has no parameter named {name!r}.")
    return found


def list_parameters(device=None):
    query = Parameter.select().order_by(Parameter.device, Parameter.name)
    if device is not None:
        query = query.where(Parameter.device == device)
    return list(query)


def problems(values):
    """[{field, error}] for a parameter's values (all of them, as they would be stored)."""
    found = []

    def bad(field, error):
        found.append({"field": field, "error": error})

    for key in ("nominal", *Parameter.LIMITS, "deadband", "delay_s"):
        value = values.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                  or not math.isfinite(value)):
            bad(key, f"must be a finite number, not {value!r}")
    if found:
        return found
    limits = [(key, values.get(key)) for key in Parameter.LIMITS if values.get(key) is not None]
    for (low_key, low), (high_key, high) in zip(limits, limits[1:]):
        if low > high:
            bad(high_key, f"must not be below {low_key.replace('_', ' ')} ({high} < {low})")
    if values.get("deadband", 0) < 0:
        bad("deadband", "must not be negative")
    if not 0 <= values.get("delay_s", 0) <= 86400:
        bad("delay_s", "must be from 0 to 86400 seconds")
    window, n_bad = values.get("m_window", 1), values.get("n_bad", 1)
    if not isinstance(window, int) or not 1 <= window <= MAX_WINDOW:
        bad("m_window", f"must be a whole number from 1 to {MAX_WINDOW}")
    elif not isinstance(n_bad, int) or not 1 <= n_bad <= window:
        bad("n_bad", f"must be a whole number from 1 to the window ({window})")
    if values.get("alarm_severity", "alarm") not in SEVERITIES[1:]:
        bad("alarm_severity", "must be alarm or critical")
    return found


def _check(values):
    found = problems(values)
    if found:
        listed = "; ".join(f"{p['field'].replace('_', ' ')} {p['error']}" for p in found)
        raise bad_request(f"The limits are not valid: {listed}.", errors=found)


def define(actor, device, name, values, replace=True):
    """Create a parameter or change it (only the fields given change); the audit log keeps before and after."""
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise bad_request(f"A parameter name starts with a letter and has up to 64 letters, digits or _.:- "
                          f"({name!r} does not).", errors=[{"field": "name", "error": "is not a valid name"}])
    with database.atomic():
        parameter = Parameter.get_or_none(Parameter.device == device, Parameter.name == name)
        if parameter is not None and not replace:
            raise conflict(f"{device.name} has a parameter named {name!r} already.")
        before = None if parameter is None else {key: getattr(parameter, key) for key in FIELDS}
        parameter = parameter or Parameter(device=device, name=name)
        merged = {key: getattr(parameter, key) for key in FIELDS} | {k: v for k, v in values.items() if k in FIELDS}
        merged = {key: (Parameter._meta.fields[key].default if value is None and key in
                        ("deadband", "delay_s", "n_bad", "m_window", "alarm_severity", "latching", "unit", "guidance")
                        else value) for key, value in merged.items()}
        _check(merged)
        for key, value in merged.items():
            setattr(parameter, key, int(value) if key == "latching" else value)
        parameter.updated_ns = now_ns()
        parameter.save()
        after = {key: getattr(parameter, key) for key in FIELDS}
        record(actor, "parameter.define" if before is None else "parameter.update", "parameter",
               f"{device.name}/{name}", f"{'defined' if before is None else 'changed'} the limits of "
                                        f"{device.name} {name}", before=before, after=after)
    forget_all()  # heartbeat payloads find parameters by name
    return parameter


def remove(actor, parameter):
    """Delete a parameter with its readings and rollups (its alerts stay in the history)."""
    name = f"{parameter.device.name}/{parameter.name}"
    now = now_ns()
    with writing():
        for alert in Alert.select().where(Alert.parameter == parameter.id, Alert.open_key.is_null(False)):
            alert.state, alert.bad, alert.open_key, alert.cleared_ns, alert.changed_ns = "cleared", 0, None, now, now
            alert.save()
            event(alert, "cleared", now, actor.label, f"the parameter {parameter.name} was removed")
        for table in ("readings", "reading_rollups"):
            database.execute_sql(f"DELETE FROM {table} WHERE parameter_id = {database.param}", (parameter.id,))
        parameter.delete_instance()
        record(actor, "parameter.remove", "parameter", name, f"removed the parameter {name} and its readings")
    forget_all()
