"""A small topology: an HV board powering two crystals that a digitizer reads out, in the ecal group."""

import pytest

from dcs.audit import Actor
from dcs.topology.connections import connect
from dcs.topology.devices import add_device, add_type

ACTOR = Actor("test:topology")


@pytest.fixture
def topology(people):
    add_type(ACTOR, "sipm", "HV board", "ecal", [{"name": f"ch{c}", "kind": "HV"} for c in range(4)])
    add_type(ACTOR, "bgo", "crystal", "ecal", [{"name": "hv", "kind": "HV"}, {"name": "signal", "kind": "readout"}])
    add_type(ACTOR, "adc", "digitizer", "ecal", [{"name": f"in{c}", "kind": "readout"} for c in range(4)])
    add_device(ACTOR, "sipm-hv01", subsystem="ECal", group="ecal")
    add_device(ACTOR, "adc-01", subsystem="ECal", group="ecal")
    for i in range(2):
        add_device(ACTOR, f"bgo-{i}", subsystem="ECal", group="ecal")
        connect(ACTOR, f"sipm-hv01:ch{i}", f"bgo-{i}:hv", "HV")
        connect(ACTOR, f"adc-01:in{i}", f"bgo-{i}:signal", "readout")
    return ACTOR
