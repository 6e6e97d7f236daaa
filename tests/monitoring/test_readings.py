"""Readings: batches in JSON and CSV stored whole or not at all, rollups per minute and hour, binned plots,
exports, retention, and the limits experts set."""

import csv
import io
import json
import time

import pytest

from dcs.monitoring.models import Parameter, Reading, Rollup
from dcs.monitoring.readings import series
from dcs.monitoring.retention import purge
from dcs.timeutil import NS

from ..conftest import assert_error, snapshot
from .conftest import limits, read

T0 = 1_790_000_080  # 40 s into a minute, in September 2026


@pytest.fixture
def temp(plant):
    return limits("sipm-hv01", warn_high=30, alarm_high=40)


@pytest.fixture
def member(login):
    return login("maya")


def test_a_json_batch_is_stored_with_its_rollups_and_the_latest_value(temp, member):
    rows = [{"device": "sipm-hv01", "parameter": "temp", "t": T0 + i, "value": 20 + i} for i in range(30)]
    answer = member.post("/api/readings", {"readings": rows})
    assert answer.json == {"ok": True, "stored": 30, "parameters": 1}
    minutes = {(r.bucket_ns // NS, r.vmin, r.vmax, r.n) for r in Rollup.select().where(Rollup.resolution_s == 60)}
    # T0 is 40 s into a minute: 20 readings in that minute, 10 in the next.
    assert minutes == {(T0 - 40, 20.0, 39.0, 20), (T0 + 20, 40.0, 49.0, 10)}
    hour = Rollup.get(Rollup.resolution_s == 3600)
    assert (hour.n, hour.vsum) == (30, sum(20 + i for i in range(30)))
    assert Parameter.get_by_id(temp.id).last_value == 49.0


def test_a_csv_batch_takes_times_in_seconds_or_iso(temp, member):
    text = "device,parameter,time,value\nsipm-hv01,temp,2026-09-21T14:00:00+02:00,21.5\nsipm-hv01,temp,1790000100,22\n"
    answer = member.post("/api/readings", raw=text.encode(), content_type="text/csv")
    assert answer.json["stored"] == 2
    assert sorted(r.value for r in Reading.select()) == [21.5, 22.0]


def test_rollups_from_two_batches_add_up(temp, member):
    for start in (0, 10):
        member.post("/api/readings", {"readings": [{"device": "sipm-hv01", "parameter": "temp", "t": T0 + start + i,
                                                    "value": start + i} for i in range(10)]})
    minute = Rollup.get(Rollup.resolution_s == 60, Rollup.bucket_ns == (T0 - 40) * NS)
    assert (minute.vmin, minute.vmax, minute.n, minute.vsum) == (0.0, 19.0, 20, sum(range(20)))


@pytest.mark.parametrize("rows, status, words", [
    ([{"device": "sipm-hv01", "parameter": "temp", "t": T0, "value": "warm"}], 400, ["Reading 2", "not a number"]),
    ([{"device": "sipm-hv01", "parameter": "temp", "t": T0, "value": 1}, {"device": "sipm-hv01",
      "parameter": "temp", "t": T0, "value": True}], 400, ["Reading 3", "must be a number"]),
    ([{"device": "sipm-hv01", "parameter": "temp", "t": time.time() + 86400, "value": 1}], 400, ["future", "clock"]),
    ([{"device": "sipm-hv01", "parameter": "temp", "t": "yesterday", "value": 1}], 400, ["ISO 8601"]),
    ([{"device": "sipm-hv01", "parameter": "temp", "t": -5, "value": 1}], 400, ["1970"]),
    ([{"device": "sipm-hv01", "parameter": "pressure", "t": T0, "value": 1}], 404, ["no parameter 'pressure'"]),
    ([{"device": "ghost-01", "parameter": "temp", "t": T0, "value": 1}], 404, ["no device named 'ghost-01'"]),
    ([{"device": "sipm-hv01", "parameter": "temp", "value": 1, "unit": "C"}], 400, ["'unit' is not a known field"]),
    ([{"device": 5, "parameter": "temp", "value": 1}], 400, ["must be names"]),
    ([{"device": "../../etc", "parameter": "temp", "value": 1}], 404, ["no device"]),
    ([], 400, ["no readings"]),
])
def test_a_bad_row_refuses_the_whole_batch_naming_it(temp, member, rows, status, words):
    good = [{"device": "sipm-hv01", "parameter": "temp", "t": T0 - 5, "value": 21}]
    before = snapshot()
    assert_error(member.post("/api/readings", {"readings": good + rows if rows else rows}), status, *words)
    assert snapshot() == before


@pytest.mark.parametrize("text, words", [
    ("time,value\n1,2\n", ["header line device,parameter,time,value"]),
    ("device,parameter,time,value\nsipm-hv01,temp,1790000000\n", ["line 2 has 3 fields"]),
    ("device,parameter,time,value\nsipm-hv01,temp,1790000000,NaN\n", ["NaN"]),
    ("device,parameter,time,value\nsipm-hv01,temp,1790000000,\"1\n", ["cannot be read"]),
    ("", ["header line"]),
])
def test_malformed_csv_is_refused(temp, member, text, words):
    before = snapshot()
    assert_error(member.post("/api/readings", raw=text.encode(), content_type="text/csv"), 400, *words)
    assert snapshot() == before


def test_csv_that_is_not_utf8_and_bodies_of_other_shapes_are_refused(temp, member):
    assert_error(member.post("/api/readings", raw=b"\xff\xfe", content_type="text/csv"), 400, "UTF-8")
    assert_error(member.post("/api/readings", {"rows": []}), 400, "readings")
    assert_error(member.post("/api/readings", raw=b"x", content_type="text/plain"), 415)


def test_an_oversize_batch_is_refused(temp, member):
    rows = [["sipm-hv01", "temp", T0, 1]] * 100_001
    assert_error(member.post("/api/readings", {"readings": [dict(zip(("device", "parameter", "t", "value"), r))
                                                            for r in rows]}), 400, "at most 100000")


def test_only_members_of_the_devices_group_send_readings(temp, login):
    body = {"readings": [{"device": "sipm-hv01", "parameter": "temp", "t": T0, "value": 1}]}
    assert_error(login("vera").post("/api/readings", body), 403)
    assert_error(login("nobody").post("/api/readings", body), 403)
    assert Reading.select().count() == 0


def test_a_week_of_readings_comes_back_binned_from_the_rollups(temp):
    read(temp, *[i % 60 for i in range(7 * 24 * 60)], start_ns=T0 * NS, step_s=60)
    week = series(temp, T0 * NS, (T0 + 7 * 86400) * NS, 500)
    assert week["source"] == "minute" and 0 < len(week["t"]) <= 500
    assert sum(week["count"]) == 7 * 24 * 60
    assert min(week["min"]) == 0 and max(week["max"]) == 59
    hour = series(temp, T0 * NS, (T0 + 3600) * NS, 1000)
    assert hour["source"] == "raw" and hour["count"] == [1] * 60


def test_a_window_older_than_the_raw_readings_is_drawn_from_the_rollups(temp):
    read(temp, 10, 20, start_ns=T0 * NS)
    purge(retention_days=1, now=(T0 + 2 * 86400) * NS)
    detail = series(temp, T0 * NS, (T0 + 60) * NS, 60)
    assert detail["source"] == "minute" and detail["min"] == [10.0] and detail["max"] == [20.0]


def test_the_series_route_and_its_window_checks(temp, login):
    read(temp, 1, 2, 3, start_ns=T0 * NS)
    viewer = login("vera")
    path = "/api/monitoring/devices/sipm-hv01/parameters/temp/series"
    answer = viewer.get(f"{path}?from={T0}&to={T0 + 10}&points=10").json
    assert answer["mean"] == [1.0, 2.0, 3.0] and answer["t"] == [T0, T0 + 1, T0 + 2]
    assert_error(viewer.get(f"{path}?from={T0 + 10}&to={T0}"), 400, "after")
    assert_error(viewer.get(f"{path}?from={T0}&to={T0 + 10}&points=9000"), 400, "5000")
    assert_error(viewer.get(f"{path}?from=soon"), 400, "ISO 8601")
    assert_error(viewer.get("/api/monitoring/devices/sipm-hv01/parameters/nope/series"), 404, "no parameter")


def test_exports_in_csv_and_json(temp, login):
    read(temp, 1.5, 2.25, start_ns=T0 * NS)
    viewer = login("vera")
    path = f"/api/monitoring/devices/sipm-hv01/parameters/temp/export?from={T0}&to={T0 + 10}"
    rows = list(csv.reader(io.StringIO(viewer.get(path).text)))
    assert rows[0] == ["time", "unix_seconds", "value"]
    assert [(r[1], r[2]) for r in rows[1:]] == [(f"{T0}.000000000", "1.5"), (f"{T0 + 1}.000000000", "2.25")]
    document = json.loads(viewer.get(path + "&format=json").text)
    assert document["unit"] == "C" and [v for _, v in document["readings"]] == [1.5, 2.25]
    assert_error(viewer.get(path + "&format=xls"), 400, "csv or json")


def test_old_raw_readings_are_purged_and_the_rollups_stay_longer(temp):
    read(temp, 1, 2, start_ns=T0 * NS)
    assert purge(retention_days=1, rollup_retention_days=3, now=(T0 + 2 * 86400) * NS) == 2
    assert Reading.select().count() == 0 and Rollup.select().count() == 2
    assert purge(retention_days=1, rollup_retention_days=3, now=(T0 + 4 * 86400) * NS) == 1
    assert [r.resolution_s for r in Rollup.select()] == [3600]  # hours stay for good


def test_experts_define_limits_and_bad_limits_are_named_by_field(plant, login):
    expert, operator = login("erin"), login("olaf")
    path = "/api/monitoring/devices/sipm-hv01/parameters/temp"
    answer = expert.put(path, {"unit": "C", "warn_high": 30, "alarm_high": 40, "n_bad": 2, "m_window": 3})
    assert answer.json["parameter"]["alarm_high"] == 40 and answer.json["parameter"]["n_bad"] == 2
    # Fields left out keep their values; null takes a limit away.
    changed = expert.put(path, {"warn_high": None}).json["parameter"]
    assert (changed["warn_high"], changed["alarm_high"], changed["unit"]) == (None, 40.0, "C")
    before = snapshot()
    body = assert_error(expert.put(path, {"warn_high": 50}), 400, "alarm high must not be below warn high")
    assert [e["field"] for e in body["errors"]] == ["alarm_high"]
    assert_error(expert.put(path, {"n_bad": 5}), 400, "n bad")
    assert_error(expert.put(path, {"deadband": -1}), 400, "deadband")
    assert_error(expert.put(path, {"delay_s": 1e9}), 400, "delay")
    assert_error(expert.put("/api/monitoring/devices/sipm-hv01/parameters/9lives", {}), 400, "starts with a letter")
    assert_error(operator.put(path, {"unit": "K"}), 403)
    assert snapshot() == before
    assert expert.delete(path).json == {"ok": True}
    assert Parameter.select().count() == 0


def test_an_export_larger_than_the_limit_is_refused_with_a_way_out(temp, login, monkeypatch):
    from dcs.web.routes import monitoring as routes

    monkeypatch.setattr(routes, "EXPORT_LIMIT", 2)
    read(temp, 1, 2, 3, start_ns=T0 * NS)
    path = f"/api/monitoring/devices/sipm-hv01/parameters/temp/export?from={T0}&to={T0 + 10}"
    assert_error(login("vera").get(path), 413, "holds 3 readings", "narrow the window")
