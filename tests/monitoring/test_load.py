"""Load and faults on a real `dcs serve` over a fresh SQLite file: 200 device controllers posting heartbeats for a
minute are all answered and every heartbeat is counted; a server killed with SIGKILL in the middle of ingest loses
no acknowledged reading and keeps its alerts' states and history, and works again once restarted."""

import random
import threading
import time

from ..server import dcs_env
from .load_clients import (NS, TIMEOUT, Client, Controller, ReadingsPoster, Server, add_person, join_all, query,
                           seed, wait_for)

CLIENTS, LOAD_S = 200, 60
GROUP = "load"


def _setup_server(tmp_path, env):
    """The server that creates users, tokens, devices and parameters, without the alert engine: setting up goes
    one request after the other, and nothing else writes meanwhile."""
    return Server(dict(env, DCS_MONITOR="0"), tmp_path / "setup.log")


def _heartbeat_counts(env):
    """{device: (heartbeat rows, distinct seqs, highest seq, beats counted by the watch)} from the database file."""
    rows = query(env, "SELECT d.name, COUNT(h.id), COUNT(DISTINCT h.seq), MAX(h.seq), w.beats FROM devices d "
                      "JOIN heartbeat_watches w ON w.device_id = d.id LEFT JOIN heartbeats h ON h.device_id = d.id "
                      "GROUP BY d.name, w.beats")
    return {name: tuple(values) for name, *values in rows}


def test_200_clients_posting_heartbeats_for_a_minute_are_all_answered_and_every_heartbeat_is_counted(tmp_path):
    env = dcs_env(tmp_path)
    admin_token = seed(env, GROUP)
    devices = [f"sipm-{i:03d}" for i in range(CLIENTS)]
    setup = _setup_server(tmp_path, env)
    try:
        admin = Client(setup.base_url, admin_token)
        token = add_person(admin, "controller", "member", GROUP, ["heartbeat"])
        for device in devices:
            admin.ok("POST", "/api/devices", {"name": device, "group": GROUP, "subsystem": "ECal"})
        admin.close()
    finally:
        setup.stop()

    server = Server(env, tmp_path / "serve.log")
    try:
        start, stop = threading.Barrier(CLIENTS), threading.Event()
        clients = [Controller(server.base_url, token, device, start, stop, seconds=LOAD_S) for device in devices]
        for client in clients:
            client.start()
        join_all(clients, LOAD_S + 2 * TIMEOUT)  # each ends at its deadline, after at most one more answer
        stop.set()
        assert not any(client.is_alive() for client in clients), "a client hung past its deadline"
        watches = {w["device"]: w for w in Client(server.base_url, admin_token).ok(
            "GET", "/api/monitoring/heartbeats")["heartbeats"]}
    finally:
        server.stop()

    log = server.output()
    starved = [c.device for c in clients if c.first_answer is None or c.first_answer >= c.deadline]
    assert not starved, (f"{len(starved)} of {CLIENTS} clients got no answer while all of them were connected "
                         f"(e.g. {starved[:3]}: {[c.broken[:1] for c in clients if c.device in starved][:3]}); "
                         f"the server serves only some of the connections at a time\nserver log:\n{log}")
    refused = [f"{c.device} {e}" for c in clients for e in c.refused]
    broken = [f"{c.device} {e}" for c in clients for e in c.broken]
    assert not refused, f"{len(refused)} heartbeats refused, e.g. {refused[:3]}\nserver log:\n{log}"
    assert not broken, f"{len(broken)} connection errors, e.g. {broken[:3]}\nserver log:\n{log}"
    counts = _heartbeat_counts(env)
    for client in clients:
        rows, seqs, last_seq, beats = counts[client.device]
        assert (rows, seqs, last_seq, beats) == (client.accepted,) * 4, (
            f"{client.device}: {client.accepted} heartbeats answered 200, but {rows} rows, {seqs} distinct seqs, "
            f"highest seq {last_seq}, {beats} beats counted")
        assert watches[client.device]["beats"] == client.accepted
        assert watches[client.device]["last_seq"] == client.accepted
    print(f"{sum(c.accepted for c in clients)} heartbeats from {CLIENTS} clients in {LOAD_S} s "
          f"({min(c.accepted for c in clients)} to {max(c.accepted for c in clients)} per client)")


