"""Devices keep to the rules: names, hardware indexes, addresses and predecessor links are checked and a
refusal names the field; nothing is written by a refused change."""

import pytest

from dcs.errors import DcsError
from dcs.topology.devices import add_device, get_device, lineage, parse_hw_index, update_device
from dcs.topology.models import Device, Port

from ..conftest import snapshot
from .conftest import ACTOR


def refused(call, field, *words):
    before = snapshot()
    with pytest.raises(DcsError) as error:
        call()
    assert any(p["field"] == field for p in error.value.extra.get("errors", [])) or field in error.value.message, \
        error.value.message
    for word in words:
        assert word in error.value.message
    assert snapshot() == before
    return error.value


@pytest.mark.parametrize("name", ["cspad", "CSPAD-1", "cspad-../x", "cspad-", "-0001", "cs pad-1", "x" * 201])
def test_names_outside_the_rules_are_refused(topology, name):
    with pytest.raises(DcsError) as error:
        add_device(ACTOR, name)
    assert error.value.status == 400 and "detector" in error.value.message.lower()


def test_a_new_device_gets_its_types_ports_and_its_fields(topology):
    device = add_device(ACTOR, "sipm-hv02", "spare board", "ECal", group="ecal", hw_index="20.26.1.2.0.3.2",
                        firmware="3.2", address={"host": "hv-ecal.lab", "port": 1470, "crate": 1, "slot": 2})
    assert [p.name for p in Port.select().where(Port.device == device).order_by(Port.name)] == \
        ["ch0", "ch1", "ch2", "ch3"]
    assert device.to_dict()["address"] == {"host": "hv-ecal.lab", "port": 1470, "crate": 1, "slot": 2}
    assert Device.get(Device.hw_index == "20.26.1.2.0.3.2").name == "sipm-hv02"


@pytest.mark.parametrize("value, expected", [([3, 1, 4], "3.1.4"), ("3.1.4.1.5.9.2", "3.1.4.1.5.9.2"), (None, None)])
def test_hardware_indexes_read_as_lists_or_dotted_text(value, expected):
    assert parse_hw_index(value) == expected


@pytest.mark.parametrize("fields, field", [
    ({"hw_index": [1, -2]}, "hw_index"), ({"hw_index": "1.x"}, "hw_index"), ({"hw_index": list(range(17))}, "hw_index"),
    ({"hw_index": [2**32]}, "hw_index"), ({"address": {"host": "bad host!"}}, "address.host"),
    ({"address": {"ip": "300.1.1.1"}}, "address.ip"), ({"address": {"port": 0}}, "address.port"),
    ({"address": {"slot": True}}, "address.slot"), ({"address": {"rack": 3}}, "address.rack"),
    ({"subsystem": "../etc"}, "subsystem"), ({"firmware": "3.2\n"}, "firmware"), ({"group": "nobody-here"}, "nobody"),
])
def test_bad_fields_are_refused_by_name(topology, fields, field):
    refused(lambda: add_device(ACTOR, "sipm-hv09", **fields), field)
    refused(lambda: update_device(ACTOR, get_device("sipm-hv01"), fields), field)


def test_a_hardware_index_and_an_address_belong_to_one_device(topology):
    add_device(ACTOR, "sipm-hv02", hw_index=[1, 2, 3], address={"crate": 1, "slot": 2})
    assert refused(lambda: add_device(ACTOR, "sipm-hv03", hw_index="1.2.3"), "hw_index", "sipm-hv02").status == 409
    assert refused(lambda: add_device(ACTOR, "sipm-hv03", address={"crate": 1, "slot": 2}), "address").status == 409
    add_device(ACTOR, "sipm-hv03", address={"crate": 1, "slot": 3})


def test_predecessor_links_form_a_line_without_cycles(topology):
    add_device(ACTOR, "sipm-hv02", predecessor="sipm-hv01")
    add_device(ACTOR, "sipm-hv03", predecessor="sipm-hv02")
    assert lineage(get_device("sipm-hv02")) == {"predecessors": ["sipm-hv01"], "successors": ["sipm-hv03"]}
    refused(lambda: update_device(ACTOR, get_device("sipm-hv01"), {"predecessor": "sipm-hv03"}), "predecessor",
            "cycle")
    refused(lambda: update_device(ACTOR, get_device("sipm-hv01"), {"predecessor": "sipm-hv01"}), "predecessor", "own")
    second = refused(lambda: add_device(ACTOR, "sipm-hv04", predecessor="sipm-hv01"), "predecessor", "sipm-hv02")
    assert second.status == 409
    refused(lambda: add_device(ACTOR, "sipm-hv04", predecessor="sipm-missing"), "sipm-missing")


def test_a_change_touches_only_the_fields_given_and_is_audited(topology):
    from dcs.audit import AuditEntry

    add_device(ACTOR, "sipm-hv02", "spare", "ECal", firmware="1.0", address={"crate": 1, "slot": 2})
    update_device(ACTOR, get_device("sipm-hv02"), {"firmware": "1.1"})
    device = get_device("sipm-hv02")
    assert (device.description, device.firmware, device.slot) == ("spare", "1.1", 2)
    entry = AuditEntry.select().where(AuditEntry.action == "device.update").order_by(AuditEntry.id.desc()).first()
    assert "firmware" in entry.summary and '"1.0"' in entry.before_json and '"1.1"' in entry.after_json
