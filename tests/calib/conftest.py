"""Calibration fixtures: a store on a temp calibration directory, its index in the test database."""

from pathlib import Path

import pytest
from dcs.audit import Actor
from dcs.calib.store import CalibStore

EXPERT = Actor("user:erin", None)


@pytest.fixture
def store(settings, db):
    return CalibStore(settings.calib_dir)


def conformance_file(name):
    """A case file of ../shared/conformance (shared/ sits beside the checkout, in CI too)."""
    here = Path(__file__).resolve()
    for folder in here.parents:
        candidate = folder / "shared" / "conformance" / name
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"shared/conformance/{name} was not found beside the checkout ({here.parents[2]}); "
                            "the conformance cases must be there for these tests.")
