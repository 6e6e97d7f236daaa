"""Detector names `<dettype>-<detid>` and account names are checked before they reach a path or a row."""

import pytest

from dcs.errors import DcsError
from dcs.names import account_name, split_detname


@pytest.mark.parametrize("name, parts", [
    ("cspad-0001", ("cspad", "0001")),
    ("epix100a-0001", ("epix100a", "0001")),
    ("pnccd-12345678", ("pnccd", "12345678")),
    ("cspad2x2-A.b_c-d", ("cspad2x2", "A.b_c-d")),
])
def test_a_detector_name_splits_at_the_first_dash(name, parts):
    assert split_detname(name) == parts


@pytest.mark.parametrize("name", ["cspad", "-0001", "CSPAD-1", "2cspad-1", "cspad-", "cspad-../x", "cspad-..",
                                  "cspad-/etc", "cs pad-1", "cspad-a/b", "cspad-.hidden", "", "cspad-" + "1" * 300,
                                  "cspad-0001\x00", None, 42])
def test_anything_else_is_refused(name):
    with pytest.raises(DcsError) as error:
        split_detname(name)
    assert error.value.status == 400 and error.value.message.endswith(".")


@pytest.mark.parametrize("name", ["ab", "alice", "a.b-c_d", "x" * 64])
def test_account_names_that_pass(name):
    assert account_name(name) == name


@pytest.mark.parametrize("name", ["a", "Alice", "1abc", "x" * 65, "a b", "../a", "", None])
def test_account_names_that_are_refused(name):
    with pytest.raises(DcsError):
        account_name(name)
