"""Operating conditions: readings of a device's parameters, ingested in batches (JSON rows, CSV or heartbeat
payloads), kept raw for the retention period and rolled up per minute and per hour (min, mean, max,
count) for plots; a plot asks for a window and a number of points and gets them binned by the database.
"""

import csv
import io
import math

from ..db import database, plain, writing
from ..errors import bad_request, not_found
from ..timeutil import NS, now_ns, to_ns
from ..topology.models import Device
from .models import Parameter, Reading
from .reporters import require_reporter

FUTURE_SLACK_NS = 300 * NS  # clocks drift; a reading more than five minutes ahead is a wrong clock
MAX_BATCH = 100_000
MAX_POINTS = 5_000
RESOLUTIONS = (60, 3600)
CSV_HEADER = ["device", "parameter", "time", "value"]

_UPSERT = {
    "sqlite": ("INSERT INTO reading_rollups (parameter_id, resolution_s, bucket_ns, vmin, vmax, vsum, n) "
               "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (parameter_id, resolution_s, bucket_ns) DO UPDATE SET "
               "vmin = min(vmin, excluded.vmin), vmax = max(vmax, excluded.vmax), vsum = vsum + excluded.vsum, "
               "n = n + excluded.n"),
    "postgres": ("INSERT INTO reading_rollups (parameter_id, resolution_s, bucket_ns, vmin, vmax, vsum, n) "
                 "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (parameter_id, resolution_s, bucket_ns) DO UPDATE "
                 "SET vmin = LEAST(reading_rollups.vmin, excluded.vmin), "
                 "vmax = GREATEST(reading_rollups.vmax, excluded.vmax), "
                 "vsum = reading_rollups.vsum + excluded.vsum, n = reading_rollups.n + excluded.n"),
}


def _dialect():
    return "sqlite" if database.param == "?" else "postgres"



def store_rows(rows):
    """Insert readings [(parameter_id, t_ns, value)] with their rollups and each parameter's latest value, inside
    the caller's transaction."""
    cursor = database.cursor()
    cursor.executemany(plain("INSERT INTO readings (parameter_id, t_ns, value) VALUES (?, ?, ?)"), rows)
    buckets, latest = {}, {}
    for parameter_id, t_ns, value in rows:
        for resolution in RESOLUTIONS:
            key = (parameter_id, resolution, t_ns - t_ns % (resolution * NS))
            found = buckets.get(key)
            if found is None:
                buckets[key] = [value, value, value, 1]
            else:
                if value < found[0]:
                    found[0] = value
                if value > found[1]:
                    found[1] = value
                found[2] += value
                found[3] += 1
        seen = latest.get(parameter_id)
        if seen is None or t_ns >= seen[0]:
            latest[parameter_id] = (t_ns, value)
    cursor.executemany(_UPSERT[_dialect()], [(*key, *agg) for key, agg in buckets.items()])
    cursor.executemany(plain("UPDATE parameters SET last_ns = ?, last_value = ? WHERE id = ? AND "
                            "(last_ns IS NULL OR last_ns <= ?)"),
                       [(t, v, pid, t) for pid, (t, v) in latest.items()])


