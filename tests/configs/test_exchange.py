"""Export and import: a round trip in JSON or YAML restores the same configurations; an import with one
bad configuration imports nothing; a dry run only tells."""

import pytest

from dcs.configs import documents
from dcs.configs.exchange import FORMAT, export, import_configs
from dcs.configs.versions import active_version, effective, owner_of, save_version
from dcs.errors import DcsError

from ..conftest import snapshot
from .conftest import ACTOR


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_an_export_imported_again_changes_nothing_and_edited_makes_new_versions(boards, fmt):
    _, board, _ = boards
    save_version(ACTOR, board, {"channels": [{"voltage": 38.2}]}, activate=True)
    text = documents.dump(export(), fmt)
    data = documents.parse_text(text, fmt)
    assert data["format"] == FORMAT and data["devices"]["sipm-hv01"]["version"] == 1
    assert {s["action"] for s in import_configs(ACTOR, data)} == {"unchanged"}
    data["devices"]["sipm-hv01"]["config"]["channels"][0]["voltage"] = 38.6
    data["devices"]["sipm-hv02"] = {"config": {"ramp_rate": 1.5}}
    plan = import_configs(ACTOR, data, activate=True)
    steps = {s["owner"]: s for s in plan}
    assert steps["device:sipm-hv01"]["changes"] == [{"path": "channels[0].voltage", "op": "changed", "before": 38.2,
                                                    "after": 38.6}]
    assert steps["device:sipm-hv02"]["number"] == 1
    assert effective(board.device)["config"]["channels"] == [{"voltage": 38.6}]
    assert active_version("device:sipm-hv02").config == {"ramp_rate": 1.5}


def test_a_dry_run_and_a_bad_import_write_nothing(boards):
    data = export()
    data["devices"]["sipm-hv01"] = {"config": {"ramp_rate": 1.0}}
    before = snapshot()
    plan = import_configs(ACTOR, data, dry_run=True)
    assert [s["action"] for s in plan if s["owner"] == "device:sipm-hv01"] == ["new version"]
    assert snapshot() == before
    data["devices"]["sipm-hv02"] = {"config": {"ramp_rate": 99}}
    with pytest.raises(DcsError) as error:
        import_configs(ACTOR, data)
    assert "Nothing was imported" in error.value.message
    assert error.value.extra["errors"] == [{"field": "device:sipm-hv02 ramp_rate",
                                            "error": "must be at most 10 (it is 99)"}]
    assert snapshot() == before


@pytest.mark.parametrize("data, words", [
    ({"format": "something-else"}, "not a configuration export"),
    ({"format": FORMAT, "devices": {"sipm-hv09": {"config": {}}}}, "sipm-hv09"),
    ({"format": FORMAT, "devices": {"sipm-hv01": {"settings": {}}}}, "config"),
    ({"format": FORMAT, "devices": {"sipm-hv01": {"config": [1]}}}, "object"),
    ({"format": FORMAT, "devices": []}, "map names"),
    ({"format": FORMAT, "extra": 1}, "Unknown keys"),
])
def test_an_import_that_is_not_an_export_is_refused(boards, data, words):
    before = snapshot()
    with pytest.raises(DcsError) as error:
        import_configs(ACTOR, data)
    assert words in error.value.message and snapshot() == before


def test_schemas_travel_with_an_import_when_asked(boards):
    data = export()
    data["types"]["sipm"]["schema"]["properties"]["ramp_rate"]["maximum"] = 5
    plan = import_configs(ACTOR, data, schemas=True)
    assert [s["action"] for s in plan if s["owner"] == "type:sipm"][0] == "new schema"
    assert owner_of("type:sipm").current_type().schema["properties"]["ramp_rate"]["maximum"] == 5


def test_re_importing_an_export_changes_nothing_even_when_a_newer_version_waits(boards):
    _, board, _ = boards
    save_version(ACTOR, board, {"ramp_rate": 1.0}, activate=True)
    data = export()
    save_version(ACTOR, board, {"ramp_rate": 3.0}, "staged for cosmics, not active")
    before = snapshot()
    assert [(s["action"], s["number"]) for s in import_configs(ACTOR, data) if s["owner"] == board.key] == [
        ("unchanged", 1)]
    assert snapshot() == before
