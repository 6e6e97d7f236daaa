"""Demo calibration data: an LCLS-like experiment with a day of runs, two dark runs whose frames are
on disk, constants generated from them, multi-panel cspad pedestals, an approved set and a proposed one.

Everything goes through the same domain functions as real work (runs, tags, generation, approval),
so the demo's history, provenance and audit log look like the real thing.
"""

from pathlib import Path

import h5py
import numpy as np

from . import approval, jobs
from .audit import Actor
from .auth.models import User
from .auth.sessions import principal_for_user
from .calib.darks import submit
from .calib.sets import create_set, snapshot
from .calib.store import CalibStore
from .runs import DarkDetector, add_experiment, add_note, add_run, get_run, register_file, tag_dark
from .timeutil import NS, to_ns

EXPERIMENT, GROUP, DETECTOR = "xpplv1225", "xpp-detectors", "epix100a-0001"
DAY = to_ns("2026-11-16T08:00:00Z") // NS  # seconds
FRAMES = 12


def person(name):
    user = User.by_name(name)
    return Actor(f"user:{name}", user.id), principal_for_user(user)


def _frames(path, seed, pedestal):
    """A short dark run of the ePix100a: pedestal pattern, noise and a few bad pixels."""
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[0:704, 0:768]
    pattern = pedestal + 40 * np.sin(rows / 60.0) + 25 * np.cos(cols / 45.0)
    frames = pattern + rng.normal(0, 6, size=(FRAMES, 704, 768))
    frames[:, 100, 200] += rng.normal(0, 300, size=FRAMES)  # a hot pixel
    frames[:, 400, 500] = pedestal  # a dead one
    frames[:, 350:354, 600:604] += 900  # a bright cluster
    path.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(path, "w") as h5:
        h5.create_dataset(f"data/{DETECTOR}/frames", data=np.clip(frames, 0, 65535).astype("u2"),
                          chunks=(1, 704, 768))


def _cspad(seed, shift_panel=None):
    rng = np.random.default_rng(seed)
    panels = 1500 + 30 * rng.standard_normal((32, 1, 1)) + rng.normal(0, 4, size=(32, 185, 388))
    if shift_panel is not None:
        panels[shift_panel, 40:120, 100:300] += 60
    return panels.astype("f4")


def seed(settings):
    """Seed the demo experiment into a database that has the demo people. Returns what it made, in words."""
    mira, mira_principal = person("mira")
    sam, sam_principal = person("sam")
    add_experiment(mira, EXPERIMENT, "XPP", GROUP)
    for number in range(1, 13):
        begin = DAY + (number - 1) * 3600
        dark = {"reason": "power_cycled", "notes": "after the morning access"} if number == 3 else None
        add_run(mira, EXPERIMENT, number, begin, begin + 50 * 60, "physics", dark)
    add_note(mira, _run(3), "HV ramped back at 10:05; pedestals expected to move a little.")
    tag_dark(sam, _run(9), "temperature_changed", notes="chiller set point changed by 2 K")
    add_note(sam, _run(9), "Taken after the chiller change; please regenerate pedestals.")
    DarkDetector.create(experiment=_run(3).experiment, detname=DETECTOR)
    data = Path(settings.data_root)
    store = CalibStore(settings.calib_dir)
    for number, seed_, pedestal in ((3, 3, 1200.0), (9, 9, 1212.0)):
        relative = f"{EXPERIMENT}/r{number:04d}-{DETECTOR}.h5"
        _frames(data / relative, seed_, pedestal)
        register_file(mira, _run(number), DETECTOR, relative, settings.data_root)
        _generate(settings, mira, number, relative)
    workspace = f"experiment:{EXPERIMENT}"
    for number, shift in ((3, None), (9, 5)):
        store.put(mira, "cspad-0001", "pedestals", _cspad(number, shift), _run(number).begin_ns // NS,
                  workspace=workspace, comment=f"from dark run {number} (offline)")
    first = create_set(mira, "xpp-good-1", snapshot([DETECTOR, "cspad-0001"], workspace),
                       "Constants for the first shift", EXPERIMENT)
    approval.transition(mira, mira_principal, first, "propose")
    approval.transition(sam, sam_principal, first, "approve", "checked the pedestal maps")
    relative = f"{EXPERIMENT}/r0009-{DETECTOR}.h5"
    _generate(settings, mira, 9, relative, {"rms_nsigma": 4.0})
    second = create_set(mira, "xpp-good-2", snapshot([DETECTOR, "cspad-0001"], workspace),
                        "Run 9 regenerated with a tighter rms cut", EXPERIMENT)
    approval.transition(mira, mira_principal, second, "propose", "tighter bad-pixel cut for the afternoon")
    return {"experiment": EXPERIMENT, "runs": 12, "sets": ["xpp-good-1", "xpp-good-2"]}


def _generate(settings, actor, number, relative, thresholds=None):
    """Generate as a person would: a job (run here, at once) that the run page lists."""
    job = submit(actor, None, settings, EXPERIMENT, number, DETECTOR, relative, thresholds=thresholds, here=True)
    job = jobs.run(settings, job)
    if job.state != "done":
        raise RuntimeError(f"demo generation failed: {job.message}")


def _run(number):
    return get_run(EXPERIMENT, number)
