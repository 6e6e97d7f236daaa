"""Live values against the stored configuration with tolerances; recipes and approved sets activate many
configurations at once, all or nothing; configuration sets go through the calibration sets' approval."""

import pytest

from dcs import approval
from dcs.audit import Actor
from dcs.auth.models import User
from dcs.auth.sessions import principal_for_user
from dcs.configs.live import compare_live, record_live
from dcs.configs.models import ConfigVersion
from dcs.configs.recipes import apply_recipe, create_recipe, entries_of
from dcs.configs.sets import apply_set, create_set, diff, snapshot
from dcs.configs.versions import active_version, save_version, set_schema
from dcs.errors import DcsError
from dcs.topology.devices import get_type

from ..conftest import snapshot as table_snapshot
from .conftest import ACTOR, SCHEMA


def person(name):
    user = User.by_name(name)
    return Actor(f"user:{name}", user.id), principal_for_user(user)


def test_live_values_within_tolerance_match_and_the_others_are_listed_first(boards):
    _, board, _ = boards
    save_version(ACTOR, board, {"channels": [{"voltage": 38.0}, {"voltage": 39.0}]}, activate=True)
    record_live(ACTOR, board.device, {"enabled": True, "ramp_rate": 2.09, "mode": "normal", "firmware": "3.2",
                                      "channels": [{"voltage": 38.04}, {"voltage": 38.9}]})
    found = compare_live(board.device)
    states = {row["path"]: (row["state"], row["tolerance"]) for row in found["rows"]}
    assert states["ramp_rate"] == ("ok", "5%")  # 2.09 is within 5% of 2.0
    assert states["channels[0].voltage"] == ("ok", "0.05")
    assert states["channels[1].voltage"] == ("drift", "0.05")
    assert states["firmware"] == ("extra", None)
    assert [r["path"] for r in found["rows"][:2]] == ["channels[1].voltage", "firmware"]
    assert found["counts"] == {"ok": 4, "drift": 1, "missing": 0, "extra": 1} and not found["matches"]
    record_live(ACTOR, board.device, {"enabled": True, "ramp_rate": 2.2, "channels": [{"voltage": 38.0}]})
    again = {row["path"]: row["state"] for row in compare_live(board.device)["rows"]}
    assert again["ramp_rate"] == "drift" and again["mode"] == "missing" and again["channels[1].voltage"] == "missing"


def test_a_device_that_never_reported_has_no_comparison(boards):
    assert compare_live(boards[1].device) is None


def test_a_recipe_switches_run_modes_and_changes_nothing_when_one_entry_fails(boards):
    _, first, second = boards
    physics = [save_version(ACTOR, b, {"ramp_rate": 1.0}, activate=True) for b in (first, second)]
    cosmics = [save_version(ACTOR, b, {"ramp_rate": 4.0}) for b in (first, second)]
    recipe = create_recipe(ACTOR, "ecal-cosmics", "COSMICS", "cosmics HV", "ecal", cosmics)
    assert [e["differs"] for e in entries_of(recipe)] == [True, True]
    set_schema(ACTOR, get_type("sipm"), {**SCHEMA, "properties": {**SCHEMA["properties"], "ramp_rate": {
        "type": "number", "maximum": 3}}}, force=True)
    before = table_snapshot()
    with pytest.raises(DcsError) as error:
        apply_recipe(ACTOR, recipe)
    assert "ramp_rate" in error.value.message and table_snapshot() == before
    assert [active_version(b.key).id for b in (first, second)] == [v.id for v in physics]
    set_schema(ACTOR, get_type("sipm"), SCHEMA)
    assert [c["owner"] for c in apply_recipe(ACTOR, recipe, "cosmics tonight")] == ["device:sipm-hv01",
                                                                                     "device:sipm-hv02"]
    assert [active_version(b.key).id for b in (first, second)] == [v.id for v in cosmics]
    assert apply_recipe(ACTOR, recipe) == []  # already applied: nothing to do


def test_a_configuration_set_is_approved_by_an_expert_who_did_not_propose_it(boards):
    kind, first, second = boards
    for board in (first, second):
        save_version(ACTOR, board, {"ramp_rate": 1.0}, activate=True)
    maya, maya_principal = person("maya")
    erin, erin_principal = person("erin")
    good = create_set(maya, "ecal-good-1", snapshot([kind.key, "sipm-hv01", "device:sipm-hv02"]), "after tuning",
                      "ecal")
    good = approval.transition(maya, maya_principal, good, "propose")
    assert approval.refusal(maya_principal, good, "approve").startswith("Only experts")
    with pytest.raises(DcsError) as error:
        approval.transition(erin, erin_principal, good, "reject")
    assert "needs a comment" in error.value.message
    good = approval.transition(erin, erin_principal, good, "approve", "checked")
    assert [e["to_state"] for e in approval.history(good)] == ["draft", "proposed", "approved"]
    newer = save_version(ACTOR, second, {"ramp_rate": 1.2})
    better = create_set(maya, "ecal-good-2", snapshot([kind.key, "sipm-hv01"]) + [newer], "", "ecal")
    assert better.previous_approved().name == "ecal-good-1"
    changes = diff(better, good)
    assert [(c["owner"], c["from"]["number"], c["to"]["number"]) for c in changes["changed"]] == [
        ("device:sipm-hv02", 1, 2)]
    with pytest.raises(DcsError, match="only an approved set"):
        apply_set(ACTOR, better)
    better = approval.transition(maya, maya_principal, better, "propose")
    better = approval.transition(erin, erin_principal, better, "approve")
    assert type(good).get_by_id(good.id).state == "superseded"
    assert apply_set(ACTOR, better) == [{"owner": "device:sipm-hv02", "number": 2}]
    assert active_version(second.key).id == newer.id
    assert ConfigVersion.select().count() == 4  # the default, three board versions: applying writes none
