"""Connections join a free port of one device to a free port of another, of the port's kind; a cabling
list goes in whole or not at all; what is behind a controller follows connections downstream."""

import pytest

from dcs.topology.connections import add_port, behind, connect, connect_many, remove_port
from dcs.topology.devices import add_device, get_device
from dcs.topology.models import Connection

from ..conftest import refusal
from .conftest import ACTOR


@pytest.mark.parametrize("source, target, kind, field, words", [
    ("sipm-hv01:ch9", "bgo-0:hv", "HV", "from", ["no port 'ch9'", "ch0, ch1"]),
    ("sipm-hv99:ch0", "bgo-0:hv", "HV", "from", ["sipm-hv99"]),
    ("sipm-hv01", "bgo-0:hv", "HV", "from", ["<device>:<port>"]),
    ("sipm-hv01:ch2", "bgo-0:signal", "HV", "to", ["readout port"]),
    ("sipm-hv01:ch2", "sipm-hv01:ch3", "HV", "to", ["both ends"]),
    ("sipm-hv01:ch2", "bgo-0:hv", "water", "kind", ["HV, LV"]),
])
def test_a_bad_connection_is_refused_naming_the_field(topology, source, target, kind, field, words):
    error = refusal(lambda: connect(ACTOR, source, target, kind))
    assert error.status == 400 and error.extra["errors"][0]["field"] == field
    for word in words:
        assert word in error.message


def test_a_port_takes_one_cable(topology):
    add_device(ACTOR, "bgo-9")
    error = refusal(lambda: connect(ACTOR, "sipm-hv01:ch0", "bgo-9:hv", "HV"))
    assert error.status == 409 and "sipm-hv01:ch0 is connected already (sipm-hv01:ch0 -> bgo-0:hv)" in error.message


def test_a_cabling_list_is_connected_whole_or_not_at_all(topology):
    for i in (5, 6, 7):
        add_device(ACTOR, f"bgo-{i}")
    rows = [("sipm-hv01:ch2", "bgo-5:hv", "HV", ""), ("sipm-hv01:ch3", "bgo-6:hv", "HV", ""),
            ("sipm-hv01:ch3", "bgo-7:hv", "HV", "")]  # row 3 reuses a port of row 2
    error = refusal(lambda: connect_many(ACTOR, rows))
    assert error.message.startswith("Row 3:") and error.extra["errors"][0]["field"] == "rows[2].from"
    assert "nothing to connect" in refusal(lambda: connect_many(ACTOR, [])).message
    assert len(connect_many(ACTOR, rows[:2])) == 2
    assert Connection.select().count() == 6


def test_a_connected_port_cannot_be_removed_but_a_free_one_can(topology):
    device = get_device("sipm-hv01")
    assert "disconnect it first" in refusal(lambda: remove_port(ACTOR, device, "ch0")).message
    remove_port(ACTOR, device, "ch3")
    add_port(ACTOR, device, "ch3", "HV")
    assert refusal(lambda: add_port(ACTOR, device, "ch3", "HV")).status == 409


def test_behind_a_controller_is_everything_that_depends_on_it_nearest_first(topology):
    add_device(ACTOR, "switch-01", ports=[{"name": "p1", "kind": "network"}])
    add_port(ACTOR, get_device("adc-01"), "eth", "network")
    connect(ACTOR, "switch-01:p1", "adc-01:eth", "network")
    found = behind(get_device("switch-01"))
    assert [(f["name"], f["depth"], f["via"], f["kind"]) for f in found] == [
        ("adc-01", 1, "switch-01", "network"), ("bgo-0", 2, "adc-01", "readout"), ("bgo-1", 2, "adc-01", "readout")]
    assert [f["name"] for f in behind(get_device("sipm-hv01"))] == ["bgo-0", "bgo-1"]
    assert [f["name"] for f in behind(get_device("switch-01"), ["network"])] == ["adc-01"]
    assert behind(get_device("bgo-0")) == []


def test_behind_ends_on_a_cycle(topology):
    for device, port in (("adc-01", "loop"), ("adc-01", "loop2"), ("sipm-hv01", "sync"), ("sipm-hv01", "sync2")):
        add_port(ACTOR, get_device(device), port, "")
    connect(ACTOR, "adc-01:loop", "sipm-hv01:sync", "trigger")
    connect(ACTOR, "sipm-hv01:sync2", "adc-01:loop2", "trigger")
    assert {f["name"] for f in behind(get_device("sipm-hv01"))} == {"bgo-0", "bgo-1", "adc-01"}
