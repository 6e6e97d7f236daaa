"""An HV board type with a schema and a default, and two boards of the ecal group."""

import pytest

from dcs.audit import Actor
from dcs.configs.versions import owner_of, save_version, set_schema
from dcs.topology.devices import add_device, add_type, get_type

ACTOR = Actor("test:configs")
SCHEMA = {
    "type": "object", "additionalProperties": False, "required": ["enabled", "ramp_rate"],
    "properties": {
        "enabled": {"type": "boolean"},
        "ramp_rate": {"type": "number", "minimum": 0.1, "maximum": 10, "x-tolerance": "5%"},
        "mode": {"enum": ["normal", "low-noise"]},
        "channels": {"type": "array", "maxItems": 4, "items": {
            "type": "object", "required": ["voltage"], "additionalProperties": False,
            "properties": {"voltage": {"type": "number", "minimum": 0, "maximum": 60, "x-tolerance": 0.05}}}},
    },
}
DEFAULT = {"enabled": True, "ramp_rate": 2.0, "mode": "normal"}


@pytest.fixture
def boards(people):
    add_type(ACTOR, "sipm", "HV board", "ecal")
    set_schema(ACTOR, get_type("sipm"), SCHEMA)
    save_version(ACTOR, owner_of("type:sipm"), DEFAULT, "first default", activate=True)
    for name in ("sipm-hv01", "sipm-hv02"):
        add_device(ACTOR, name, subsystem="ECal", group="ecal")
    return owner_of("type:sipm"), owner_of("sipm-hv01"), owner_of("sipm-hv02")
