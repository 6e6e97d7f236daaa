"""Monitoring: heartbeats and readings from device controllers, parameters and limits, plots and exports,
the dashboard's summary, a device's monitoring panel and the engine's state."""

import json

from bottle import request, response

from ...auth.users import group_role, at_least
from ...configs.versions import Owner
from ...errors import DcsError, bad_request
from ...monitoring import engine, heartbeats, parameters, readings
from ...monitoring.health import device_panel, summary
from ...monitoring.models import SEVERITIES, SIGNALS
from ...timeutil import NS, iso, now_ns, to_ns
from ...topology.devices import get_device
from .. import query
from ..body import read_body, read_json
from ..fields import Body, Bool, Dict, Int, List, Number, Str, Time

HEARTBEAT = Body(device=Str(min_len=3, max_len=200), seq=Int(minimum=0, maximum=2**62, required=False),
                 signal=Str(choices=SIGNALS, required=False), exit_code=Int(minimum=-255, maximum=255, required=False),
                 status=Str(max_len=200, default=""), payload=Dict(max_bytes=8192, required=False),
                 sent_at=Time(required=False))
BATCH = Body(heartbeats=List(HEARTBEAT, max_items=1000))
WATCH = Body(period_s=Int(minimum=1, maximum=7 * 86400, required=False),
             grace_s=Int(minimum=0, maximum=7 * 86400, required=False),
             severity=Str(choices=SEVERITIES, required=False),
             guidance=Str(max_len=4000, required=False, description="what to do when the device stops beating"))
PAUSE = Body(until=Time(required=False), minutes=Int(minimum=1, maximum=30 * 24 * 60, required=False),
             comment=Str(max_len=500, default=""))
WINDOW_QUERY = (("from", "start (seconds or ISO 8601; default a day before the end)"),
                ("to", "end (default now)"), ("points", "at most this many points (default 1000, at most 5000)"))
EXPORT_QUERY = (("from", "start (seconds or ISO 8601; default a day before the end)"), ("to", "end (default now)"),
                ("format", "csv (default) or json"))
EXPORT_LIMIT = 2_000_000


LIMIT = Number(required=False)
PARAMETER = Body(unit=Str(max_len=32, required=False), nominal=LIMIT, alarm_low=LIMIT, warn_low=LIMIT, warn_high=LIMIT,
                 alarm_high=LIMIT, deadband=LIMIT, delay_s=LIMIT, n_bad=Int(minimum=1, maximum=100, required=False),
                 m_window=Int(minimum=1, maximum=100, required=False),
                 alarm_severity=Str(choices=SEVERITIES[1:], required=False), latching=Bool(required=False),
                 guidance=Str(max_len=4000, required=False))


def _window():
    end = query.text("to")
    end_ns = to_ns(end, "end of the window (to)") if end else now_ns()
    start = query.text("from")
    start_ns = to_ns(start, "start of the window (from)") if start else end_ns - 86400 * NS
    if end_ns <= start_ns:
        raise bad_request("The window must end (to) after it starts (from).")
    return start_ns, end_ns


def _expert(principal, device):
    Owner("device", device.type, device).require(principal, "expert")


def _operator(principal, device):
    Owner("device", device.type, device).require(principal, "operator")


def _heartbeat_items():
    data = read_json(1024**2)
    if isinstance(data, dict) and "heartbeats" in data:
        return BATCH.validate(data)["heartbeats"]
    return [HEARTBEAT.validate(data)]


def _export(rows, fmt, name, header):
    """The readings as a download, streamed a row at a time: a month of a parameter read every second is tens of
    megabytes, and is never held in memory."""
    response.set_header("Content-Disposition", f'attachment; filename="{name}.{fmt}"')
    if fmt == "csv":
        response.content_type = "text/csv; charset=utf-8"
        yield "time,unix_seconds,value\n"
        for t_ns, value in rows:
            yield f"{iso(t_ns)},{t_ns / NS:.9f},{value!r}\n"
        return
    response.content_type = "application/json"
    yield json.dumps(header)[:-1] + ', "readings": ['
    first = True
    for t_ns, value in rows:
        yield ("" if first else ", ") + json.dumps([iso(t_ns), value])
        first = False
    yield "]}"


