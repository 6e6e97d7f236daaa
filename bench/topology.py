"""The whole topology of 5,000 devices and 20,000 connections: the API against the raw SQL, side by side.

- raw SQL: Python's sqlite3 on the same database file runs the two queries the API runs (devices with
  their placement at the time, connections as pairs of device ids) and fetches every row.
- API: GET /api/topology through waitress on loopback with a token (a real socket), the JSON parsed
  on arrival as the browser does. It returns the same rows: the devices, and the connections as
  pairs of row indexes with their kind.
Target: the API within 3x of the raw SQL.
"""

import json
import random
import sqlite3
import tempfile

from dcs.audit import Actor
from dcs.auth.users import create_group
from dcs.db import database
from dcs.topology.graph import CONNECTIONS, device_query

from .fresh import fresh_portal
from .serving import http_getter
from .timing import median_pair

ACTOR = Actor("bench")
DEVICES, CONNECTIONS_COUNT, PORTS = 5_000, 20_000, 8
SUBSYSTEMS = ("ECal", "SAC", "PVeto", "EVeto", "HEPVeto", "Beam", "DAQ", "XPP")
ROUNDS, PER_ROUND = 7, 3
TARGET = 3.0


def build(seed=5):
    """5,000 devices with 8 ports each and 20,000 connections between free ports, written in bulk."""
    rng = random.Random(seed)
    group = create_group(ACTOR, "bench", "benchmark group")
    with database.atomic():
        types = {}
        for name in ("sipm", "bgo", "adc", "switch"):
            types[name] = database.execute_sql("INSERT INTO device_types (name, description) VALUES (?, '')",
                                               (name,)).lastrowid
        devices = []
        for i in range(DEVICES):
            dettype = ("sipm", "bgo", "adc", "switch")[i % 4]
            devices.append((f"{dettype}-{i:05d}", types[dettype], f"{i:05d}", SUBSYSTEMS[i % len(SUBSYSTEMS)],
                            group.id))
        for start in range(0, DEVICES, 1000):
            chunk = devices[start:start + 1000]
            database.execute_sql("INSERT INTO devices (name, type_id, detid, subsystem, group_id, created_ns) VALUES "
                                 + ", ".join(["(?, ?, ?, ?, ?, 0)"] * len(chunk)), [v for row in chunk for v in row])
        ids = [row[0] for row in database.execute_sql("SELECT id FROM devices ORDER BY id")]
        ports = [(device_id, f"p{p}") for device_id in ids for p in range(PORTS)]
        for start in range(0, len(ports), 5000):
            chunk = ports[start:start + 5000]
            database.execute_sql("INSERT INTO device_ports (device_id, name) VALUES "
                                 + ", ".join(["(?, ?)"] * len(chunk)), [v for row in chunk for v in row])
        port_ids = [row[0] for row in database.execute_sql("SELECT id FROM device_ports ORDER BY id")]
        rng.shuffle(port_ids)
        pairs = [(port_ids[2 * i], port_ids[2 * i + 1], rng.choice(("HV", "LV", "readout", "network", "trigger")))
                 for i in range(CONNECTIONS_COUNT)]
        for start in range(0, len(pairs), 3000):
            chunk = pairs[start:start + 3000]
            database.execute_sql("INSERT INTO connections (from_port_id, to_port_id, kind, created_by, created_ns) "
                                 "VALUES " + ", ".join(["(?, ?, ?, 'bench', 0)"] * len(chunk)),
                                 [v for row in chunk for v in row])
        placements = [(device_id, "XPP", "xpp-bench" if n % 2 else "padme-bench") for n, device_id in enumerate(ids)]
        for start in range(0, len(placements), 3000):
            chunk = placements[start:start + 3000]
            database.execute_sql("INSERT INTO placements (device_id, instrument, experiment, begin_ns) VALUES "
                                 + ", ".join(["(?, ?, ?, 0)"] * len(chunk)), [v for row in chunk for v in row])


def _raw_sql(path, t_ns):
    """The rows the API returns, by the same queries on plain sqlite3."""
    sql, params = device_query(t_ns=t_ns)
    connection = sqlite3.connect(path)

    def run():
        devices = connection.execute(sql, params).fetchall()
        connections = connection.execute(CONNECTIONS).fetchall()
        return len(devices), len(connections)

    return run


def _api(settings, t_ns):
    get = http_getter(settings, f"/api/topology?at={t_ns / 1e9:.9f}")

    def graph():
        found = json.loads(get())
        return len(found["devices"]), len(found["connections"])

    return graph


def run():
    with tempfile.TemporaryDirectory() as tmp:
        settings, db = fresh_portal(tmp)
        build()
        t_ns = 10**18
        raw = _raw_sql(settings.database_url[len("sqlite:///"):], t_ns)
        api = _api(settings, t_ns)
        if raw() != api() or raw() != (DEVICES, CONNECTIONS_COUNT):
            raise RuntimeError(f"the API and the raw SQL disagree: {api()} against {raw()}")
        api_s, raw_s = median_pair(api, raw, ROUNDS, PER_ROUND)
        ratio = api_s / raw_s
        print(f"   topology of {DEVICES} devices and {CONNECTIONS_COUNT} connections")
        print(f"   raw SQL {raw_s * 1000:.1f} ms, API over HTTP {api_s * 1000:.1f} ms")
        print(f"   API / raw SQL {ratio:.2f} (target <= {TARGET:.2f}: {'yes' if ratio <= TARGET else 'NO'})")
        return {"devices": DEVICES, "connections": CONNECTIONS_COUNT, "raw_sql_ms": raw_s * 1000,
                "api_ms": api_s * 1000, "ratio": ratio, "target": TARGET, "met": ratio <= TARGET}