LOADERS = [f"adc-{i:02d}" for i in range(4)]
ACK_COMMENT = "HV trip seen by the shift; expert called"
SHELVE_COMMENT = "temperature probe known to be broken, replaced on Monday"


def _alerts_on(client, *parameters):
    """{parameter: alert} of the open limit alerts, once every parameter named has one; else None."""
    alerts = client.ok("GET", "/api/alerts?state=open")["alerts"]
    found = {a["parameter"]: a for a in alerts if a["kind"] == "limit"}
    return found if set(parameters) <= set(found) else None


def _page(client, alert_id):
    return client.ok("GET", f"/api/alerts/{alert_id}")["alert"]


def _engine_ran_again(client, pid, ticks_before):
    """The restarted server's engine holds the lease and finished two ticks."""
    engine = client.ok("GET", "/api/monitoring/engine")["engine"]
    return engine["holder"] and engine["holder"].endswith(f":{pid}") and engine["ticks"] >= ticks_before + 2


def test_a_server_killed_mid_load_loses_no_acknowledged_reading_and_keeps_its_alerts(tmp_path):
    env = dcs_env(tmp_path)
    admin_token = seed(env, GROUP)
    setup = _setup_server(tmp_path, env)
    try:
        admin = Client(setup.base_url, admin_token)
        controller_token = add_person(admin, "controller", "member", GROUP, ["heartbeat"])
        shifter_token = add_person(admin, "shifter", "operator", GROUP, ["read", "write"])
        for device in ["sipm-hv01", *LOADERS]:
            admin.ok("POST", "/api/devices", {"name": device, "group": GROUP, "subsystem": "ECal"})
        limits = "/api/monitoring/devices/sipm-hv01/parameters"
        admin.ok("PUT", f"{limits}/hv", {"unit": "V", "warn_high": 90, "alarm_high": 100})
        admin.ok("PUT", f"{limits}/temp", {"unit": "C", "warn_high": 40, "alarm_high": 50})
        for device in LOADERS:
            admin.ok("PUT", f"/api/monitoring/devices/{device}/parameters/ch0", {"unit": "mV"})
        admin.close()
    finally:
        setup.stop()

    server = Server(env, tmp_path / "serve.log")
    posters, beating = [], []
    try:
        controller, shifter = Client(server.base_url, controller_token), Client(server.base_url, shifter_token)
        now_s = time.time_ns() // NS
        controller.ok("POST", "/api/readings", {"readings": [
            {"device": "sipm-hv01", "parameter": "hv", "t": now_s - 5, "value": 150},
            {"device": "sipm-hv01", "parameter": "temp", "t": now_s - 5, "value": 80}]})
        raised = wait_for(lambda: _alerts_on(shifter, "hv", "temp"), "the engine to raise the hv and temp alarms")
        hv, temp = raised["hv"]["id"], raised["temp"]["id"]
        shifter.ok("POST", "/api/alerts/acknowledge", {"ids": [hv], "comment": ACK_COMMENT})
        shifter.ok("POST", "/api/alerts/shelve", {"ids": [temp], "minutes": 120, "comment": SHELVE_COMMENT})
        before = {alert_id: _page(shifter, alert_id) for alert_id in (hv, temp)}
        assert before[hv]["state"] == "acknowledged" and before[temp]["shelved"]

        start, stop = threading.Barrier(len(LOADERS)), threading.Event()
        for device in LOADERS:  # a parameter each, so that (parameter, t) is unique
            posters.append(ReadingsPoster(server.base_url, controller_token, device, "ch0", now_s - 86400))
            beating.append(Controller(server.base_url, controller_token, device, start, stop))
        for thread in posters + beating:
            thread.start()
        wait_for(lambda: all(p.batches >= 3 or p.refused or p.broken for p in posters) and
                 all(c.accepted >= 3 or c.refused or c.broken for c in beating),
                 "every client to have its first answers")
        time.sleep(random.uniform(0.0, 0.3))
        server.kill()
    finally:
        server.kill()
        stop.set()
        for thread in posters:
            thread.stop_event.set()
        join_all(posters + beating, 2 * TIMEOUT)

    log = server.output()
    assert not [p.refused for p in posters if p.refused], f"readings refused before the kill\n{log}"
    assert not [c.refused for c in beating if c.refused], f"heartbeats refused before the kill\n{log}"
    assert sum(p.batches for p in posters) >= 3 * len(posters)

    restarted = Server(env, tmp_path / "restarted.log")
    try:
        shifter = Client(restarted.base_url, shifter_token)
        ticks = shifter.ok("GET", "/api/monitoring/engine")["engine"]["ticks"]

        # Every acknowledged reading is there with its value; of the batch under way at the kill, all or nothing.
        for poster in posters:
            stored = dict(query(env, "SELECT r.t_ns, r.value FROM readings r JOIN parameters p ON "
                                     "p.id = r.parameter_id JOIN devices d ON d.id = p.device_id "
                                     "WHERE d.name = ? AND p.name = 'ch0'", (poster.device,)))
            lost = {t: v for t, v in poster.acknowledged.items() if stored.get(t) != v}
            assert not lost, f"{poster.device}: {len(lost)} acknowledged readings lost or changed"
            extra = set(stored) - set(poster.acknowledged)
            assert extra in (set(), set(poster.in_flight)), f"{poster.device}: a batch was stored in part"
            print(f"{poster.device}: {len(poster.acknowledged)} readings acknowledged before the kill, "
                  f"the batch under way {'stored' if extra else 'not stored'} ({poster.broken})")
        # Every acknowledged heartbeat is there, once (the one under way at the kill may be too).
        counts = _heartbeat_counts(env)
        for client in beating:
            rows, seqs, last_seq, beats = counts[client.device]
            assert client.accepted <= rows == seqs == beats <= last_seq <= client.seq, (
                client.device, client.accepted, client.seq, counts[client.device])

        # The restarted engine takes the lease once the dead one's lapses; having run, it changed no alert.
        wait_for(lambda: _engine_ran_again(shifter, restarted.pid, ticks), "the restarted alert engine to run",
                 limit=90)
        after = {alert_id: _page(shifter, alert_id) for alert_id in (hv, temp)}
        assert (after[hv]["state"], after[hv]["ack_comment"], after[hv]["acked_by"]) == (
            "acknowledged", ACK_COMMENT, "token:shifter-token(shifter)")
        assert (after[temp]["state"], after[temp]["shelved"], after[temp]["shelve_comment"]) == (
            "active", True, SHELVE_COMMENT)
        assert after[temp]["shelved_until"] == before[temp]["shelved_until"]
        for alert_id in (hv, temp):
            assert after[alert_id]["history"] == before[alert_id]["history"]
            assert [e["event"] for e in after[alert_id]["history"]][-1] in ("acknowledged", "shelved")

        # And it works again: heartbeats and readings are taken and counted.
        controller = Client(restarted.base_url, controller_token)
        for seq in range(1, 4):
            answer = controller.ok("POST", "/api/heartbeats", {"device": "sipm-hv01", "seq": seq})
            assert answer["heartbeats"][0]["state"] == "up"
        controller.ok("POST", "/api/readings", {"readings": [
            {"device": LOADERS[0], "parameter": "ch0", "t": time.time_ns() // NS, "value": 1.5}]})
        watch = {w["device"]: w for w in shifter.ok("GET", "/api/monitoring/heartbeats")["heartbeats"]}["sipm-hv01"]
        assert (watch["beats"], watch["last_seq"]) == (3, 3)
    finally:
        restarted.stop()
