"""Heartbeats from device controllers: one or a batch, signals and exit codes, the watch they keep, and every
kind of bad input refused with a clear sentence and nothing written."""

import time

import pytest

from dcs.monitoring.models import Heartbeat, Parameter, Reading, Watch
from dcs.topology.devices import get_device

from ..conftest import assert_error, snapshot
from .conftest import limits


@pytest.fixture
def controller(plant, token_for):
    """A device controller: a member's token with the heartbeat scope (used once, so its "last used" is set)."""
    client = token_for("maya", ["heartbeat"])[0]
    client.send("POST", "/api/heartbeats", {})
    return client


def test_a_heartbeat_creates_the_watch_counts_and_answers_the_state(controller):
    answer = controller.send("POST", "/api/heartbeats", {"device": "sipm-hv01", "seq": 7, "status": "ok"})
    assert answer.status_int == 200
    assert answer.json["heartbeats"] == [{"device": "sipm-hv01", "state": "up", "ignored": []}]
    watch = Watch.get(Watch.device == get_device("sipm-hv01"))
    assert (watch.state, watch.beats, watch.last_seq, watch.period_s) == ("up", 1, 7, 60)
    assert Heartbeat.select().count() == 1


def test_a_batch_is_counted_per_device(controller):
    batch = {"heartbeats": [{"device": "sipm-hv01", "seq": i} for i in range(3)] + [{"device": "adc-01"}]}
    assert controller.send("POST", "/api/heartbeats", batch).json["accepted"] == 4
    beats = {w.device.name: w.beats for w in Watch.select()}
    assert beats == {"sipm-hv01": 3, "adc-01": 1}
    assert Watch.get(Watch.device == get_device("sipm-hv01")).last_seq == 2


def test_start_fail_and_exit_codes_set_the_signal(controller):
    controller.send("POST", "/api/heartbeats", {"device": "adc-01", "signal": "start"})
    watch = Watch.get()
    assert watch.last_signal == "start" and watch.started_ns is not None and watch.state == "up"
    answer = controller.send("POST", "/api/heartbeats", {"device": "adc-01", "exit_code": 2, "status": "no clock"})
    assert answer.json["heartbeats"][0]["state"] == "down"
    assert Watch.get().exit_code == 2 and Watch.get().last_signal == "fail"
    controller.send("POST", "/api/heartbeats", {"device": "adc-01", "exit_code": 0})
    assert Watch.get().state == "up"
    controller.send("POST", "/api/heartbeats", {"device": "adc-01", "signal": "fail", "exit_code": 0})
    assert Watch.get().state == "down"  # a failure said out loud is one, whatever the exit code


def test_payload_values_become_readings_and_unknown_names_are_reported(controller):
    temp = limits("sipm-hv01", warn_high=30)
    answer = controller.send("POST", "/api/heartbeats", {"device": "sipm-hv01", "payload": {"temp": 24.5, "fan": 3}})
    assert answer.json["heartbeats"][0]["ignored"] == ["fan"]
    assert [(r.parameter_id, r.value) for r in Reading.select()] == [(temp.id, 24.5)]
    assert Parameter.get_by_id(temp.id).last_value == 24.5


