"""Configurations over HTTP: checked as typed, saved by members, activated by operators, reported live by a
device controller's token, exported and imported; bad input refused by field with nothing written."""

import yaml

from dcs.configs.versions import active_version

from ..configs.conftest import boards  # noqa: F401 - a fixture
from ..conftest import assert_error, snapshot

PAGE = "/api/configs/devices/sipm-hv01"


def test_a_check_writes_nothing_and_says_what_is_wrong_and_what_changes(login, boards):
    maya = login("maya")
    before = snapshot()
    answer = maya.post(PAGE + "/check", {"text": "ramp_rate: 75\nchannels:\n  - voltage: 38\n", "format": "yaml"}).json
    assert answer["valid"] is False and answer["problems"] == [{"field": "ramp_rate",
                                                               "error": "must be at most 10 (it is 75)"}]
    assert answer["effective"]["enabled"] is True and answer["base"] is None
    assert {c["path"] for c in answer["changes"]} == {"ramp_rate", "channels"}
    syntax = assert_error(maya.post(PAGE + "/check", {"text": '{"ramp_rate": 1,', "format": "json"}), 400, "line 1")
    assert syntax["errors"][0]["field"] == "text"
    assert snapshot() == before


def test_members_save_operators_activate_and_viewers_only_read(login, boards):
    maya, olaf, vera = login("maya"), login("olaf"), login("vera")
    saved = maya.post(PAGE + "/versions", {"config": {"ramp_rate": 1.0}, "comment": "slower", "base": 0})
    assert saved.status_int == 201 and saved.json["version"]["number"] == 1
    assert_error(maya.post(PAGE + "/versions", {"config": {"ramp_rate": 1.5}, "activate": True}), 403, "operators")
    assert_error(maya.post(PAGE + "/activate", {"version": 1}), 403)
    page = olaf.post(PAGE + "/activate", {"version": 1, "comment": "for run 12"}).json["config"]
    assert page["active"] == 1 and page["activations"][0]["comment"] == "for run 12"
    assert_error(vera.post(PAGE + "/versions", {"config": {"ramp_rate": 2.5}}), 403)
    out_of_date = assert_error(maya.post(PAGE + "/versions", {"config": {"ramp_rate": 3.0}, "base": 0}), 409, "reload")
    assert out_of_date["errors"] == [{"field": "base", "error": "Out of date."}]
    rolled = olaf.post(PAGE + "/versions", {"text": "ramp_rate: 3.0\n", "format": "yaml", "activate": True,
                                           "base": 1}).json["config"]
    assert rolled["active"] == 2
    back = olaf.post(PAGE + "/rollback", {"version": 1}).json
    assert back["version"]["copied_from"] == 1 and back["config"]["active"] == 3
    diff = vera.get(PAGE + "/diff?a=2&b=3").json
    assert diff["changes"] == [{"path": "ramp_rate", "op": "changed", "before": 3.0, "after": 1.0}]


def test_a_device_controller_reports_live_values_with_its_token(login, boards, token_for):
    controller, _ = token_for("maya", ["heartbeat"])
    answer = controller.send("PUT", PAGE + "/live", {"values": {"enabled": True, "ramp_rate": 2.05, "mode": "normal"}})
    assert answer.status_int == 200 and answer.json["live"]["matches"] is True
    reader, _ = token_for("vera", ["read"])
    assert reader.get(PAGE + "/live").json["live"]["counts"]["ok"] == 3
    assert reader.send("PUT", PAGE + "/live", {"values": {}}).status_int == 403
    assert_error(login("maya").get("/api/configs/devices/sipm-hv02/live"), 400, "not reported")


def test_an_export_downloads_and_imports_back(login, boards):
    erin = login("erin")
    erin.post(PAGE + "/versions", {"config": {"ramp_rate": 1.0}, "activate": True})
    download = erin.get("/api/configs/export?format=yaml&devices=sipm-hv01")
    assert download.headers["Content-Disposition"] == 'attachment; filename="configurations.yaml"'
    data = yaml.safe_load(download.text)
    assert data["devices"] == {"sipm-hv01": {"version": 1, "config": {"ramp_rate": 1.0}}}
    data["devices"]["sipm-hv01"]["config"]["ramp_rate"] = 1.25
    dry = erin.post("/api/configs/import", {"text": yaml.safe_dump(data), "format": "yaml", "dry_run": True}).json
    assert dry["dry_run"] and active_version("device:sipm-hv01").number == 1
    done = erin.post("/api/configs/import", {"text": yaml.safe_dump(data), "format": "yaml", "activate": True}).json
    assert [s["number"] for s in done["plan"] if s["owner"] == "device:sipm-hv01"] == [2]
    assert_error(login("maya").post("/api/configs/import", {"text": yaml.safe_dump(data), "format": "yaml",
                                                            "activate": True}), 403, "operators")


