"""psana interop: the file-selection rule (shared/conformance/psana_ranges.json) and the text format."""

import json

import numpy as np
import pytest
from dcs.calib.psana import read_text, select, write_text
from dcs.errors import DcsError

from .conftest import conformance_file

CASES = conformance_file("psana_ranges.json")


def test_every_conformance_case_selects_the_expected_file():
    wrong = []
    for case in json.loads(CASES.read_text())["cases"]:
        for run, expected in case["expect"].items():
            got = select(case["files"], int(run)) or ""
            if got != expected:
                wrong.append((case["files"], run, expected, got))
    assert not wrong, f"(files, run, expected, got): {wrong}"


@pytest.mark.parametrize("array", [
    np.arange(12, dtype="f8").reshape(3, 4) / 7,
    np.arange(2 * 3 * 4, dtype="f4").reshape(2, 3, 4),
    np.array([1, 0, 4, 8], dtype="u2"),
    np.arange(32 * 5 * 6, dtype="i4").reshape(32, 5, 6) - 400,
])
def test_arrays_survive_the_text_format_with_their_dtype_and_shape(array):
    text = write_text(array, {"EXPERIMENT": "xpp12345", "RUN": 17})
    assert text.startswith("# EXPERIMENT xpp12345\n# RUN 17\n")
    back, comments = read_text(text)
    assert back.dtype == array.dtype and back.shape == array.shape
    np.testing.assert_allclose(back, array, rtol=1e-6)
    assert comments["EXPERIMENT"] == "xpp12345"


def test_three_dimensional_arrays_are_written_as_rows_of_the_last_dimension():
    text = write_text(np.zeros((2, 3, 4), dtype="i2"))
    assert [line for line in text.splitlines() if not line.startswith("#")] == ["0 0 0 0"] * 6


@pytest.mark.parametrize("text, words", [
    ("# DTYPE float64\n# NDIM 2\n# DIM:0 2\n# DIM:1 2\n1 2 3\n", "declares shape"),
    ("1 2 x\n", "not a number"),
])
def test_damaged_text_files_are_refused_with_a_reason(text, words):
    with pytest.raises(DcsError) as error:
        read_text(text, "0-end.data")
    assert words in error.value.message and "0-end.data" in error.value.message
