"""A small plant to monitor: a network switch serving a digitizer and an HV board, which power and read two
crystals; all in the ecal group. Helpers send heartbeats and readings and run the engine at chosen times."""

import pytest

from dcs.audit import Actor
from dcs.auth.models import User
from dcs.auth.sessions import principal_for_user
from dcs.db import writing
from dcs.monitoring import heartbeats, parameters
from dcs.monitoring.engine import Engine
from dcs.monitoring.readings import store_rows
from dcs.timeutil import NS, now_ns
from dcs.topology.connections import connect
from dcs.topology.devices import add_device, add_type, get_device

ACTOR = Actor("test:monitoring")


@pytest.fixture
def plant(people):
    add_type(ACTOR, "switch", "network switch", "ecal", [{"name": f"p{c}", "kind": "network"} for c in range(4)])
    add_type(ACTOR, "sipm", "HV board", "ecal", [{"name": f"ch{c}", "kind": "HV"} for c in range(4)]
             + [{"name": "bus", "kind": "network"}])
    add_type(ACTOR, "adc", "digitizer", "ecal", [{"name": f"in{c}", "kind": "readout"} for c in range(4)]
             + [{"name": "eth", "kind": "network"}])
    add_type(ACTOR, "bgo", "crystal", "ecal", [{"name": "hv", "kind": "HV"}, {"name": "signal", "kind": "readout"}])
    add_device(ACTOR, "switch-01", subsystem="DAQ", group="ecal")
    add_device(ACTOR, "sipm-hv01", subsystem="ECal", group="ecal")
    add_device(ACTOR, "adc-01", subsystem="ECal", group="ecal")
    connect(ACTOR, "switch-01:p0", "sipm-hv01:bus", "network")
    connect(ACTOR, "switch-01:p1", "adc-01:eth", "network")
    for i in range(2):
        add_device(ACTOR, f"bgo-{i}", subsystem="ECal", group="ecal")
        connect(ACTOR, f"sipm-hv01:ch{i}", f"bgo-{i}:hv", "HV")
        connect(ACTOR, f"adc-01:in{i}", f"bgo-{i}:signal", "readout")
    return ACTOR


def principal(name):
    return principal_for_user(User.by_name(name))


def beat(*names, who="maya", **fields):
    """Heartbeats for devices now, sent as a member of their group."""
    return heartbeats.receive(ACTOR, principal(who), [{"device": n, **fields} for n in names])


def watch(name, period_s=10, grace_s=5, severity="alarm"):
    return heartbeats.configure(ACTOR, get_device(name), period_s, grace_s, severity)


def limits(device, name="temp", **values):
    return parameters.define(ACTOR, get_device(device), name, {"unit": "C", **values})


def read(parameter, *values, start_ns=None, step_s=1):
    """Store readings of a parameter, one per step from start (default: just before now)."""
    start_ns = start_ns or now_ns() - len(values) * step_s * NS
    with writing():
        store_rows([(parameter.id, start_ns + i * step_s * NS, float(v)) for i, v in enumerate(values)])


@pytest.fixture
def engine(settings, plant):
    return Engine(settings, holder="test-engine")


def later(seconds):
    return now_ns() + int(seconds * NS)
