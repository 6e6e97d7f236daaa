"""squeeze, transfer and diff: constants move between files and work-spaces without losing anything."""

import h5py
import numpy as np
import pytest

from dcs.calib import DCStore
from dcs.calib.exchange import diff, squeeze, transfer
from dcs.errors import DcsError

from .conftest import EXPERT


@pytest.fixture
def history(store):
    for begin, end, value in ((1000, 2000, 1), (2000, 3000, 2), (3000, None, 3), (5000, 6000, 4)):
        store.put(EXPERT, "epix100a-0001", "pedestals", np.full((4, 4), value, "f4"), begin, end, tsprod=begin + 1,
                  comment=f"dark {value}")
    return store


def test_squeeze_keeps_only_the_ranges_of_the_window_and_reads_alone(history, tmp_path):
    out = tmp_path / "xpp1" / "epix100a-0001.h5"
    out.parent.mkdir()
    assert squeeze(history.root / "epix100a" / "epix100a-0001.h5", out, 2500, 4000) == 2
    with h5py.File(out, "r") as f:
        assert list(f["pedestals"]) == ["2000-3000", "3000-end"]
        assert f.attrs["detname"] == "epix100a-0001"
    cs = DCStore(out)
    assert cs.pedestals(2500)[0, 0] == 2 and cs.pedestals(3500)[0, 0] == 3 and cs.pedestals(1500) is None


def test_transfer_copies_versions_with_their_history_and_production_time(history):
    copies = transfer(history, EXPERT, "epix100a-0001", "pedestals", "repository", "experiment:xpp1", begin=2000)
    assert [c.versind for c in copies] == [1]
    array, version = history.get("epix100a-0001", "pedestals", 2500, workspace="experiment:xpp1")
    assert array[0, 0] == 2 and version.range.file.workspace == "experiment:xpp1"
    assert version.tsprod_ns == 2001 * 10**9 and version.comment == "dark 2"
    path = history.root / "_experiments" / "xpp1" / "epix100a" / "epix100a-0001.h5"
    with h5py.File(path, "r") as f:
        group = f["pedestals/2000-3000"][version.name]
        assert "added by user:erin: dark 2" in group.attrs["history"]
        assert "transferred_from" in group.attrs["dictpars"]


def test_transfer_refuses_nonsense(history):
    with pytest.raises(DcsError, match="two different"):
        transfer(history, EXPERT, "epix100a-0001", "pedestals", "repository", "repository")
    with pytest.raises(DcsError, match="holds no"):
        transfer(history, EXPERT, "epix100a-0001", "pedestals", "experiment:none", "repository")


def test_diff_lists_what_is_on_one_side_and_the_statistics_of_what_changed(history, tmp_path):
    source = history.root / "epix100a" / "epix100a-0001.h5"
    copy = tmp_path / "copy.h5"
    assert squeeze(source, copy, 0) == 4
    assert diff(source, copy) == {"only_in_a": [], "only_in_b": [], "changed": []}
    history.put(EXPERT, "epix100a-0001", "pedestals", np.full((4, 4), 9, "f4"), 7000)
    with h5py.File(copy, "r+") as f:  # someone edited the copy behind the store's back
        (version,) = f["pedestals/1000-2000"].values()
        data = version["calib"][()]
        data[0, :2] += 5
        version["calib"][...] = data
        version.attrs["sha256"] = "edited"
    result = diff(source, copy, threshold=1)
    assert result["only_in_a"] == [f"pedestals/7000-end/{history.lookup('epix100a-0001', 'pedestals', 7000).name}"]
    assert result["only_in_b"] == []
    (changed,) = result["changed"]
    assert changed["changed"] == 2 and changed["pixels"] == 16 and changed["max"] == 5 and changed["min"] == 0
