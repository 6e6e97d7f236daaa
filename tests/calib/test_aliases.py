"""Aliases resolved at the lookup's time, and predecessor/successor links followed on request."""

import numpy as np
import pytest

from dcs.calib import DCStore
from dcs.topology.aliases import add_alias
from dcs.errors import DcsError

from .conftest import EXPERT


def test_a_time_dependent_alias_names_the_detector_of_its_time(store):
    store.put(EXPERT, "pnccd-12345678", "pedestals", np.full(2, 1, "f4"), 1000)
    store.put(EXPERT, "pnccd-87654321", "pedestals", np.full(2, 2, "f4"), 1000)
    add_alias(EXPERT, "Camp.0:pnCCD.1", "pnccd-12345678", 1000, 5000)
    add_alias(EXPERT, "Camp.0:pnCCD.1", "pnccd-87654321", 5000)
    assert store.get("Camp.0:pnCCD.1", "pedestals", 4999)[0][0] == 1
    assert store.get("Camp.0:pnCCD.1", "pedestals", 5000)[0][0] == 2
    with pytest.raises(DcsError, match="names no detector at 1970-01-01T00:16:39") as error:
        store.lookup("Camp.0:pnCCD.1", "pedestals", 999)
    assert error.value.status == 404


@pytest.mark.parametrize("alias, detname, begin, end, words", [
    ("cspad-0001", "pnccd-1", 1000, None, "detector name itself"),
    ("../x", "pnccd-1", 1000, None, "not valid"),
    ("Camp.0:pnCCD.1", "not a detector", 1000, None, "detector"),
    ("Camp.0:pnCCD.1", "pnccd-1", 2000, 1000, "ends before"),
])
def test_bad_aliases_are_refused(store, alias, detname, begin, end, words):
    with pytest.raises(DcsError, match=words):
        add_alias(EXPERT, alias, detname, begin, end)


def test_overlapping_aliases_are_refused(store):
    add_alias(EXPERT, "cam1", "opal-1", 1000, 5000)
    with pytest.raises(DcsError, match="must not overlap"):
        add_alias(EXPERT, "cam1", "opal-2", 4000)
    add_alias(EXPERT, "cam1", "opal-2", 5000)


def test_a_successor_with_no_constants_yet_takes_its_predecessors_on_request(store):
    store.put(EXPERT, "epix100a-0001", "pixel_gain", np.full(2, 7, "f4"), 1000)
    store.put(EXPERT, "epix100a-0002", "pixel_status", np.zeros(2, "u2"), 1000)
    DCStore(store.root, "epix100a-0002").set_predecessor("epix100a-0001")
    assert store.lookup("epix100a-0002", "pixel_gain", 2000) is None
    assert store.get("epix100a-0002", "pixel_gain", 2000, follow=True)[0][0] == 7


def test_the_topology_links_a_successor_to_its_predecessors_constants(store):
    from dcs.topology.devices import add_device

    store.put(EXPERT, "epix100a-0001", "pixel_gain", np.full(2, 7, "f4"), 1000)
    add_device(EXPERT, "epix100a-0001")
    add_device(EXPERT, "epix100a-0002", predecessor="epix100a-0001")
    assert store.lookup("epix100a-0002", "pixel_gain", 2000) is None
    assert store.get("epix100a-0002", "pixel_gain", 2000, follow=True)[0][0] == 7
