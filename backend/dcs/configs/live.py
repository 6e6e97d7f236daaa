"""Live values: what a device reports it runs with, compared with its stored effective configuration.

A device controller (or a command module reading the device) sends the values it read; the portal
keeps the last reading per device. The comparison goes parameter by parameter: numbers within the
schema's `x-tolerance` count as matching, anything else must be equal.
"""

import json

from ..audit import record
from ..db import database
from ..timeutil import iso, now_ns, to_ns
from . import documents, schema as schemas
from .models import LiveConfig
from .versions import effective

STATES = ("ok", "drift", "missing", "extra")


def record_live(actor, device, values, read_at=None):
    documents.check_document(values, "values")
    read_ns = now_ns() if read_at is None else to_ns(read_at, "read time")
    with database.atomic():
        row = LiveConfig.get_or_none(LiveConfig.device == device)
        if row is None:
            row = LiveConfig(device=device)
        row.document, row.read_ns, row.source = documents.canonical(values), read_ns, actor.label
        row.save()
        record(actor, "config.live", "device", device.name, f"live values of {device.name} read at {iso(read_ns)}")
    return row


def _tolerance_text(tolerance):
    if tolerance is None:
        return None
    kind, amount = tolerance
    return f"{amount * 100:g}%" if kind == "rel" else f"{amount:g}"


def _within(stored, live, tolerance):
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (stored, live))
    if not numbers:
        return stored == live and type(stored) is type(live), None
    delta = round(live - stored, 9)
    if tolerance is None:
        return delta == 0, delta
    kind, amount = tolerance
    limit = amount if kind == "abs" else amount * abs(stored)
    return abs(delta) <= limit + 1e-12, delta


def compare_live(device):
    """{read, source, stored_versions, rows: [{path, stored, live, delta, tolerance, state}], counts}; rows
    that differ come first. None when the device never reported."""
    row = LiveConfig.get_or_none(LiveConfig.device == device)
    if row is None:
        return None
    live = json.loads(row.document)
    stored = effective(device)
    schema = device.type.schema
    flat_stored, flat_live = documents.leaves(stored["config"]), documents.leaves(live)
    rows = []
    for path, (parts, value) in flat_stored.items():
        tolerance = schemas.tolerance_at(schema, parts)
        entry = {"path": path, "stored": value, "tolerance": _tolerance_text(tolerance)}
        if path not in flat_live:
            rows.append({**entry, "live": None, "delta": None, "state": "missing"})
            continue
        same, delta = _within(value, flat_live[path][1], tolerance)
        rows.append({**entry, "live": flat_live[path][1], "delta": delta, "state": "ok" if same else "drift"})
    for path, (_, value) in flat_live.items():
        if path not in flat_stored:
            rows.append({"path": path, "stored": None, "live": value, "delta": None, "tolerance": None,
                         "state": "extra"})
    rows.sort(key=lambda r: (r["state"] == "ok", r["path"]))
    counts = {state: sum(1 for r in rows if r["state"] == state) for state in STATES}
    return {"read": iso(row.read_ns), "source": row.source, "live": live,
            "stored_versions": {"type": stored["type_version"], "device": stored["device_version"]},
            "rows": rows, "counts": counts, "matches": counts["drift"] == counts["missing"] == 0}
