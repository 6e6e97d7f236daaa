"""kill -9 of writers at random moments: no acknowledged version is lost, every file stays readable."""

import os
import random
import select
import signal
import time

import h5py
import numpy as np
from dcs.audit import Actor
from dcs.calib.h5file import sha256_of
from dcs.calib.models import CalibVersion
from dcs.calib.store import CalibStore, verify
from dcs.db import connect, database

KILLS = 50
DETECTORS = ("cspad-0001", "epix100a-0002")


def writer(settings, pipe_fd, seed):
    """Child process: add versions as fast as it can, reporting each one once put() has returned."""
    rng = np.random.default_rng(seed)
    connect(settings.database_url).connect()
    store = CalibStore(settings.calib_dir)
    actor = Actor("test:writer")
    index = 0
    while True:
        index += 1
        detname = DETECTORS[index % 2]
        shape = (4, 64, 64) if detname.startswith("cspad") else (16, 96)
        array = rng.normal(100, 5, size=shape).astype("f4")
        begin = 1000 * int(rng.integers(1, 30))
        version = store.put(actor, detname, "pedestals", array, begin, workspace="repository")
        os.write(pipe_fd, f"{version.id} {version.sha256}\n".encode())


def _first_acknowledgements(fd, count, limit=30.0):
    """The text a writer sent once it acknowledged count versions (or after limit seconds, whichever first)."""
    text, deadline = "", time.monotonic() + limit
    while text.count("\n") < count and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            text += chunk.decode()
    return text


def test_killed_writers_lose_no_acknowledged_version_and_leave_readable_files(settings, db):
    acknowledged, interrupted = {}, 0
    rng = random.Random(20261121)
    journals = [f"{settings.calib_dir}/{d.split('-')[0]}/{d}.h5.journal" for d in DETECTORS]
    database.close()
    for kill in range(KILLS):
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child never returns to pytest
            os.close(read_fd)
            try:
                writer(settings, write_fd, kill)
            finally:
                os._exit(0)
        os.close(write_fd)
        received = _first_acknowledgements(read_fd, 2)  # however loaded the machine, the writer got going
        time.sleep(rng.uniform(0.0, 0.06))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        interrupted += any(os.path.exists(j) for j in journals)  # killed in the middle of a file write
        with os.fdopen(read_fd) as acks:
            for line in (received + acks.read()).splitlines():
                if line.count(" ") == 1:
                    version_id, checksum = line.split()
                    acknowledged[int(version_id)] = checksum
    connect(settings.database_url).connect(reuse_if_open=True)
    store = CalibStore(settings.calib_dir)
    assert len(acknowledged) > KILLS, "the writers should have finished many versions between kills"
    print(f"{interrupted} of {KILLS} kills landed inside a file write")
    assert interrupted >= 5, f"only {interrupted} kills landed inside a file write; the test proves little"
    assert verify(store) == []
    for version_id, checksum in acknowledged.items():
        version = CalibVersion.get_by_id(version_id)
        assert version.sha256 == checksum
        assert sha256_of(store.read(version)) == checksum
    for detname in DETECTORS:
        path = store.root / detname.split("-")[0] / f"{detname}.h5"
        assert not os.path.exists(f"{path}.journal")
        with h5py.File(path, "r") as plain:  # plain h5py, nothing of ours
            assert list(plain) == ["pedestals"]
            for group in plain["pedestals"].values():
                for version in group.values():
                    assert version["calib"].shape in ((4, 64, 64), (16, 96))
