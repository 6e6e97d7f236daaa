"""Monitoring: heartbeat and readings ingest, plots and the alert engine, measured side by side in one run.

- heartbeats: two waitress servers in this process (8 threads each, the portal's waitress options), a bare
  Bottle app answering `{}` to a POST and the portal on a fresh SQLite file; a client process (8 threads,
  one keep-alive connection each, like 8 device controllers) posts JSON heartbeats (device, seq) for its own
  device, with the device controller's heartbeat-scope token, as fast as answers come, in interleaved rounds.
  Ratio: portal requests/s / bare requests/s (target >= 0.50). A third variant, heartbeats that carry a
  payload of two readings (stored as readings with their rollups as well), is measured in the same rounds
  and printed beside it.
- readings: 100,000 readings of 100 parameters through `readings.ingest(principal, rows)` (rows as JSON
  gives them: dicts with seconds as floats) against plain sqlite3 `executemany` of the same
  (parameter_id, t_ns, value) rows into an identical table (same schema, index and pragmas) in another
  file, one transaction each. Ratio: raw time / ingest time (target >= 0.10). A batch of the same size as one
  POST /api/readings over loopback (the transfer and the server's JSON parsing included; the best of two)
  is shown beside it.
- plot: 7 days of 1 Hz readings of one parameter (604,800, stored with their rollups by `store_rows`);
  `readings.series(parameter, start, end, 2000)` against fetching every raw point of the window into
  Python. Ratio: series / raw (target <= 0.05).
- engine: 10,000 parameters with limits on 100 devices, one reading each per simulated second (about 1%
  crossing a limit, the crossed ones coming back), then one `Engine.tick()`; the tick's CPU time
  (time.thread_time) summed over the seconds and divided by their number: the share of one core the
  engine needs (target < 0.25). The inserts are the ingest's cost, not the engine's, and are not counted.
"""

import json
import logging
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from bottle import Bottle, request
from dcs.audit import Actor
from dcs.auth.tokens import create_token, token_principal
from dcs.auth.users import create_group, create_user
from dcs.cli import WAITRESS_OPTIONS
from dcs.db import SQLITE_PRAGMAS, database, writing
from dcs.monitoring import heartbeats, notify, parameters, readings
from dcs.monitoring.engine import Engine
from dcs.monitoring.models import Alert
from dcs.timeutil import NS, now_ns
from dcs.topology.devices import add_device
from dcs.web.app import create_app
from waitress.server import create_server

from .fresh import fresh_portal
from .timing import median_pair

ACTOR = Actor("bench")
PASSWORD = "bench-password-1234"
TARGETS = {"heartbeats: portal / bare waitress": (">=", 0.50), "readings: raw executemany / ingest": (">=", 0.10),
           "plot: series / raw select": ("<=", 0.05), "engine: CPU s per simulated s": ("<", 0.25)}

CLIENTS, HEARTBEAT_ROUNDS, ROUND_S = 8, 5, 2.0
READINGS, READING_PARAMETERS, READING_ROUNDS = 100_000, 100, 5
WEEK_S, PLOT_POINTS, PLOT_ROUNDS, PLOT_PER_ROUND = 7 * 86400, 2000, 5, 2
ENGINE_DEVICES, ENGINE_PER_DEVICE, ENGINE_SECONDS = 100, 100, 10

# The client process: 8 threads, one keep-alive connection each, posting heartbeats for its own device as fast
# as the server answers. It reads one round per line on stdin ({"port", "seconds"}) and answers one line:
# {"ok": answers 200, "errors": [first few problems], "seconds": wall time of the round}.
CLIENT = r"""
import http.client, json, sys, threading, time
config = json.loads(sys.argv[1])
seqs = [0] * len(config["devices"])
for line in sys.stdin:
    job = json.loads(line)
    counts, errors, barrier = [0] * len(seqs), [], threading.Barrier(len(seqs) + 1)
    def client(index):
        connection = http.client.HTTPConnection("127.0.0.1", job["port"], timeout=60)
        headers = {"Content-Type": "application/json", "Authorization": "Bearer " + config["token"]}
        device = config["devices"][index]
        barrier.wait()
        deadline = time.perf_counter() + job["seconds"]
        while time.perf_counter() < deadline:
            seqs[index] += 1
            beat = {"device": device, "seq": seqs[index]}
            if job["payload"]:
                beat["payload"] = {"temp": 20.0 + seqs[index] % 7 * 0.1, "hv": 150.0}
            body = json.dumps(beat)
            try:
                connection.request("POST", "/api/heartbeats", body, headers)
                response = connection.getresponse()
                answer = response.read()
            except OSError as error:
                errors.append(repr(error))
                connection.close()
                continue
            if response.status == 200:
                counts[index] += 1
            elif len(errors) < 5:
                errors.append(f"{response.status} {answer[:200]!r}")
        connection.close()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(seqs))]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    print(json.dumps({"ok": sum(counts), "errors": errors, "seconds": time.perf_counter() - start}), flush=True)
"""


