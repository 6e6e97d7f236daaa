"""Raw dark frames as a DAQ writes them (/data/<detname>/frames, N x detector shape), with known bad pixels."""

import h5py
import numpy as np

from dcs.audit import Actor
from dcs.runs import add_experiment, add_run

MEMBER = Actor("user:maya", None)
HOT, DEAD, OFFSET = (0, 1), (1, 2), (2, 3)  # pixels (of panel 0 for 3-D shapes) made bad on purpose


def write_frames(path, detname, frames=40, shape=(6, 8), dtype="u2", seed=7, pedestal=1000.0, noise=5.0, chunks=True):
    """Frames around a pedestal with Gaussian noise, plus a hot, a dead and an offset pixel. Returns them."""
    rng = np.random.default_rng(seed)
    data = rng.normal(pedestal, noise, size=(frames, *shape))
    first = (0,) if len(shape) >= 3 else ()
    data[(slice(None), *first, *HOT)] = rng.normal(pedestal, noise * 40, size=frames)
    data[(slice(None), *first, *DEAD)] = pedestal
    data[(slice(None), *first, *OFFSET)] += noise * 200
    data = np.clip(np.rint(data), 0, 65535).astype(dtype)
    path.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(path, "w") as h5:
        h5.create_dataset(f"data/{detname}/frames", data=data, chunks=(1, *shape) if chunks else None)
    return data


def dark_run(experiment="xpp1", number=7, group="ecal"):
    """An experiment of the test group and a run in it (not dark yet)."""
    add_experiment(MEMBER, experiment, "XPP", group)
    return add_run(MEMBER, experiment, number, "2026-11-20T10:00:00Z", "2026-11-20T10:05:00Z")
