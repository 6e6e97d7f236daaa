"""Placements of one device never overlap, a move ends the open one; an alias names one detector at a time."""

import pytest

from dcs.topology.aliases import add_alias, alias_at, end_alias
from dcs.topology.devices import get_device
from dcs.topology.placements import add_placement, end_placement, placed_at, placements_of

from ..conftest import refusal
from .conftest import ACTOR

DAY = 86400


def test_a_device_moves_between_experiments(topology):
    device = get_device("bgo-0")
    add_placement(ACTOR, device, 10 * DAY, instrument="XPP", hatch="hutch3", experiment="xpplv1225")
    add_placement(ACTOR, device, 20 * DAY, instrument="XCS", experiment="xcsx10126", move=True)
    periods = [(p["experiment"], p["end"]) for p in placements_of(device)]
    assert periods == [("xpplv1225", "1970-01-21T00:00:00+00:00"), ("xcsx10126", None)]
    assert placed_at(15 * DAY * 10**9)[device.id].experiment == "xpplv1225"
    assert placed_at(25 * DAY * 10**9, "xcsx10126")[device.id].instrument == "XCS"


def test_overlapping_placements_are_refused_naming_the_clash(topology):
    device = get_device("bgo-0")
    add_placement(ACTOR, device, 10 * DAY, 20 * DAY, experiment="xpplv1225")
    error = refusal(lambda: add_placement(ACTOR, device, 15 * DAY, experiment="xppx10026"))
    assert error.status == 409 and "xpplv1225" in error.message and error.extra["errors"][0]["field"] == "begin"
    first = placements_of(device)[0]
    from dcs.topology.models import Placement
    row = Placement.get_by_id(first["id"])
    assert refusal(lambda: end_placement(ACTOR, row, 5 * DAY)).extra["errors"][0]["field"] == "end"
    add_placement(ACTOR, device, 20 * DAY, experiment="xppx10026")


@pytest.mark.parametrize("fields, field", [
    ({"experiment": "../x"}, "experiment"), ({"instrument": "X P P"}, "instrument"), ({}, "instrument"),
    ({"experiment": "x", "end": 5 * DAY}, "end"),
])
def test_bad_placements_are_refused_by_field(topology, fields, field):
    error = refusal(lambda: add_placement(ACTOR, get_device("bgo-0"), 10 * DAY, **fields))
    assert error.extra["errors"][0]["field"] == field


def test_an_alias_names_one_detector_at_a_time(topology):
    row = add_alias(ACTOR, "Camp.0:pnCCD.1", "bgo-0", 10 * DAY)
    error = refusal(lambda: add_alias(ACTOR, "Camp.0:pnCCD.1", "bgo-1", 15 * DAY))
    assert error.status == 409 and "bgo-0" in error.message
    end_alias(ACTOR, row, 15 * DAY)
    add_alias(ACTOR, "Camp.0:pnCCD.1", "bgo-1", 15 * DAY)
    assert alias_at("Camp.0:pnCCD.1", 12 * DAY * 10**9) == "bgo-0"
    assert alias_at("Camp.0:pnCCD.1", 16 * DAY * 10**9) == "bgo-1"
    assert refusal(lambda: end_alias(ACTOR, row, 20 * DAY)).status == 409  # would overlap the next period


def test_a_time_that_is_not_one_is_refused_naming_its_field(topology):
    assert refusal(lambda: add_placement(ACTOR, get_device("bgo-0"), "soon", experiment="x")).extra["errors"][0][
        "field"] == "begin"
    assert refusal(lambda: add_alias(ACTOR, "Crystal.0", "bgo-0", 10, "later")).extra["errors"][0]["field"] == "end"
