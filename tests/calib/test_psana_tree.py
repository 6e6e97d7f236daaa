"""psana trees in and out, with run numbers from the runs table: the store answers every run as psana would."""

import json

import numpy as np
import pytest

from dcs.calib.psana import read_text
from dcs.calib.psana_tree import export_tree, import_tree
from dcs.runs import add_experiment, add_run

from .conftest import EXPERT, conformance_file

RUN_SECONDS = 1000  # run n begins at 10**6 + n * RUN_SECONDS


def runs(count, experiment="xpp12345"):
    add_experiment(EXPERT, experiment, "XPP")
    for number in range(count):
        add_run(EXPERT, experiment, number, 10**6 + number * RUN_SECONDS)


def aliases(store):
    (store.root / "cspad").mkdir(parents=True, exist_ok=True)
    (store.root / "cspad" / "sources.als").write_text("XppGon.0:Cspad.0 cspad-0001\n")


def test_an_imported_tree_answers_every_run_like_psanas_selection(store, tmp_path):
    runs(25)
    aliases(store)
    for index, case in enumerate(json.loads(conformance_file("psana_ranges.json").read_text())["cases"]):
        tree = tmp_path / f"case{index}"
        folder = tree / "CsPad::CalibV1" / "XppGon.0:Cspad.0" / "pedestals"
        folder.mkdir(parents=True)
        values = {}
        for number, name in enumerate(case["files"]):
            (folder / name).write_text(f"# DTYPE float64\n{number + 1}\n")
            values[name] = float(number + 1)
        workspace = f"sandbox:xpp12345:case{index}x"
        stored, _ = import_tree(store, EXPERT, tree, "xpp12345", workspace=workspace)
        for run, expected in case["expect"].items():
            if int(run) >= 25:
                continue  # beyond the runs recorded here
            array, _ = store.get("cspad-0001", "pedestals", ("xpp12345", int(run)), workspace=workspace)
            got = None if array is None else array.item()
            assert got == values.get(expected), (case["files"], run, expected, got)


def test_an_export_writes_one_file_per_stretch_of_runs_with_the_same_constants(store, tmp_path):
    runs(10)
    aliases(store)
    store.put(EXPERT, "cspad-0001", "pedestals", np.full((2, 3), 1.5, "f4"), 10**6)
    store.put(EXPERT, "cspad-0001", "pedestals", np.full((2, 3), 2.5, "f4"), 10**6 + 4 * RUN_SECONDS,
              10**6 + 7 * RUN_SECONDS)
    written = export_tree(store, "xpp12345", tmp_path / "calib")
    names = sorted(p.name for p in written)
    assert names == ["0-3.data", "4-6.data", "7-end.data"]
    folder = tmp_path / "calib" / "CsPad::CalibV1" / "XppGon.0:Cspad.0" / "pedestals"
    array, comments = read_text((folder / "4-6.data").read_text())
    assert array.shape == (2, 3) and array[0, 0] == pytest.approx(2.5) and comments["DETNAME"] == "cspad-0001"
    again, _ = import_tree(store, EXPERT, tmp_path / "calib", "xpp12345")
    assert len(again) == 3
    for run, value in ((0, 1.5), (5, 2.5), (9, 1.5)):
        assert store.get("cspad-0001", "pedestals", ("xpp12345", run), workspace="experiment:xpp12345")[0][0, 0] \
            == pytest.approx(value)


def test_import_names_what_it_skipped(store, tmp_path):
    runs(3)
    aliases(store)
    folder = tmp_path / "tree" / "CsPad::CalibV1" / "Unknown.0:Thing.0" / "pedestals"
    folder.mkdir(parents=True)
    (folder / "0-end.data").write_text("1 2 3\n")
    late = tmp_path / "tree" / "CsPad::CalibV1" / "XppGon.0:Cspad.0" / "pedestals"
    late.mkdir(parents=True)
    (late / "50-end.data").write_text("1 2 3\n")
    (late / "HISTORY").write_text("notes\n")
    stored, skipped = import_tree(store, EXPERT, tmp_path / "tree", "xpp12345")
    assert stored == []
    assert any("no .als alias" in s for s in skipped) and any("run 50" in s for s in skipped)