def test_bad_configuration_input_is_refused_and_writes_nothing(login, boards):
    erin = login("erin")
    cases = [
        (PAGE + "/versions", {"config": {"ramp_rate": 99}}, 400, "ramp_rate"),
        (PAGE + "/versions", {"config": {"ramp_rate": 1}, "text": "{}"}, 400, "config"),
        (PAGE + "/versions", {}, 400, "config"),
        (PAGE + "/versions", {"text": "a: &x 1\nb: *x\n", "format": "yaml"}, 400, "text"),
        (PAGE + "/versions", {"text": "[]", "format": "json"}, 400, "text"),
        (PAGE + "/activate", {"version": 7}, 404, None),
        ("/api/configs/types/nosuchtype/versions", {"config": {}}, 404, None),
        ("/api/configs/devices/../versions", {"config": {}}, 400, "detname"),
        ("/api/configs/import", {"text": '{"format": "x"}'}, 400, "format"),
        ("/api/configs/import", {"text": "x" * 10, "format": "yaml"}, 400, "text"),
        ("/api/config-sets", {"name": "../x", "group": "ecal"}, 400, "name"),
        ("/api/config-sets", {"name": "s1", "group": "ecal", "snapshot": ["sipm-hv01"]}, 400, "snapshot"),
        ("/api/recipes", {"name": "r1", "mode": "PARTY", "group": "ecal"}, 400, "mode"),
        ("/api/recipes", {"name": "r1", "mode": "PHYSICS", "group": "ecal", "entries": [
            {"owner": "sipm-hv01", "version": 3}]}, 404, None),
    ]
    for path, body, status, field in cases:
        before = snapshot()
        answer = assert_error(erin.post(path, body), status)
        if field is not None:
            assert field in {p["field"] for p in answer.get("errors", [])}, (path, answer)
        assert snapshot() == before, path
    huge = {"config": {"blob": "x" * (300 * 1024)}}
    assert_error(erin.post(PAGE + "/versions", huge), 400)


def test_a_configuration_set_is_approved_and_applied_over_http(login, boards):
    maya, erin, olaf = login("maya"), login("erin"), login("olaf")
    olaf.post(PAGE + "/versions", {"config": {"ramp_rate": 1.0}, "activate": True})
    made = maya.post("/api/config-sets", {"name": "ecal-good-1", "group": "ecal", "snapshot": ["type:sipm",
                                                                                               "sipm-hv01"]})
    assert made.status_int == 201 and made.json["set"]["can"]["propose"] is True
    maya.post("/api/config-sets/ecal-good-1/propose", {})
    assert_error(maya.post("/api/config-sets/ecal-good-1/approve", {}), 403)
    page = erin.post("/api/config-sets/ecal-good-1/approve", {"comment": "ok"}).json["set"]
    assert page["state"] == "approved" and page["can"]["apply"] is True
    assert_error(maya.post("/api/config-sets/ecal-good-1/apply", {}), 403, "operators")
    assert olaf.post("/api/config-sets/ecal-good-1/apply", {}).json["activated"] == []  # active already
    recipe = erin.post("/api/recipes", {"name": "ecal-physics", "mode": "PHYSICS", "group": "ecal",
                                        "from_set": "ecal-good-1"}).json["recipe"]
    assert [e["owner"] for e in recipe["entries"]] == ["device:sipm-hv01", "type:sipm"]
    assert recipe["can"] == {"edit": True, "apply": True}
    assert olaf.get("/api/recipes/ecal-physics").json["recipe"]["can"] == {"edit": False, "apply": True}
    assert olaf.post("/api/recipes/ecal-physics/apply", {"comment": "physics"}).json["activated"] == []