def finite(value):
    """Whether a number is finite, an integer too large for a float counting as not."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _number(value, where):
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise bad_request(f"{where}: the value {value!r} is not a number.") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise bad_request(f"{where}: the value must be a number, not {value!r}.")
    if not finite(value):
        raise bad_request(f"{where}: the value {value!r} is not a finite number (NaN and infinity are refused).")
    return float(value)


def parameters_of(pairs):
    """{(device name, parameter name): (parameter_id, group_id)} for the pairs asked; a 404 naming the first
    pair that does not exist."""
    names = sorted({device for device, _ in pairs})
    found = {}
    for start in range(0, len(names), 500):
        query = (Parameter.select(Device.name, Parameter.name, Parameter.id, Device.group)
                 .join(Device, on=(Parameter.device == Device.id)).where(Device.name.in_(names[start:start + 500])))
        for device, name, parameter_id, group_id in query.tuples():
            found[(device, name)] = (parameter_id, group_id)
    for pair in pairs:
        if pair not in found:
            device = Device.get_or_none(Device.name == pair[0])
            if device is None:
                raise not_found(f"There is no device named {pair[0]!r}.")
            raise not_found(f"{pair[0]} has no parameter {pair[1]!r}; an expert adds it with its limits first.")
    return found


def check_rows(rows):
    """[(device, parameter, t_ns, value)] from [{device, parameter, t, value}] or CSV-like lists, refusing the
    whole batch at the first bad row (naming it)."""
    if not rows:
        raise bad_request("The batch holds no readings.")
    if len(rows) > MAX_BATCH:
        raise bad_request(f"A batch holds at most {MAX_BATCH} readings, not {len(rows)}; send it in parts.")
    now = now_ns()
    latest = now + FUTURE_SLACK_NS
    clean = []
    for index, row in enumerate(rows):
        where = f"Reading {index + 1}"
        if isinstance(row, dict):
            unknown = set(row) - {"device", "parameter", "t", "value"}
            if unknown:
                raise bad_request(f"{where}: {sorted(unknown)[0]!r} is not a known field "
                                  "(device, parameter, t, value).")
            device, parameter, t, value = row.get("device"), row.get("parameter"), row.get("t"), row.get("value")
        else:
            device, parameter, t, value = row
        if not isinstance(device, str) or not isinstance(parameter, str) or not device or not parameter:
            raise bad_request(f"{where}: device and parameter must be names.")
        if len(device) > 200 or len(parameter) > 64:
            raise bad_request(f"{where}: the device or parameter name is too long.")
        t_ns = now if t in (None, "") else to_ns(t, f"time of reading {index + 1}")
        if t_ns > latest:
            raise bad_request(f"{where} is time-stamped {t!r}, more than five minutes in the future; check the "
                              "sender's clock.")
        clean.append((device, parameter, t_ns, _number(value, where)))
    return clean


def parse_csv(text):
    """Rows of a CSV batch with the header device,parameter,time,value."""
    reader = csv.reader(io.StringIO(text), strict=True)
    try:
        header = next(reader, None)
        if header is None or [h.strip().lower() for h in header] != CSV_HEADER:
            raise bad_request(f"The CSV must start with the header line {','.join(CSV_HEADER)}.")
        rows = []
        for line, fields in enumerate(reader, start=2):
            if not fields:
                continue
            if len(fields) != 4:
                raise bad_request(f"CSV line {line} has {len(fields)} fields; it needs 4 ({','.join(CSV_HEADER)}).")
            rows.append(tuple(f.strip() for f in fields))
            if len(rows) > MAX_BATCH:
                raise bad_request(f"A batch holds at most {MAX_BATCH} readings; send it in parts.")
    except csv.Error as error:
        raise bad_request(f"The CSV cannot be read: {error}.") from None
    return rows


def ingest(principal, rows):
    """Check a whole batch, then store it in one transaction: all of it or nothing. {stored, parameters}."""
    clean = check_rows(rows)
    found = parameters_of({(device, parameter) for device, parameter, _, _ in clean})
    require_reporter(principal, {device: (None, group_id) for (device, _), (_, group_id) in found.items()})
    records = [(found[(device, parameter)][0], t_ns, value) for device, parameter, t_ns, value in clean]
    with writing():
        store_rows(records)
    return {"stored": len(records), "parameters": len(found)}


def _window(start_ns, end_ns, points):
    if end_ns <= start_ns:
        raise bad_request("The end of the window must come after its start.")
    if not 1 <= points <= MAX_POINTS:
        raise bad_request(f"Ask for 1 to {MAX_POINTS} points.")
    return max(-(-(end_ns - start_ns) // points), 1)  # rounded up, so the window holds at most `points` bins


def series(parameter, start_ns, end_ns, points=1000):
    """The readings between start and end binned into at most `points` buckets: {t (Unix seconds of each bucket's
    first reading), min, mean, max, count, source, bucket_s}. Wide buckets come from the per-hour or per-minute
    rollups, narrow ones from the raw readings; a window older than the raw readings (or the minute rollups) are
    kept for is drawn from the next coarser source that still has it."""
    width = _window(start_ns, end_ns, points)
    finest = next((r for r in reversed(RESOLUTIONS) if width >= r * NS), None)
    sources = [None, *RESOLUTIONS] if finest is None else [r for r in RESOLUTIONS if r >= finest]
    for resolution in sources:
        found = _binned(parameter, start_ns, end_ns, width, resolution)
        if found["count"]:
            break
    return {**found, "source": {60: "minute", 3600: "hour"}.get(resolution, "raw"), "bucket_s": width / NS}


def _binned(parameter, start_ns, end_ns, width, resolution):
    if resolution:
        sql = ("SELECT (bucket_ns - ?) / ? AS b, MIN(bucket_ns), MIN(vmin), MAX(vmax), SUM(vsum), SUM(n) "
               "FROM reading_rollups WHERE parameter_id = ? AND resolution_s = ? AND bucket_ns >= ? AND bucket_ns < ? "
               "GROUP BY b ORDER BY b")
        params = (start_ns, width, parameter.id, resolution, start_ns - start_ns % (resolution * NS), end_ns)
    else:
        sql = ("SELECT (t_ns - ?) / ? AS b, MIN(t_ns), MIN(value), MAX(value), SUM(value), COUNT(*) "
               "FROM readings WHERE parameter_id = ? AND t_ns >= ? AND t_ns < ? GROUP BY b ORDER BY b")
        params = (start_ns, width, parameter.id, start_ns, end_ns)
    out = {"t": [], "min": [], "mean": [], "max": [], "count": []}
    for _, first, low, high, total, count in database.execute_sql(plain(sql), params):
        out["t"].append(max(first, start_ns) / NS)
        out["min"].append(low)
        out["max"].append(high)
        out["mean"].append(total / count)
        out["count"].append(count)
    return out


def raw_rows(parameter, start_ns, end_ns, limit):
    """(t_ns, value) of the raw readings in the window, oldest first, at most limit of them."""
    return (Reading.select(Reading.t_ns, Reading.value)
            .where(Reading.parameter_id == parameter.id, Reading.t_ns >= start_ns, Reading.t_ns < end_ns)
            .order_by(Reading.t_ns).limit(limit).tuples().iterator())


def count_raw(parameter, start_ns, end_ns):
    return Reading.select().where(Reading.parameter_id == parameter.id, Reading.t_ns >= start_ns,
                                  Reading.t_ns < end_ns).count()