def _bare_app():
    app = Bottle()

    @app.route("/api/heartbeats", "POST")
    def heartbeat():
        request.body.read()
        return {}

    return app


def _serve(app):
    server = create_server(app, host="127.0.0.1", port=0, threads=8, **WAITRESS_OPTIONS)
    threading.Thread(target=server.run, daemon=True).start()
    return server


def _controller(group, devices, names):
    """Devices of group with the given parameters, and a device controller (a member) with a heartbeat token."""
    for device in devices:
        added = add_device(ACTOR, device, group=group.name)
        for name in names:
            parameters.define(ACTOR, added, name, {"warn_low": 0.0, "warn_high": 1000.0})
    user = create_user(ACTOR, "controller", PASSWORD, 10, memberships=[{"group": group.name, "role": "member"}])
    _, secret = create_token(ACTOR, user, "controller", ["heartbeat"])
    return secret


def bench_heartbeats(tmp):
    queue_log = logging.getLogger("waitress.queue")  # "task queue depth is 1": expected under this load
    level = queue_log.level
    queue_log.setLevel(logging.ERROR)
    settings, _ = fresh_portal(tmp)
    group = create_group(ACTOR, "bench")
    devices = [f"sipm-{i:04d}" for i in range(CLIENTS)]
    secret = _controller(group, devices, ("temp", "hv"))
    servers = {"bare": _serve(_bare_app()), "portal": _serve(create_app(settings))}
    client = subprocess.Popen([sys.executable, "-c", CLIENT, json.dumps({"devices": devices, "token": secret})],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    # (server, with a payload): the bare endpoint, heartbeats alone, heartbeats carrying two readings
    variants = {"bare": ("bare", False), "portal": ("portal", False), "with payload": ("portal", True)}
    answered = {name: 0 for name in variants}

    def round_of(name, seconds):
        server, payload = variants[name]
        client.stdin.write(json.dumps({"port": servers[server].effective_port, "seconds": seconds,
                                       "payload": payload}) + "\n")
        client.stdin.flush()
        result = json.loads(client.stdout.readline())
        if result["errors"]:
            raise RuntimeError(f"heartbeats to the {name} server failed: {result['errors']}")
        answered[name] += result["ok"]
        return result["ok"] / result["seconds"]

    try:
        for name in variants:  # warm up: connections, caches, the first rows
            round_of(name, 0.5)
        rates = {name: [] for name in variants}
        for _ in range(HEARTBEAT_ROUNDS):
            for name in variants:
                rates[name].append(round_of(name, ROUND_S))
    finally:
        client.stdin.close()
        client.wait(timeout=60)
        for server in servers.values():
            server.close()
        queue_log.setLevel(level)
    stored = database.execute_sql("SELECT COUNT(*), (SELECT SUM(beats) FROM heartbeat_watches) FROM heartbeats")
    count, beats = stored.fetchone()
    database.close()
    sent = answered["portal"] + answered["with payload"]
    if not count == beats == sent:
        raise RuntimeError(f"the portal answered {sent} heartbeats, stored {count}, counted {beats}")
    median = {name: statistics.median(values) for name, values in rates.items()}
    print(f"   heartbeats: {CLIENTS} clients with keep-alive connections, {HEARTBEAT_ROUNDS} rounds of {ROUND_S:.0f} s "
          f"each way; the portal stored {count} heartbeats ({beats} counted by the watches)")
    for name, values in rates.items():
        print(f"   {name:<13} {median[name]:8.0f} requests/s  (rounds: {', '.join(f'{v:.0f}' for v in values)})")
    with_payload = median["with payload"] / median["bare"]
    print(f"   heartbeats carrying a payload of 2 readings (stored as readings too): portal / bare {with_payload:.3f}")
    return median["portal"] / median["bare"], {"requests_per_s": median, "rounds": rates,
                                                "with_payload_ratio": with_payload, "heartbeats_stored": count,
                                                "beats_counted": beats}


def _reading_rows(pairs, round_index):
    """READINGS rows as JSON gives them, round-robin over the (device, parameter) pairs at 1 Hz, each round
    later than the one before; and the same as (parameter_id, t_ns, value) for the raw inserts."""
    base = 1_600_000_000 + round_index * 10_000
    rows = []
    for i in range(READINGS):
        device, name = pairs[i % len(pairs)]
        rows.append({"device": device, "parameter": name, "t": base + i // len(pairs) + 0.25,
                     "value": 20.0 + (i % 97) * 0.01})
    return rows


def _raw_table(path):
    """A bare table like readings (same columns, index and pragmas) in a file of its own."""
    connection = sqlite3.connect(path, isolation_level=None)
    for pragma, value in SQLITE_PRAGMAS.items():
        connection.execute(f"PRAGMA {pragma} = {value}")
    connection.execute("CREATE TABLE readings (id INTEGER PRIMARY KEY AUTOINCREMENT, parameter_id BIGINT NOT NULL, "
                       "t_ns BIGINT NOT NULL, value DOUBLE PRECISION NOT NULL)")
    connection.execute("CREATE INDEX readings_parameter ON readings (parameter_id, t_ns)")
    return connection


def bench_readings(tmp):
    settings, _ = fresh_portal(tmp)
    group = create_group(ACTOR, "bench")
    devices = [f"adc-{i:04d}" for i in range(READING_PARAMETERS // 10)]
    secret = _controller(group, devices, [f"ch{c:02d}" for c in range(10)])
    principal = token_principal(secret)
    pairs = [(device, f"ch{c:02d}") for device in devices for c in range(10)]
    ids = {(device, name): pid for pid, device, name in database.execute_sql(
        "SELECT p.id, d.name, p.name FROM parameters p JOIN devices d ON d.id = p.device_id")}
    raw = _raw_table(f"{tmp}/raw.sqlite")
    batches = [_reading_rows(pairs, r) for r in range(READING_ROUNDS + 2)]
    raw_batches = [[(ids[(row["device"], row["parameter"])], int(row["t"]) * NS + NS // 4, row["value"])
                    for row in batch] for batch in batches]
    seconds = {"ingest": [], "raw": []}

    def timed(name, call, rows):
        start = time.perf_counter()
        call(rows)
        seconds[name].append(time.perf_counter() - start)

    def raw_insert(rows):
        raw.execute("BEGIN")
        raw.executemany("INSERT INTO readings (parameter_id, t_ns, value) VALUES (?, ?, ?)", rows)
        raw.execute("COMMIT")

    for r in range(READING_ROUNDS):
        timed("ingest", lambda rows: readings.ingest(principal, rows), batches[r])
        timed("raw", raw_insert, raw_batches[r])
    counts = (database.execute_sql("SELECT COUNT(*) FROM readings").fetchone()[0],
              raw.execute("SELECT COUNT(*) FROM readings").fetchone()[0])
    if counts != (READINGS * READING_ROUNDS,) * 2:
        raise RuntimeError(f"ingest and the raw inserts stored {counts}, not {READINGS * READING_ROUNDS} each")

    server = create_server(create_app(settings), host="127.0.0.1", port=0, threads=4, **WAITRESS_OPTIONS)
    threading.Thread(target=server.run, daemon=True).start()
    http_seconds = []
    for r in range(READING_ROUNDS, READING_ROUNDS + 2):
        body = json.dumps({"readings": batches[r]}).encode()
        post = urllib.request.Request(f"http://127.0.0.1:{server.effective_port}/api/readings", data=body,
                                      headers={"Content-Type": "application/json",
                                               "Authorization": f"Bearer {secret}"})
        start = time.perf_counter()
        with urllib.request.urlopen(post, timeout=300) as response:
            answer = json.load(response)
        http_seconds.append(time.perf_counter() - start)
        if answer.get("stored") != READINGS:
            raise RuntimeError(f"POST /api/readings answered {answer}")
    server.close()
    raw.close()
    database.close()

    median = {name: statistics.median(values) for name, values in seconds.items()}
    median["http"] = min(http_seconds)
    print(f"   readings: batches of {READINGS} readings of {READING_PARAMETERS} parameters, {READING_ROUNDS} rounds")
    for name, label in (("raw", "raw sqlite3 executemany"), ("ingest", "readings.ingest()"),
                        ("http", "POST /api/readings (JSON)")):
        print(f"   {label:<28} {median[name]:7.3f} s  ({READINGS / median[name]:9.0f} readings/s)")
    print(f"   (raw / POST over HTTP {median['raw'] / median['http']:.3f})")
    return median["raw"] / median["ingest"], {"seconds": median, "rounds": seconds, "http_rounds": http_seconds,
                                              "raw_over_http": median["raw"] / median["http"]}


def bench_plot(tmp):
    fresh_portal(tmp)
    group = create_group(ACTOR, "bench")
    device = add_device(ACTOR, "bgo-0001", group=group.name)
    parameter = parameters.define(ACTOR, device, "temp", {"unit": "C"})
    end = now_ns() // NS * NS
    start = end - WEEK_S * NS
    rng = random.Random(7)
    filling = time.perf_counter()
    for first in range(0, WEEK_S, 50_000):
        with writing():
            readings.store_rows([(parameter.id, start + s * NS, 20.0 + rng.gauss(0, 0.5))
                                 for s in range(first, min(first + 50_000, WEEK_S))])
    filling = time.perf_counter() - filling
    sql = ("SELECT t_ns, value FROM readings WHERE parameter_id = ? AND t_ns BETWEEN ? AND ?")

    def raw():
        return database.execute_sql(sql, (parameter.id, start, end)).fetchall()

    def series():
        return readings.series(parameter, start, end, PLOT_POINTS)

    got, rows = series(), raw()
    if len(rows) != WEEK_S or len(got["t"]) > PLOT_POINTS or sum(got["count"]) != WEEK_S:
        raise RuntimeError(f"{len(rows)} raw rows, {len(got['t'])} points holding {sum(got['count'])} readings")
    series_s, raw_s = median_pair(series, raw, PLOT_ROUNDS, PLOT_PER_ROUND)
    database.close()
    print(f"   plot: {WEEK_S} readings of 1 parameter (7 days at 1 Hz, stored with rollups in {filling:.1f} s); "
          f"series gives {len(got['t'])} points from the {got['source']} rollups")
    print(f"   raw select of every point {raw_s * 1000:8.1f} ms, series of {PLOT_POINTS} points "
          f"{series_s * 1000:6.1f} ms")
    return series_s / raw_s, {"raw_ms": raw_s * 1000, "series_ms": series_s * 1000, "points": len(got["t"]),
                              "source": got["source"], "fill_s": filling}


def bench_engine(tmp):
    settings, _ = fresh_portal(tmp)
    group = create_group(ACTOR, "bench")
    user = create_user(ACTOR, "shifter", PASSWORD, 10, email="shifter@example.org",
                       memberships=[{"group": group.name, "role": "operator"}])
    notify.subscribe(ACTOR, settings, user, "email", "shifter@example.org", min_severity="warning")
    devices = [add_device(ACTOR, f"sipm-{i:04d}", group=group.name) for i in range(ENGINE_DEVICES)]
    now = now_ns()
    rows = [{"device": d.id, "name": f"v{p:03d}", "unit": "V", "nominal": 50.0, "alarm_low": 0.0, "warn_low": 10.0,
             "warn_high": 90.0, "alarm_high": 100.0, "deadband": 1.0, "updated_ns": now}
            for d in devices for p in range(ENGINE_PER_DEVICE)]
    with writing():
        for first in range(0, len(rows), 1000):
            database.execute_sql(
                "INSERT INTO parameters (device_id, name, unit, nominal, alarm_low, warn_low, warn_high, alarm_high, "
                "deadband, updated_ns) VALUES " + ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * 1000),
                [v for row in rows[first:first + 1000] for v in row.values()])
    ids = [pid for (pid,) in database.execute_sql("SELECT id FROM parameters ORDER BY id")]
    controller = create_user(ACTOR, "controller", PASSWORD, 10, memberships=[{"group": group.name, "role": "member"}])
    principal = token_principal(create_token(ACTOR, controller, "controller", ["heartbeat"])[1])
    heartbeats.receive(ACTOR, principal, [{"device": d.name, "seq": 1} for d in devices])

    rng = random.Random(11)
    base = now - (ENGINE_SECONDS + 5) * NS
    bad = set()

    def second(k):
        """One reading per parameter at base + k s: about 1% cross a limit, about half of the bad come back."""
        t = base + k * NS
        for pid in rng.sample(ids, len(ids) // 100):
            bad.add(pid)
        for pid in rng.sample(sorted(bad), len(bad) // 2):
            bad.discard(pid)
        with writing():
            readings.store_rows([(pid, t, (rng.choice((95.0, 120.0, -5.0)) if pid in bad else 50.0 + rng.random()))
                                 for pid in ids])
        return t

    engine = Engine(settings, holder="bench")
    started = time.thread_time()
    engine.tick(second(0))  # start-up: loads the parameters and their limits, judges the latest values
    first_cpu = time.thread_time() - started
    cpu, wall, raised = [], [], []
    for k in range(1, ENGINE_SECONDS + 1):
        t = second(k)
        start_wall, start_cpu = time.perf_counter(), time.thread_time()
        result = engine.tick(t)
        cpu.append(time.thread_time() - start_cpu)
        wall.append(time.perf_counter() - start_wall)
        raised.append(result["alerts"])
    open_alerts = Alert.select().where(Alert.open_key.is_null(False)).count()
    queued = database.execute_sql("SELECT COUNT(*) FROM notifications").fetchone()[0]
    database.close()
    share = sum(cpu) / ENGINE_SECONDS
    print(f"   engine: {len(ids)} parameters on {ENGINE_DEVICES} devices, {ENGINE_SECONDS} simulated seconds of "
          f"{len(ids)} readings; alert changes per tick {', '.join(map(str, raised))}; {open_alerts} alerts open, "
          f"{queued} notifications queued")
    print(f"   first tick (loading the limits) {first_cpu * 1000:.0f} ms CPU; then per tick: CPU mean "
          f"{statistics.mean(cpu) * 1000:.0f} ms (max {max(cpu) * 1000:.0f}), wall mean "
          f"{statistics.mean(wall) * 1000:.0f} ms (max {max(wall) * 1000:.0f})")
    return share, {"tick_cpu_s": cpu, "tick_wall_s": wall, "mean_tick_wall_ms": statistics.mean(wall) * 1000,
                   "first_tick_cpu_ms": first_cpu * 1000, "alert_changes": raised, "open_alerts": open_alerts,
                   "notifications": queued}


def _met(name, value):
    op, target = TARGETS[name]
    return {">=": value >= target, "<=": value <= target, "<": value < target}[op]


def run():
    ratios, details = {}, {}
    for name, bench in (("heartbeats: portal / bare waitress", bench_heartbeats),
                        ("readings: raw executemany / ingest", bench_readings),
                        ("plot: series / raw select", bench_plot), ("engine: CPU s per simulated s", bench_engine)):
        with tempfile.TemporaryDirectory() as tmp:
            ratios[name], details[name.split(":")[0]] = bench(tmp)
    print(f"   {'ratio':<38} {'value':>8} {'target':>8}  met")
    for name, ratio in ratios.items():
        op, target = TARGETS[name]
        print(f"   {name:<38} {ratio:8.3f} {op + f'{target:.2f}':>8}  {'yes' if _met(name, ratio) else 'NO'}")
    return {"ratios": ratios, "targets": {name: f"{op} {target}" for name, (op, target) in TARGETS.items()},
            "met": {name: _met(name, ratio) for name, ratio in ratios.items()}, **details}
