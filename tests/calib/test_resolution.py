"""Every case of shared/conformance/resolution.json, through the real store: HDF5 files and the index."""

import json

import numpy as np
import pytest
from dcs.calib.sets import create_set

from .conftest import EXPERT, conformance_file

CASES = conformance_file("resolution.json")


def apply(store, spec, step):
    detector, ctype = spec["detector"], spec["ctype"]
    if step["op"] == "add":
        store.put(EXPERT, detector, ctype, np.array([step["value"]], dtype="f8"), step["begin"], step["end"],
                  workspace=step["workspace"], tsprod=step["at"])
    elif step["op"] == "set":
        versions = [store.lookup(detector, ctype, pin["begin"], versind=pin["versind"], workspace=pin["workspace"])
                    for pin in step["pins"]]
        create_set(EXPERT, step["name"], versions)
    elif step["op"] == "set_default":
        store.set_default(EXPERT, detector, ctype, step["begin"], step["end"], step["versind"], step["workspace"])
    else:
        raise AssertionError(f"unknown op {step['op']}")


def answer(store, spec, query):
    array, _ = store.get(spec["detector"], spec["ctype"], query["t"], as_of=query.get("as_of"),
                         version=query.get("version"), versind=query.get("versind"), set_name=query.get("set"),
                         workspace=query.get("workspace"))
    return None if array is None else array.item()


@pytest.fixture
def spec():
    return json.loads(CASES.read_text())


def test_every_conformance_query_gets_the_expected_constants(store, spec):
    for step in spec["steps"]:
        apply(store, spec, step)
    wrong = [(q, answer(store, spec, q)) for q in spec["queries"] if answer(store, spec, q) != q["expect"]]
    assert not wrong, f"queries answered wrongly (query, answer): {wrong}"
    for step in spec["then"]:
        apply(store, spec, step)
    wrong = [(q, answer(store, spec, q)) for q in spec["queries_after"] if answer(store, spec, q) != q["expect"]]
    assert not wrong, f"queries after 'then' answered wrongly (query, answer): {wrong}"
