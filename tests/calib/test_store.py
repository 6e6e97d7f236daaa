"""The calibration store: what goes in comes out bit for bit, and bad input writes nothing."""

import hashlib
import os

import h5py
import numpy as np
import pytest
from dcs.calib import h5file
from dcs.calib.models import CalibVersion
from dcs.errors import DcsError
from dcs.timeutil import iso

from ..conftest import snapshot
from .conftest import EXPERT

CSPAD = (32, 185, 388)


def cspad(value=0.0, seed=1):
    return np.random.default_rng(seed).normal(value, 3, size=CSPAD).astype("f4")


def files(root):
    return {p: p.read_bytes() for p in sorted(root.rglob("*.h5"))}


def test_a_cspad_pedestal_array_comes_back_bit_for_bit(store):
    array = cspad(1500)
    version = store.put(EXPERT, "cspad-0001", "pedestals", array, "2016-10-27T14:05:00+02:00", comment="dark run 12")
    back, found = store.get("cspad-0001", "pedestals", 1477569900 + 10)
    assert found.id == version.id and back.dtype == np.dtype("<f4") and back.shape == CSPAD
    assert back.tobytes() == array.tobytes()
    assert found.sha256 == hashlib.sha256(array.tobytes()).hexdigest()


def test_the_file_is_readable_with_a_few_lines_of_plain_h5py(store):
    store.put(EXPERT, "epix100a-0001", "pixel_status", np.ones((704, 768), "u2"), 1000, 2000, comment="first")
    with h5py.File(store.root / "epix100a" / "epix100a-0001.h5", "r") as f:
        assert f.attrs["detname"] == "epix100a-0001" and f.attrs["dettype"] == "epix100a"
        rng = f["pixel_status"]["1000-2000"]
        assert (rng.attrs["tsbegin"], rng.attrs["tsend"]) == (1000, 2000)
        (name, version), = rng.items()
        assert version.attrs["versind"] == 1
        assert version["calib"][()].shape == (704, 768)
        assert '"comment": "first"' in version.attrs["dictpars"]


def test_geometry_is_stored_as_utf8_text(store):
    text = "# geometry of cspad-0001 — Å\nQUAD:V1 0 CSPAD:V1 0 0 0 0 0 0 0 0 0\n"
    store.put(EXPERT, "cspad-0001", "geometry", text, 1000)
    back, _ = store.get("cspad-0001", "geometry", 2000)
    assert back == text


def test_a_reader_during_a_write_gets_the_previous_version_never_a_half_written_one(store):
    first = cspad(1)
    store.put(EXPERT, "cspad-0001", "pedestals", first, 1000)
    path = store.root / "cspad" / "cspad-0001.h5"
    with h5file.writing(path) as h5:  # a writer in the middle of its work
        h5file.add_version(h5, "cspad-0001", "pedestals", 1000, None, cspad(2), 2 * 10**18, {}, "in flight", 1)
        assert os.path.exists(f"{path}.journal")
        back, version = store.get("cspad-0001", "pedestals", 5000)
        assert version.versind == 1 and back.tobytes() == first.tobytes()


def test_a_new_version_never_moves_an_explicit_default(store):
    for value in (1, 2):
        store.put(EXPERT, "pnccd-12345678", "pedestals", np.full((4, 4), value, "f4"), 1000)
    store.set_default(EXPERT, "pnccd-12345678", "pedestals", 1000, None, 1)
    store.put(EXPERT, "pnccd-12345678", "pedestals", np.full((4, 4), 3, "f4"), 1000)
    back, version = store.get("pnccd-12345678", "pedestals", 1500)
    assert version.versind == 1 and back[0, 0] == 1


def test_deprecating_hides_a_version_but_keeps_its_data(store):
    store.put(EXPERT, "cspad-0001", "pixel_rms", np.full((2, 2), 1, "f4"), 1000)
    newer = store.put(EXPERT, "cspad-0001", "pixel_rms", np.full((2, 2), 2, "f4"), 1000)
    store.deprecate(EXPERT, newer, "taken with the shutter open")
    back, version = store.get("cspad-0001", "pixel_rms", 1500)
    assert version.versind == 1
    assert store.read(CalibVersion.get_by_id(newer.id))[0, 0] == 2
    back, _ = store.get("cspad-0001", "pixel_rms", 1500, as_of=iso(newer.tsprod_ns))
    assert back[0, 0] == 2, "time travel sees the version as it was before it was deprecated"


def expect_refusal(store, status, words, *args, **kw):
    before_db, before_files = snapshot(), files(store.root)
    with pytest.raises(DcsError) as error:
        store.put(EXPERT, *args, **kw)
    assert error.value.status == status, error.value.message
    for word in words:
        assert word in error.value.message, error.value.message
    assert snapshot() == before_db and files(store.root) == before_files
    return error.value


