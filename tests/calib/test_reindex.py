"""The files are the truth: an index rebuilt from them alone answers every lookup the same way."""

import numpy as np

from dcs.calib import h5file
from dcs.calib.models import CalibDefault, CalibFile, CalibRange, CalibSetPin, CalibVersion
from dcs.calib.reindex import reindex
from dcs.calib.sets import create_set
from dcs.db import database

from .conftest import EXPERT

QUERIES = [dict(t=t, workspace=w) for t in (999, 1000, 1500, 2500, 3500) for w in
           ("repository", "experiment:xpp1", "sandbox:xpp1:maya")] + [dict(t=1500, versind=1), dict(t=1500, as_of=1150)]


def fill(store):
    for at, value in ((1100, 1), (1200, 2), (1300, 3)):
        store.put(EXPERT, "cspad-0001", "pedestals", np.full(3, value, "f4"), 1000, tsprod=at)
    store.put(EXPERT, "cspad-0001", "pedestals", np.full(3, 10, "f4"), 2000, 3000, tsprod=2100)
    store.put(EXPERT, "cspad-0001", "pedestals", np.full(3, 5, "f4"), 1500, workspace="experiment:xpp1", tsprod=1600)
    store.put(EXPERT, "cspad-0001", "pedestals", np.full(3, 7, "f4"), 2400, workspace="sandbox:xpp1:maya")
    store.put(EXPERT, "cspad-0001", "geometry", "QUAD:V1 0 CSPAD:V1 0\n", 1000)
    store.set_default(EXPERT, "cspad-0001", "pedestals", 1000, None, 2)
    store.deprecate(EXPERT, store.lookup("cspad-0001", "pedestals", 2500))


def answers(store):
    out = []
    for query in QUERIES:
        array, version = store.get("cspad-0001", "pedestals", **query)
        out.append(None if version is None else (array.tolist(), version.sha256, version.versind))
    return out


def test_an_index_rebuilt_from_the_files_alone_gives_the_same_answers(store):
    fill(store)
    before = answers(store)
    with database.atomic():
        for model in (CalibSetPin, CalibDefault, CalibVersion, CalibRange, CalibFile):
            model.delete().execute()
    assert store.get("cspad-0001", "pedestals", 1500) == (None, None)
    added = reindex(store.root)
    assert added == {"files": 3, "ranges": 5, "versions": 7}
    assert answers(store) == before
    assert store.get("cspad-0001", "geometry", 1500)[0] == "QUAD:V1 0 CSPAD:V1 0\n"


def test_reindex_keeps_ids_and_set_pins_and_adds_what_the_index_missed(store):
    fill(store)
    pinned = store.lookup("cspad-0001", "pedestals", 1500, versind=1)
    create_set(EXPERT, "good-1", [pinned])
    path = store.root / "cspad" / "cspad-0001.h5"
    with h5file.writing(path) as h5:  # a version committed to the file, never indexed (writer killed)
        h5file.add_version(h5, "cspad-0001", "pedestals", 5000, None, np.full(3, 50, "f4"), 5 * 10**18, {},
                           "orphan", 1)
    assert reindex(store.root) == {"files": 0, "ranges": 1, "versions": 1}
    assert store.lookup("cspad-0001", "pedestals", 1500, set_name="good-1").id == pinned.id
    assert store.get("cspad-0001", "pedestals", 6000)[0].tolist() == [50, 50, 50]
    assert reindex(store.root) == {"files": 0, "ranges": 0, "versions": 0}
