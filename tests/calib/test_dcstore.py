"""The seed's DCStore API over the same files: reading, resolving, writing, never destroying."""

import random

import numpy as np
import pytest

from dcs.calib import DCStore
from dcs.errors import DcsError

from .conftest import EXPERT


@pytest.fixture
def filled(store):
    for at, value in ((1100, 1), (1200, 2)):
        store.put(EXPERT, "pnccd-12345678", "pedestals", np.full((2, 2), value, "f4"), 1000, tsprod=at,
                  comment=f"dark {value}")
    store.put(EXPERT, "pnccd-12345678", "pedestals", np.full((2, 2), 10, "f4"), 2000, 3000, tsprod=2100)
    store.put(EXPERT, "pnccd-12345678", "pixel_status", np.zeros((2, 2), "u2"), 1000, tsprod=1100)
    store.put(EXPERT, "pnccd-12345678", "geometry", "QUAD:V1 0 PNCCD:V1 0\n", 1000)
    return store


def test_it_reads_the_portals_file_through_the_seed_api(filled):
    cs = DCStore(filled.root, "pnccd-12345678")
    assert (cs.dettype(), cs.detid(), cs.detname()) == ("pnccd", "12345678", "pnccd-12345678")
    assert cs.ctypes() == ["geometry", "pedestals", "pixel_status"]
    assert cs.pedestals(1500).tolist() == [[2, 2], [2, 2]]
    assert cs.pedestals(2500)[0, 0] == 10 and cs.pedestals(999) is None
    assert cs.pedestals("1970-01-01T00:25:00Z", vers=1)[0, 0] == 1
    assert cs.get("pedestals", 1500, as_of=1150)[0, 0] == 1
    assert cs.geometry(1500) == "QUAD:V1 0 PNCCD:V1 0\n"
    cto = cs.ctypeobj("pedestals")
    assert cto.ranges() == ["1000-end", "2000-3000"]
    rng = cto.rangeobj((1000, None))
    assert (rng.begin(), rng.end()) == (1000, None)
    assert [rng.versobj(n).versind() for n in rng.versions()] == [1, 2]
    assert rng.versdef().versind() == 2 and rng.versobj(1).tsprod() == 1100.0
    assert rng.versobj(1).par("comment") == "dark 1"
    assert cs.getdict("pedestals")["2000-3000"] == {"0000002100000000000": 1}
    assert "created the file" in cs.history()


def test_tsp_may_be_an_object_with_a_time(filled):
    class Event:
        def time(self):
            return (1500, 250_000_000)

    assert DCStore(filled.root, "pnccd-12345678").pedestals(Event())[0, 0] == 2


def test_writes_through_the_api_keep_the_portal_index_in_step(filled):
    cs = DCStore(filled.root, "pnccd-12345678", portal=filled)
    version = cs.addcalib("pedestals", np.full((2, 2), 3, "f4"), 1000, comment="third")
    assert version.versind() == 3
    assert filled.get("pnccd-12345678", "pedestals", 1500)[0][0, 0] == 3
    cs.ctypeobj("pedestals").rangeobj("1000-end").set_versdef(1)
    assert filled.get("pnccd-12345678", "pedestals", 1500)[0][0, 0] == 1
    assert cs.pedestals(1500)[0, 0] == 1
    cs.add_par("location", "XPP hutch 3")
    assert DCStore(filled.root, "pnccd-12345678").par("location") == "XPP hutch 3"


def test_delete_deprecates_and_never_destroys(filled):
    cs = DCStore(filled.root, "pnccd-12345678", portal=filled)
    gone = cs.delete("pedestals", 2500)
    assert gone.versind() == 1 and cs.pedestals(2500)[0, 0] == 2, "the open range applies again"
    assert filled.get("pnccd-12345678", "pedestals", 2500)[0][0, 0] == 2
    assert cs.ctypeobj("pedestals").rangeobj("2000-3000").versobj(1).calib()[0, 0] == 10


def test_a_stored_version_never_changes(filled):
    version = DCStore(filled.root, "pnccd-12345678").ctypeobj("pedestals").rangeobj("1000-end").versobj(1)
    with pytest.raises(PermissionError, match="never changes"):
        version.add_calib(np.zeros((2, 2), "f4"))


def test_a_missing_file_raises_ioerror_as_the_seed_says(store, tmp_path):
    with pytest.raises(IOError, match="is not available"):
        DCStore(store.root, "cspad-9999")
    with pytest.raises(IOError, match="File .*cspad-0001.h5 is not available"):
        DCStore(tmp_path / "nowhere" / "cspad-0001.h5")


def test_a_direct_file_path_and_an_alias_work(filled):
    direct = DCStore(filled.root / "pnccd" / "pnccd-12345678.h5")
    assert direct.pedestals(1500)[0, 0] == 2
    (filled.root / "pnccd" / "sources.als").write_text("# alias detname\nCamp.0:pnCCD.1 pnccd-12345678\n")
    assert DCStore(filled.root, "Camp.0:pnCCD.1").detname() == "pnccd-12345678"
    with pytest.raises(IOError):
        DCStore(filled.root, "Camp.0:unknown")


def test_the_file_resolver_agrees_with_the_index_on_random_histories(store):
    rng = random.Random(11)
    bounds = [(b, e) for b in range(0, 60, 10) for e in (None, b + 5, b + 30)]
    for index in range(60):
        begin, end = rng.choice(bounds)
        store.put(EXPERT, "cspad-0001", "pixel_gain", np.array([float(index)]), begin, end,
                  tsprod=rng.randrange(1, 500))
    cs = DCStore(store.root, "cspad-0001")
    for _ in range(200):
        t, as_of = rng.randrange(0, 100), rng.choice([None, rng.randrange(1, 500)])
        from_index = store.get("cspad-0001", "pixel_gain", t, as_of=as_of)[0]
        from_file = cs.get("pixel_gain", t, as_of=as_of)
        assert (None if from_index is None else from_index.item()) == (None if from_file is None else
                                                                        from_file.item()), (t, as_of)


def test_an_empty_range_is_added_and_takes_effect_with_its_first_version(filled):
    cs = DCStore(filled.root, "pnccd-12345678", portal=filled)
    rng = cs.ctypeobj("pedestals").add_range((1400, 1600))
    assert "1400-1600" in cs.ctypeobj("pedestals").ranges() and rng.versions() == []
    assert cs.pedestals(1500)[0, 0] == 2 and filled.get("pnccd-12345678", "pedestals", 1500)[0][0, 0] == 2
    rng.add_version(np.full((2, 2), 14, "f4"))
    assert cs.pedestals(1500)[0, 0] == 14 and filled.get("pnccd-12345678", "pedestals", 1500)[0][0, 0] == 14
    with pytest.raises(DcsError, match="not a validity range"):
        cs.ctypeobj("pedestals").add_range("soon")