@pytest.mark.parametrize("body, status, words", [
    ({"device": "nope-01"}, 404, ["no device named 'nope-01'"]),
    ({"heartbeats": [{"device": "sipm-hv01"}, {"device": "ghost-9"}]}, 404, ["ghost-9"]),
    ({"device": "sipm-hv01", "payload": {"temp": "hot"}}, 400, ["payload value of 'temp' must be a finite number"]),
    ({"device": "sipm-hv01", "sent_at": "2999-01-01T00:00:00Z"}, 400, ["outside"]),
    ({"device": "sipm-hv01", "sent_at": int(time.time()) + 3600}, 400, ["in the future", "clock"]),
    ({"device": "sipm-hv01", "signal": "explode"}, 400, ["signal must be one of"]),
    ({"device": "sipm-hv01", "exit_code": 1000}, 400, ["exit_code"]),
    ({"device": "sipm-hv01", "seq": -1}, 400, ["seq"]),
    ({"device": "sipm-hv01", "payload": {f"p{i}": 1 for i in range(65)}}, 400, ["at most 64 values"]),
    ({"device": "sipm-hv01", "payload": {"x": "y" * 9000}}, 400, ["payload must be at most"]),
    ({"device": "sipm-hv01", "status": "s" * 201}, 400, ["status"]),
    ({"device": "sipm-hv01", "admin": True}, 400, ["admin is not a known field"]),
    ({"heartbeats": []}, 400, ["no heartbeats"]),
    ({"heartbeats": [{"device": "sipm-hv01"}] * 1001}, 400, ["at most 1000"]),
    ({"heartbeats": "all of them"}, 400, ["must be a list"]),
    (["sipm-hv01"], 400, ["JSON object"]),
    ({"device": "sipm-hv01", "status": "ok\r\nBcc: eve@evil.org"}, 400, ["one line", "control characters"]),
    ({"device": "sipm-hv01", "payload": {"temp": 10**400}}, 400, ["finite number"]),
])
def test_bad_heartbeats_are_refused_whole_and_nothing_is_written(controller, body, status, words):
    before = snapshot()
    assert_error(controller.send("POST", "/api/heartbeats", body), status, *words)
    assert snapshot() == before


def test_a_nan_in_the_payload_is_refused(controller):
    before = snapshot()
    response = controller.app.post("/api/heartbeats", b'{"device": "sipm-hv01", "payload": {"temp": NaN}}',
                                   headers=controller.headers, content_type="application/json", expect_errors=True)
    assert_error(response, 400, "NaN")
    assert snapshot() == before


def test_an_oversize_body_is_refused(controller):
    response = controller.app.post("/api/heartbeats", b"{" + b" " * (2 * 1024**2) + b"}", headers=controller.headers,
                                   content_type="application/json", expect_errors=True)
    assert_error(response, 413, "too large")


def test_who_may_send_heartbeats(plant, token_for, login):
    body = {"device": "sipm-hv01"}
    viewer = token_for("vera", ["heartbeat"])[0]
    assert_error(viewer.send("POST", "/api/heartbeats", body), 403)
    reader = token_for("maya", ["read"])[0]
    assert_error(reader.send("POST", "/api/heartbeats", body), 403, "heartbeat")
    outsider = token_for("nobody", ["heartbeat"])[0]
    assert_error(outsider.send("POST", "/api/heartbeats", body), 403)
    revoked, token = token_for("olaf", ["heartbeat"])
    from dcs.auth.tokens import revoke_token
    from ..conftest import TEST_ACTOR

    revoke_token(TEST_ACTOR, token)
    assert_error(revoked.send("POST", "/api/heartbeats", body), 401, "revoked")
    assert Heartbeat.select().count() == 0
    assert login("olaf").post("/api/heartbeats", body).status_int == 200


def test_experts_set_the_period_and_operators_pause(plant, login):
    expert, operator, member = login("erin"), login("olaf"), login("maya")
    path = "/api/monitoring/devices/sipm-hv01/heartbeat"
    assert_error(operator.put(path, {"period_s": 5}), 403)
    answer = expert.put(path, {"period_s": 5, "grace_s": 2, "severity": "critical"})
    assert answer.json["heartbeat"]["period_s"] == 5 and answer.json["heartbeat"]["state"] == "new"
    assert_error(expert.put(path, {"period_s": 0}), 400, "period_s")
    assert_error(member.post(path + "/pause", {"minutes": 30}), 403)
    assert_error(operator.post(path + "/pause", {}), 400, "either until")
    assert_error(operator.post(path + "/pause", {"until": "2001-01-01T00:00:00Z"}), 400, "future")
    paused = operator.post(path + "/pause", {"minutes": 30, "comment": "fan swap"}).json["heartbeat"]
    assert paused["state"] == "paused" and paused["pause_comment"] == "fan swap"
    assert operator.post(path + "/resume").json["heartbeat"]["state"] == "up"
    assert_error(operator.post(path + "/resume"), 409, "not paused")