def register(api):
    @api.route("/heartbeats", "POST", perm="devices.report", tag="monitoring")
    def post_heartbeats(principal, actor):
        """One heartbeat `{device, seq, signal, exit_code, status, payload}` or a batch `{heartbeats: [...]}`,
        all stored or none. The payload's values become readings of the device's parameters."""
        answers = heartbeats.receive(actor, principal, _heartbeat_items(), source=actor.label)
        return {"ok": True, "accepted": len(answers), "heartbeats": answers}

    @api.route("/readings", "POST", perm="devices.report", tag="monitoring")
    def post_readings(principal, settings):
        """A batch of readings, all stored or none: JSON `{readings: [{device, parameter, t, value}]}` or CSV with
        the header line device,parameter,time,value."""
        content_type = (request.content_type or "").split(";")[0].strip().lower()
        if content_type == "text/csv":
            raw = read_body(settings.max_body, ("text/csv",), "CSV")
            try:
                rows = readings.parse_csv(raw.decode("utf-8"))
            except UnicodeDecodeError:
                raise bad_request("The CSV is not valid UTF-8.") from None
        else:
            data = read_json(settings.max_body)
            if not isinstance(data, dict) or set(data) != {"readings"} or not isinstance(data["readings"], list):
                raise bad_request("The body must be {\"readings\": [{\"device\", \"parameter\", \"t\", \"value\"}]} "
                                  "or CSV with Content-Type: text/csv.")
            rows = data["readings"]
        return {"ok": True, **readings.ingest(principal, rows)}

    @api.route("/monitoring/summary", "GET", perm="read", tag="monitoring")
    def monitoring_summary():
        """The dashboard: each device's health by subsystem, alert counts by severity and the engine's state."""
        return {"ok": True, **summary()}

    @api.route("/monitoring/engine", "GET", perm="read", tag="monitoring")
    def engine_status():
        """Whether the alert engine runs (it beats every second), where, and its last error."""
        return {"ok": True, "engine": engine.status()}

    @api.route("/monitoring/heartbeats", "GET", perm="read", tag="monitoring")
    def list_watches():
        """Every heartbeat watch: state, period, grace, last heartbeat."""
        return {"ok": True, "heartbeats": [{**w.to_dict(name), "subsystem": subsystem}
                                           for w, name, subsystem, _ in heartbeats.watches()]}

    @api.route("/monitoring/devices/<name>", "GET", perm="read", tag="monitoring")
    def device_monitoring(name, principal):
        """A device's heartbeat, recent heartbeats, parameters with latest values, open alerts and suppression."""
        device = get_device(name)
        role = group_role(principal, device.group_id)
        return {"ok": True, **device_panel(device),
                "can": {"operate": at_least(role, "operator"), "configure": at_least(role, "expert")}}

    @api.route("/monitoring/devices/<name>/heartbeat", "PUT", perm="monitoring.write", body=WATCH, tag="monitoring")
    def configure_watch(name, principal, actor, body):
        """How often the device must beat (period) and how late it may be (grace) before an alert."""
        device = get_device(name)
        _expert(principal, device)
        watch = heartbeats.configure(actor, device, body.get("period_s"), body.get("grace_s"), body.get("severity"),
                                     body.get("guidance"))
        return {"ok": True, "heartbeat": watch.to_dict(device.name)}

    @api.route("/monitoring/devices/<name>/heartbeat/pause", "POST", perm="monitoring.operate", body=PAUSE,
               tag="monitoring")
    def pause_watch(name, principal, actor, body):
        """Maintenance: no heartbeat alerts until a time (`until`) or for some `minutes`."""
        device = get_device(name)
        _operator(principal, device)
        if (body.get("until") is None) == (body.get("minutes") is None):
            raise bad_request("Say how long to pause: either until (a time) or minutes.")
        until = to_ns(body["until"], "end of the pause", "until") if body.get("until") is not None else \
            now_ns() + body["minutes"] * 60 * NS
        watch = heartbeats.pause(actor, device, until, body["comment"])
        return {"ok": True, "heartbeat": watch.to_dict(device.name)}

    @api.route("/monitoring/devices/<name>/heartbeat/resume", "POST", perm="monitoring.operate", tag="monitoring")
    def resume_watch(name, principal, actor):
        """End a pause now."""
        device = get_device(name)
        _operator(principal, device)
        return {"ok": True, "heartbeat": heartbeats.resume(actor, device).to_dict(device.name)}

    @api.route("/monitoring/parameters", "GET", perm="read", tag="monitoring",
               query=(("device", "one device's parameters"),))
    def list_parameters():
        """Parameters with their limits and latest values."""
        device = get_device(query.text("device")) if query.text("device") else None
        rows = parameters.list_parameters(device)
        return {"ok": True, "parameters": [p.to_dict() for p in rows]}

    @api.route("/monitoring/devices/<name>/parameters/<parameter>", "PUT", perm="monitoring.write", body=PARAMETER,
               tag="monitoring")
    def define_parameter(name, parameter, principal, actor, body):
        """Create a parameter or change its limits (fields left out keep their values)."""
        device = get_device(name)
        _expert(principal, device)
        return {"ok": True, "parameter": parameters.define(actor, device, parameter, body).to_dict(device.name)}

    @api.route("/monitoring/devices/<name>/parameters/<parameter>", "DELETE", perm="monitoring.write",
               tag="monitoring")
    def remove_parameter(name, parameter, principal, actor):
        """Remove a parameter with its readings."""
        device = get_device(name)
        _expert(principal, device)
        parameters.remove(actor, parameters.get_parameter(device, parameter))
        return {"ok": True}

    @api.route("/monitoring/devices/<name>/parameters/<parameter>/series", "GET", perm="read", tag="monitoring",
               query=WINDOW_QUERY)
    def parameter_series(name, parameter):
        """Readings binned by the server into at most `points` buckets (min, mean, max, count) for a plot."""
        found = parameters.get_parameter(get_device(name), parameter)
        start_ns, end_ns = _window()
        points = query.whole("points", 1000, digits=6)
        return {"ok": True, "parameter": found.to_dict(name), "from": iso(start_ns), "to": iso(end_ns),
                **readings.series(found, start_ns, end_ns, points)}

    @api.route("/monitoring/devices/<name>/parameters/<parameter>/export", "GET", perm="read", tag="monitoring",
               query=EXPORT_QUERY)
    def parameter_export(name, parameter):
        """The raw readings of a window as CSV or JSON (at most two million)."""
        found = parameters.get_parameter(get_device(name), parameter)
        start_ns, end_ns = _window()
        fmt = query.text("format") or "csv"
        if fmt not in ("csv", "json"):
            raise bad_request("The format must be csv or json.")
        count = readings.count_raw(found, start_ns, end_ns)
        if count > EXPORT_LIMIT:
            raise DcsError(413, f"The window holds {count:,} readings; an export holds at most {EXPORT_LIMIT:,}. "
                                "Narrow the window (from, to) and export it in parts.")
        header = {"device": name, "parameter": parameter, "unit": found.unit, "from": iso(start_ns),
                  "to": iso(end_ns)}
        rows = readings.raw_rows(found, start_ns, end_ns, EXPORT_LIMIT)
        return _export(rows, fmt, f"{name}-{parameter}".replace('"', ""), header)
