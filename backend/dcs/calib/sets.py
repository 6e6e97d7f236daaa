"""Named calibration sets: a set pins versions; a lookup in a set takes the pinned version first.

(Proposing and approving sets is the approval workflow's business; this is the data it works on.)
"""

import re

from ..audit import record
from ..db import database
from ..errors import bad_request, conflict
from ..timeutil import now_ns
from .models import CalibSet, CalibSetPin

SET_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def create_set(actor, name, versions=(), description=""):
    if not isinstance(name, str) or not SET_NAME.fullmatch(name):
        raise bad_request(f"The set name {name!r} is not valid: 1 to 100 letters, digits, '.', '_' or '-'.")
    with database.atomic():
        if CalibSet.select().where(CalibSet.name == name).exists():
            raise conflict(f"A calibration set named {name!r} exists already.")
        calib_set = CalibSet.create(name=name, description=description, created_ns=now_ns())
        for version in versions:
            CalibSetPin.create(set=calib_set, version=version)
        record(actor, "calib.set.create", "calib_set", name, f"created calibration set {name}",
               after={"pins": [v.id for v in versions]})
    return calib_set