def test_a_different_shape_or_dtype_is_refused_with_both_shapes_unless_forced(store):
    store.put(EXPERT, "cspad-0001", "pedestals", cspad(), 1000)
    expect_refusal(store, 409, ["(32, 185, 388)", "(32, 185, 300)", "force"],
                   "cspad-0001", "pedestals", np.zeros((32, 185, 300), "f4"), 2000)
    expect_refusal(store, 409, ["<f4", "<f8"], "cspad-0001", "pedestals", np.zeros(CSPAD, "f8"), 2000)
    forced = store.put(EXPERT, "cspad-0001", "pedestals", np.zeros((32, 185, 300), "f4"), 2000, force=True)
    assert forced.shape_tuple == (32, 185, 300)


def test_nan_or_inf_in_pedestals_is_refused_unless_allowed(store):
    array = cspad()
    array[3, 4, 5], array[0, 0, 0] = np.nan, np.inf
    expect_refusal(store, 400, ["2 NaN or infinite"], "cspad-0001", "pedestals", array, 1000)
    assert store.put(EXPERT, "cspad-0001", "pedestals", array, 1000, allow_nonfinite=True).versind == 1


@pytest.mark.parametrize("detname", ["../etc-passwd", "cspad", "cspad-../../x", "CSPAD-1", "cspad-a/b", ""])
def test_names_outside_the_rules_are_refused_and_nothing_lands_on_disk(store, detname):
    expect_refusal(store, 400, [], detname, "pedestals", np.zeros(3, "f4"), 1000)
    assert not any(store.root.parent.rglob("passwd*"))


@pytest.mark.parametrize("begin, end, words", [
    (2000, 1000, ["ends", "before"]),
    (1000, 1000, ["ends"]),
    (1000.5, None, ["whole second"]),
    ("yesterday", None, ["begin time"]),
    (1000, "soon", ["end time"]),
])
def test_bad_validity_ranges_are_refused(store, begin, end, words):
    expect_refusal(store, 400, words, "cspad-0001", "pedestals", np.zeros(3, "f4"), begin, end)


@pytest.mark.parametrize("ctype, array, words", [
    ("pedestal", np.zeros(3, "f4"), ["not known"]),
    ("pedestals", np.array(["a", "b"]), ["numeric array"]),
    ("pedestals", np.zeros((0,), "f4"), ["at least one value"]),
    ("pedestals", np.float32(3), ["numeric array"]),
    ("geometry", np.zeros(3), ["text"]),
])
def test_unknown_ctypes_and_wrong_kinds_of_data_are_refused(store, ctype, array, words):
    expect_refusal(store, 400, words, "cspad-0001", ctype, array, 1000)


@pytest.mark.parametrize("workspace", ["experiment:", "sandbox:xpp:Bad User", "experiment:../x", "elsewhere"])
def test_work_spaces_that_cannot_exist_are_refused(store, workspace):
    expect_refusal(store, 400, ["work-space"], "cspad-0001", "pedestals", np.zeros(3, "f4"), 1000,
                   workspace=workspace)


def test_a_set_that_does_not_exist_is_a_404_not_an_empty_answer(store):
    store.put(EXPERT, "cspad-0001", "pedestals", np.zeros(3, "f4"), 1000)
    with pytest.raises(DcsError) as error:
        store.get("cspad-0001", "pedestals", 1500, set_name="good-42")
    assert error.value.status == 404 and "good-42" in error.value.message


def test_nothing_applies_before_the_first_range(store):
    store.put(EXPERT, "cspad-0001", "pedestals", np.zeros(3, "f4"), 1000)
    assert store.get("cspad-0001", "pedestals", 999) == (None, None)


def test_a_reader_finding_a_dead_writers_journal_rolls_it_back_first(store):
    store.put(EXPERT, "cspad-0001", "pixel_mask", np.ones((3, 3), "u1"), 1000)
    path = store.root / "cspad" / "cspad-0001.h5"
    intact = path.read_bytes()
    from dcs.calib.journal import JournaledFile

    dead = JournaledFile(path)  # a writer that scribbled over the file's start and was killed
    dead.seek(0)
    dead.write(b"\x00" * 4096)
    dead.flush()
    assert path.read_bytes() != intact
    with h5file.reading(path) as h5:
        assert h5["pixel_mask"] is not None
    assert path.read_bytes() == intact and not os.path.exists(f"{path}.journal")


@pytest.mark.parametrize("damage", ["truncate", "overwrite"])
def test_a_truncated_or_corrupted_file_is_reported_by_name_and_nothing_more_is_written(store, damage):
    store.put(EXPERT, "cspad-0001", "pixel_rms", np.ones((3, 3), "f4"), 1000)
    path = store.root / "cspad" / "cspad-0001.h5"
    data = path.read_bytes()
    path.write_bytes(data[:200] if damage == "truncate" else b"\x00" * 64 + data[64:])
    broken = path.read_bytes()
    before = snapshot()
    with pytest.raises(DcsError) as error:
        store.put(EXPERT, "cspad-0001", "pixel_rms", np.ones((3, 3), "f4"), 2000)
    assert "cspad-0001.h5 is not a readable HDF5 file" in error.value.message
    assert path.read_bytes() == broken and snapshot() == before
    with pytest.raises(DcsError, match="not a readable HDF5 file"):
        with h5file.reading(path):
            pass
