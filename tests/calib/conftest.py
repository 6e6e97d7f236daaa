"""Calibration fixtures: a store on a temp calibration directory, its index in the test database."""

import pytest

from dcs.audit import Actor
from dcs.calib.store import CalibStore

EXPERT = Actor("user:erin", None)


@pytest.fixture
def store(settings, db):
    return CalibStore(settings.calib_dir)
