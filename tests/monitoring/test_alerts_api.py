"""The alerts API as shifters use it: the list and its revision, acknowledging and shelving in bulk, who may,
the history; and the dashboard's summary and a device's monitoring panel."""

import pytest

from dcs.monitoring.models import Alert

from ..conftest import assert_error, snapshot
from .conftest import beat, later, limits, read, watch


@pytest.fixture
def raised(engine):
    """Two alerts: sipm-hv01 temp above its alarm limit, and adc-01 silent past its grace."""
    engine.tick()
    read(limits("sipm-hv01", warn_high=30, alarm_high=40, guidance="Check the fans."), 45)
    watch("adc-01", period_s=10, grace_s=5)
    beat("adc-01")
    engine.tick(later(20))
    return {a.device.name: a.id for a in Alert.select()}


def test_the_list_shows_open_alerts_and_answers_unchanged_for_the_same_revision(raised, login):
    viewer = login("vera")
    answer = viewer.get("/api/alerts").json
    assert {a["device"] for a in answer["alerts"]} == {"sipm-hv01", "adc-01"}
    assert viewer.get(f"/api/alerts?unless={answer['revision']}").json == {"ok": True, "unchanged": True,
                                                                          "revision": answer["revision"]}
    login("olaf").post("/api/alerts/acknowledge", {"ids": [raised["adc-01"]], "comment": "on it"})
    again = viewer.get(f"/api/alerts?unless={answer['revision']}").json
    assert again["revision"] > answer["revision"] and len(again["alerts"]) == 2


def test_filters_by_state_severity_device_and_subsystem(raised, login):
    viewer = login("vera")
    assert [a["device"] for a in viewer.get("/api/alerts?device=adc-01").json["alerts"]] == ["adc-01"]
    assert viewer.get("/api/alerts?state=cleared").json["alerts"] == []
    assert viewer.get("/api/alerts?severity=critical").json["alerts"] == []
    assert len(viewer.get("/api/alerts?subsystem=ECal&severity=alarm").json["alerts"]) == 2
    assert_error(viewer.get("/api/alerts?state=panic"), 400, "state must be")
    assert_error(viewer.get("/api/alerts?severity=huge"), 400, "severity")
    assert_error(viewer.get("/api/alerts?device=ghost-1"), 404)


def test_an_operator_acknowledges_several_alerts_at_once_with_a_comment(raised, login):
    answer = login("olaf").post("/api/alerts/acknowledge", {"ids": list(raised.values()), "comment": "fans swapped"})
    assert set(answer.json["states"].values()) == {"acknowledged"}
    page = login("vera").get(f"/api/alerts/{raised['sipm-hv01']}").json["alert"]
    assert page["acked_by"] == "user:olaf" and page["ack_comment"] == "fans swapped"
    assert [e["event"] for e in page["history"]] == ["raised", "acknowledged"]
    assert page["guidance"] == "Check the fans." and page["can"] == {"operate": False}


def test_viewers_members_and_outsiders_cannot_acknowledge_and_nothing_changes(raised, login):
    people = {name: login(name) for name in ("vera", "maya", "nobody")}
    before = snapshot()
    for name, person in people.items():
        assert_error(person.post("/api/alerts/acknowledge", {"ids": [raised["adc-01"]]}), 403)
    assert snapshot() == before


def test_a_bulk_acknowledgement_with_one_unknown_id_changes_nothing(raised, login):
    operator = login("olaf")
    before = snapshot()
    assert_error(operator.post("/api/alerts/acknowledge", {"ids": [raised["adc-01"], 999]}), 404,
                 "no alert with id 999")
    assert_error(operator.post("/api/alerts/acknowledge", {"ids": []}), 400, "Name the alerts")
    assert_error(operator.post("/api/alerts/acknowledge", {"ids": list(range(1, 1002))}), 400, "at most 1000")
    assert_error(operator.post("/api/alerts/acknowledge", {"ids": ["1"]}), 400, "ids")
    assert snapshot() == before


def test_shelving_needs_a_reason_and_an_end_and_hides_the_alert_until_then(raised, login):
    operator = login("olaf")
    alert_id = raised["sipm-hv01"]
    assert_error(operator.post("/api/alerts/shelve", {"ids": [alert_id], "minutes": 60, "comment": " "}), 400, "why")
    assert_error(operator.post("/api/alerts/shelve", {"ids": [alert_id], "comment": "x"}), 400, "either until")
    assert_error(operator.post("/api/alerts/shelve", {"ids": [alert_id], "minutes": 60 * 24 * 8, "comment": "x"}),
                 400, "minutes")
    assert_error(operator.post("/api/alerts/shelve", {"ids": [alert_id], "until": "2020-01-01", "comment": "x"}),
                 400, "future")
    shelved = operator.post("/api/alerts/shelve", {"ids": [alert_id], "minutes": 60, "comment": "known, fix at 8"})
    assert shelved.json["alerts"][0]["shelved"] is True
    assert login("vera").get("/api/monitoring/summary").json["counts"]["alarm"]["shelved"] == 1
    assert operator.post("/api/alerts/unshelve", {"ids": [alert_id]}).json["alerts"][0]["shelved"] is False


def test_shelving_ends_by_itself(raised, engine, login):
    login("olaf").post("/api/alerts/shelve", {"ids": [raised["sipm-hv01"]], "minutes": 1, "comment": "swap"})
    engine.tick(later(61))
    alert = Alert.get_by_id(raised["sipm-hv01"])
    assert not alert.shelved
    events = [e["event"] for e in login("vera").get(f"/api/alerts/{alert.id}").json["alert"]["history"]]
    assert events[-2:] == ["shelved", "unshelved"]


def test_the_event_log_lists_every_change_newest_first(raised, login):
    login("olaf").post("/api/alerts/acknowledge", {"ids": [raised["adc-01"]], "comment": "seen"})
    events = login("vera").get("/api/alerts/events?limit=10").json["events"]
    assert events[0]["event"] == "acknowledged" and events[0]["device"] == "adc-01"
    assert {e["event"] for e in events} == {"raised", "acknowledged"}


def test_the_summary_gives_each_device_its_worst_health(raised, login):
    summary = login("vera").get("/api/monitoring/summary").json
    tiles = {d["name"]: d for s in summary["subsystems"] for d in s["devices"]}
    health = {name: tile["health"] for name, tile in tiles.items()}
    assert health["sipm-hv01"] == "alarm" and health["adc-01"] == "down" and health["switch-01"] == "unknown"
    # A crystal has no data of its own: its digitizer is down, so it is shown as suppressed behind it.
    assert health["bgo-0"] == "suppressed" and tiles["bgo-0"]["inherited"] is True
    assert summary["counts"]["alarm"]["active"] == 2
    assert summary["engine"]["stalled"] is True  # the tests tick by hand; nothing beats


def test_a_device_panel_has_its_heartbeat_parameters_and_alerts(raised, login):
    panel = login("olaf").get("/api/monitoring/devices/sipm-hv01").json
    assert panel["heartbeat"] is None and panel["can"] == {"operate": True, "configure": False}
    (temp,) = panel["parameters"]
    assert temp["last_value"] == 45.0 and temp["alert"]["severity"] == "alarm"
    assert [a["kind"] for a in panel["alerts"]] == ["limit"]
    adc = login("vera").get("/api/monitoring/devices/adc-01").json
    assert adc["heartbeat"]["state"] == "down" and len(adc["heartbeats"]) == 1
