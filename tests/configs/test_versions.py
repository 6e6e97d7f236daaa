"""Configuration versions: validated, immutable, activated over time, rolled back by copying, and the
effective configuration of a device as it was at any time."""

import pytest

from dcs.configs.models import ConfigVersion
from dcs.configs.versions import (activate, active_version, diff_versions, effective, rollback, save_version,
                                  set_schema, versions_of)
from dcs.timeutil import now_ns
from dcs.topology.devices import get_type

from ..conftest import refusal
from .conftest import ACTOR, DEFAULT


@pytest.mark.parametrize("config, field, words", [
    ({"channels": [{"voltage": 75}]}, "channels[0].voltage", "at most 60"),
    ({"channels": [{}]}, "channels[0].voltage", "required"),
    ({"ramp_rate": "fast"}, "ramp_rate", "must be number"),
    ({"mode": "turbo"}, "mode", '"normal", "low-noise"'),
    ({"bogus": 1}, "bogus", "not a known parameter"),
])
def test_a_configuration_that_fails_its_schema_is_refused_naming_the_field(boards, config, field, words):
    _, board, _ = boards
    error = refusal(lambda: save_version(ACTOR, board, config, "try"))
    assert error.status == 400
    assert any(p["field"] == field and words in p["error"] for p in error.extra["errors"]), error.extra["errors"]
    assert field in error.message


def test_a_device_is_judged_with_its_type_default_laid_under_it(boards):
    kind, board, _ = boards
    save_version(ACTOR, board, {"channels": [{"voltage": 38.2}]}, "equalised", activate=True)
    assert effective(board.device)["config"] == {**DEFAULT, "channels": [{"voltage": 38.2}]}
    error = refusal(lambda: save_version(ACTOR, kind, {"enabled": True}, "drop the ramp"))
    assert any(p["field"] == "ramp_rate" and p["error"] == "is required" for p in error.extra["errors"])


def test_every_save_makes_a_new_version_and_never_edits_one(boards):
    _, board, _ = boards
    first = save_version(ACTOR, board, {"ramp_rate": 1.0}, "slower")
    stored = (first.document, first.sha256)
    second = save_version(ACTOR, board, {"ramp_rate": 1.5}, "a bit faster")
    assert [v.number for v in versions_of(board)] == [2, 1]
    again = ConfigVersion.get_by_id(first.id)
    assert (again.document, again.sha256) == stored and second.author == "test:configs"
    assert "Nothing changed" in refusal(lambda: save_version(ACTOR, board, {"ramp_rate": 1.5})).message


def test_a_save_from_an_outdated_version_is_refused(boards):
    _, board, _ = boards
    save_version(ACTOR, board, {"ramp_rate": 1.0}, base=0)
    save_version(ACTOR, board, {"ramp_rate": 1.5}, base=1)
    error = refusal(lambda: save_version(ACTOR, board, {"ramp_rate": 3.0}, base=1))
    assert error.status == 409 and "Version 2" in error.message and "after version 1" in error.message


def test_the_effective_configuration_at_a_time_is_what_was_active_then(boards):
    kind, board, _ = boards
    save_version(ACTOR, board, {"ramp_rate": 1.0}, "slow", activate=True)
    between = now_ns()
    save_version(ACTOR, kind, {**DEFAULT, "mode": "low-noise"}, "quiet", activate=True)
    save_version(ACTOR, board, {"ramp_rate": 3.0}, "fast", activate=True)
    then, now = effective(board.device, between), effective(board.device)
    assert (then["config"]["mode"], then["config"]["ramp_rate"]) == ("normal", 1.0)
    assert (then["type_version"], then["device_version"]) == (1, 1)
    assert (now["config"]["mode"], now["config"]["ramp_rate"]) == ("low-noise", 3.0)
    assert effective(board.device, 0)["config"] == {}


def test_a_rollback_is_a_new_version_equal_to_the_old_one_and_active(boards):
    _, board, _ = boards
    save_version(ACTOR, board, {"ramp_rate": 1.0}, "slow", activate=True)
    save_version(ACTOR, board, {"ramp_rate": 3.0}, "fast", activate=True)
    made = rollback(ACTOR, board, 1, "fast was too fast")
    assert (made.number, made.copied_from, made.config) == (3, 1, {"ramp_rate": 1.0})
    assert active_version(board.key).number == 3
    assert diff_versions(board, 2, 3)["changes"] == [{"path": "ramp_rate", "op": "changed", "before": 3.0,
                                                     "after": 1.0}]
    assert rollback(ACTOR, board, 3).number == 3  # already there: nothing new


def test_activating_is_refused_when_active_already_or_no_longer_valid(boards):
    kind, board, _ = boards
    save_version(ACTOR, board, {"mode": "low-noise"}, activate=True)
    assert refusal(lambda: activate(ACTOR, board, 1)).status == 409
    set_schema(ACTOR, get_type("sipm"), {**_schema(), "properties": {**_schema()["properties"],
                                                                     "mode": {"enum": ["normal"]}}}, force=True)
    save_version(ACTOR, board, {"ramp_rate": 1.0}, activate=True)
    error = refusal(lambda: activate(ACTOR, board, 1))
    assert error.status == 409 and "mode" in error.message


def test_a_schema_that_active_configurations_fail_is_refused_unless_forced(boards):
    _, board, _ = boards
    save_version(ACTOR, board, {"ramp_rate": 9.0}, activate=True)
    tighter = {**_schema(), "properties": {**_schema()["properties"],
                                           "ramp_rate": {"type": "number", "maximum": 5}}}
    error = refusal(lambda: set_schema(ACTOR, get_type("sipm"), tighter))
    assert error.status == 409 and error.extra["failing"][0]["owner"] == "device:sipm-hv01"
    assert set_schema(ACTOR, get_type("sipm"), tighter, force=True)[0]["owner"] == "device:sipm-hv01"
    assert get_type("sipm").schema_version == 3


@pytest.mark.parametrize("schema, words", [
    ({"type": "array"}, "object"),
    ({"type": "object", "properties": {"a": {"type": "nonsense"}}}, "not a valid JSON Schema"),
    ({"type": "object", "properties": {"a": {"type": "number", "x-tolerance": "lots"}}}, "x-tolerance"),
])
def test_a_bad_schema_is_refused(boards, schema, words):
    assert words in refusal(lambda: set_schema(ACTOR, get_type("sipm"), schema)).message


def test_a_schema_cannot_fetch_anything(boards):
    _, board, _ = boards
    set_schema(ACTOR, get_type("sipm"), {"type": "object", "properties": {
        "a": {"$ref": "https://example.org/remote.json"}}}, force=True)
    error = refusal(lambda: save_version(ACTOR, board, {"a": 1}))
    assert "not inside it" in error.message


def _schema():
    from .conftest import SCHEMA
    return SCHEMA
