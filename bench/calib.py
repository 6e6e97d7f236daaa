"""The calibration store against plain h5py and against itself at scale, measured side by side.

- get(): the store's get() of a cspad pedestal array (32x185x388 float32) against plain h5py opening
  the file and reading the same dataset (target: within 1.25x).
- lookup: resolving among 10,000 ranges x 5 versions against among 10 ranges (target: within 1.5x).
- http: GET of that array as .npy through waitress on loopback (a token, a real socket, the array
  parsed on arrival) against the in-process get() (target: within 3x).
- add: adding a version to a file that already holds 2 GB against adding it to an empty file
  (target: within 1.5x).
"""

import io
import json
import tempfile
from pathlib import Path

import h5py
import numpy as np
from dcs.audit import Actor
from dcs.calib.models import CalibFile, CalibRange, CalibVersion
from dcs.calib.store import CalibStore
from dcs.db import database
from dcs.timeutil import NS

from .fresh import fresh_portal
from .serving import http_getter
from .timing import median_pair

ACTOR = Actor("bench")
CSPAD = (32, 185, 388)
TARGETS = {"get / plain h5py": 1.25, "lookup 10000 ranges / 10 ranges": 1.5, "http get / in-process get": 3.0,
           "add to 2 GB / add to empty": 1.5}


def _fill_index(detname, ranges, versions):
    """Index rows for many ranges (lookups read only the index, so the file need not hold them)."""
    file = CalibFile.create(workspace="repository", detname=detname, dettype=detname.split("-")[0],
                            path=f"{detname.split('-')[0]}/{detname}.h5", created_ns=0)
    with database.atomic():
        for start in range(0, ranges, 500):
            rows = [{"file": file, "ctype": "pedestals", "name": f"{1000 + 100 * i}-{1100 + 100 * i}",
                     "begin_ns": (1000 + 100 * i) * NS, "end_ns": (1100 + 100 * i) * NS}
                    for i in range(start, min(start + 500, ranges))]
            CalibRange.insert_many(rows).execute()
        range_ids = [r.id for r in CalibRange.select(CalibRange.id).where(CalibRange.file == file)]
        rows = [{"range": rid, "versind": v, "name": "%019d" % v, "tsprod_ns": v * NS, "created_ns": 0,
                 "dtype": "<f4", "shape": json.dumps([4]), "nbytes": 16, "data_offset": 0, "sha256": "0" * 64}
                for rid in range_ids for v in range(1, versions + 1)]
        for start in range(0, len(rows), 2000):
            CalibVersion.insert_many(rows[start:start + 2000]).execute()


def parse_npy(body):
    """A .npy body -> array, viewing the received bytes instead of copying them (as np.load would)."""
    stream = io.BytesIO(body)
    np.lib.format.read_magic(stream)
    shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream)
    return np.frombuffer(body, dtype=dtype, offset=stream.tell()).reshape(shape, order="F" if fortran else "C")


def _npy_getter(settings):
    get = http_getter(settings, "/api/calib/cspad-0001/pedestals?t=5000&format=npy")
    return lambda: parse_npy(get())


def run():
    results, per_call = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        settings, db = fresh_portal(tmp)
        store = CalibStore(settings.calib_dir)

        pedestals = np.random.default_rng(1).normal(1500, 10, CSPAD).astype("f4")
        version = store.put(ACTOR, "cspad-0001", "pedestals", pedestals, 1000)
        path = Path(settings.calib_dir) / "cspad" / "cspad-0001.h5"
        dataset = f"pedestals/{version.range.name}/{version.name}/calib"

        def plain_h5py():
            with h5py.File(path, "r") as f:
                return f[dataset][()]

        per_call["get"], per_call["plain h5py"] = median_pair(
            lambda: store.get("cspad-0001", "pedestals", 5000), plain_h5py, rounds=9, per_round=20)

        per_call["http get"], per_call["in-process get"] = median_pair(
            _npy_getter(settings),
            lambda: store.get("cspad-0001", "pedestals", 5000), rounds=9, per_round=20)

        _fill_index("cspad-0010", 10, 5)
        _fill_index("cspad-10000", 10000, 5)
        per_call["lookup 10000 ranges"], per_call["lookup 10 ranges"] = median_pair(
            lambda: store.lookup("cspad-10000", "pedestals", 1000 + 100 * 7777 + 50),
            lambda: store.lookup("cspad-0010", "pedestals", 1000 + 100 * 7 + 50), rounds=9, per_round=200)

        big = np.zeros((2 * 1024**3) // 4, dtype="f4")  # 2 GiB of background in the file first
        store.put(ACTOR, "jungfrau-big", "pixel_bkgd", big, 1000, allow_nonfinite=True)
        del big
        counter = iter(range(10**6))

        def add_to(detname):
            def add():
                store.put(ACTOR, detname, "pedestals", pedestals, 2000 + next(counter))
            return add

        store.put(ACTOR, "jungfrau-small", "pixel_bkgd", np.zeros(4, "f4"), 1000)
        per_call["add to 2 GB"], per_call["add to empty"] = median_pair(
            add_to("jungfrau-big"), add_to("jungfrau-small"), rounds=7, per_round=3)
        db.close()

    results = {
        "get / plain h5py": per_call["get"] / per_call["plain h5py"],
        "lookup 10000 ranges / 10 ranges": per_call["lookup 10000 ranges"] / per_call["lookup 10 ranges"],
        "http get / in-process get": per_call["http get"] / per_call["in-process get"],
        "add to 2 GB / add to empty": per_call["add to 2 GB"] / per_call["add to empty"],
    }
    print(f"   {'measure':<34} {'ms/call':>10}")
    for name, seconds in per_call.items():
        print(f"   {name:<34} {seconds * 1e3:10.3f}")
    print(f"   {'ratio':<34} {'value':>10} {'target':>8}  met")
    for name, ratio in results.items():
        print(f"   {name:<34} {ratio:10.2f} {TARGETS[name]:8.2f}  {'yes' if ratio <= TARGETS[name] else 'NO'}")
    return {"seconds_per_call": per_call, "ratios": results, "targets": TARGETS,
            "met": {name: results[name] <= TARGETS[name] for name in results}}
