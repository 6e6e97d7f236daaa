"""Constants from a dark run: pedestals (mean), pixel_rms (standard deviation) and pixel_status (bad pixels).

Input: an HDF5 file of raw frames, `/data/<detname>/frames` (N x detector shape), under the data root.
The frames are streamed in chunks of at most DCS_DARK_CHUNK bytes (as float64 work), so memory stays
bounded whatever N is; the sums are taken around the first frame (shifted data) so the variance keeps
its precision. The checksum of the frame bytes is computed on a second thread while numpy works.

pixel_status bits (0 = good), judged per panel (first axis of 3-D detectors) with robust statistics
(median and 1.4826 x median absolute deviation):
  1  rms too high: more than DCS_DARK_RMS_NSIGMA robust sigmas above the median rms (noisy, hot);
  2  rms too low: that far below the median, or exactly 0 (dead or stuck);
  4  pedestal outlier: more than DCS_DARK_PED_NSIGMA robust sigmas from the median pedestal.

Each output is a new version valid from the run's begin (open end, or a psana run range), in the
experiment work-space or a sandbox; pixel_status names the other two as its parents.
"""

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass

import h5py
import numpy as np

from .. import jobs
from ..audit import Actor
from ..errors import DcsError, bad_request
from ..names import split_detname
from ..runs import RunFile, data_path, get_run, run_validity
from ..timeutil import NS
from . import provenance
from .access import check_write
from .store import CalibStore, established
from .workspace import parse_workspace

STATUS_HIGH_RMS, STATUS_LOW_RMS, STATUS_PEDESTAL = 1, 2, 4
# Full detector shapes where the type fixes them; None: any length on that axis (number of modules).
KNOWN_SHAPES = {"cspad": (32, 185, 388), "cspad2x2": (185, 388, 2), "epix100a": (704, 768),
                "pnccd": (4, 512, 512), "jungfrau": (None, 512, 1024)}


@dataclass(frozen=True)
class Thresholds:
    min_frames: int = 10
    rms_nsigma: float = 6.0
    ped_nsigma: float = 6.0

    @classmethod
    def of(cls, settings, overrides=None):
        values = {"min_frames": settings.dark_min_frames, "rms_nsigma": settings.dark_rms_nsigma,
                  "ped_nsigma": settings.dark_ped_nsigma}
        for key, value in (overrides or {}).items():
            if key not in values:
                raise bad_request(f"Unknown threshold {key!r}; known: {', '.join(values)}.")
            minimum = 2 if key == "min_frames" else 0.5
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not minimum <= value <= 10**7 \
                    or (key == "min_frames" and not isinstance(value, int)):
                raise bad_request(f"The threshold {key} must be a number from {minimum}, not {value!r}.")
            values[key] = value
        return cls(**values)


def dataset_name(detname):
    return f"/data/{detname}/frames"


def check_frames(dataset, detname, min_frames, established=None):
    """Refuse a frames dataset that cannot give constants, with a sentence saying why."""
    where = dataset_name(detname)
    if not isinstance(dataset, h5py.Dataset):
        raise bad_request(f"{where} is not a dataset.")
    if dataset.dtype.kind not in "biuf":
        raise bad_request(f"{where} holds {dataset.dtype}, not numbers.")
    if dataset.ndim < 2:
        raise bad_request(f"{where} has shape {dataset.shape}; it must be frames x detector shape.")
    frame = dataset.shape[1:]
    if established is not None and tuple(established) != frame:
        raise bad_request(f"{where} has frames of shape {frame}, but {detname} constants have shape "
                          f"{tuple(established)}.")
    expected = KNOWN_SHAPES.get(split_detname(detname)[0])
    if established is None and expected is not None and (
            len(expected) != len(frame) or any(e is not None and e != f for e, f in zip(expected, frame))):
        shown = "x".join("N" if e is None else str(e) for e in expected)
        raise bad_request(f"{where} has frames of shape {frame}; a {split_detname(detname)[0]} frame is {shown}.")
    if dataset.shape[0] < min_frames:
        raise bad_request(f"{where} has {dataset.shape[0]} frames; at least {min_frames} are needed.")


def frame_statistics(dataset, chunk_bytes, progress=None):
    """(mean, std, sha256 of the frame bytes, frames) of a frames dataset, read chunk by chunk."""
    count, shape = dataset.shape[0], dataset.shape[1:]
    pixels = int(np.prod(shape, dtype=np.int64))
    step = max(1, min(count, chunk_bytes // (pixels * 8)))
    raw = np.empty((step, *shape), dtype=dataset.dtype)
    work = np.empty((step, *shape), dtype=np.float64)
    total, squares = np.zeros(shape, np.float64), np.zeros(shape, np.float64)
    shift = dataset[0].astype(np.float64)
    digest = hashlib.sha256()
    with ThreadPoolExecutor(1) as hasher:
        for start in range(0, count, step):
            n = min(step, count - start)
            dataset.read_direct(raw, np.s_[start:start + n], np.s_[0:n])
            hashing = hasher.submit(digest.update, memoryview(raw[:n].astype(raw.dtype.newbyteorder("<"),
                                                                               copy=False)).cast("B"))
            chunk = work[:n]
            np.subtract(raw[:n], shift, out=chunk, casting="unsafe")
            total += chunk.sum(axis=0)
            np.multiply(chunk, chunk, out=chunk)
            squares += chunk.sum(axis=0)
            hashing.result()
            if progress:
                progress(start + n, count)
    mean_shifted = total / count
    variance = np.maximum(squares / count - mean_shifted * mean_shifted, 0.0)
    return shift + mean_shifted, np.sqrt(variance), digest.hexdigest(), count


def _robust(values):
    median = np.median(values)
    return median, 1.4826 * np.median(np.abs(values - median))


def pixel_status(pedestals, rms, rms_nsigma, ped_nsigma):
    """Bad-pixel bits, judged per panel for 3-D detectors (each panel against its own medians)."""
    status = np.zeros(pedestals.shape, np.uint16)
    panels = pedestals.shape[0] if pedestals.ndim >= 3 else 1
    for index in range(panels):
        ped, noise = (pedestals[index], rms[index]) if panels > 1 else (pedestals, rms)
        out = status[index] if panels > 1 else status
        median_rms, sigma_rms = _robust(noise)
        median_ped, sigma_ped = _robust(ped)
        out[noise > median_rms + rms_nsigma * sigma_rms] |= STATUS_HIGH_RMS
        out[(noise < median_rms - rms_nsigma * sigma_rms) | (noise == 0)] |= STATUS_LOW_RMS
        out[np.abs(ped - median_ped) > ped_nsigma * sigma_ped] |= STATUS_PEDESTAL
    return status


def generate(settings, actor, experiment, number, detname, relative, workspace=None, runs=None, thresholds=None,
             progress=None, job_id=None):
    """Compute and store the three constants. Returns their versions (pedestals, pixel_rms, pixel_status)."""
    run = get_run(experiment, number)
    space = parse_workspace(workspace or f"experiment:{experiment}")
    limits = thresholds or Thresholds.of(settings)
    path = data_path(settings.data_root, relative)
    begin_s, end_s = run_validity(experiment, runs) if runs else (run.begin_ns // NS, None)
    try:
        h5 = h5py.File(path, "r")
    except OSError as error:
        raise bad_request(f"The file {relative} cannot be read as HDF5: {error}.") from None
    with h5:
        name = dataset_name(detname)
        if name not in h5:
            raise bad_request(f"The file {relative} has no dataset {name}.")
        dataset = h5[name]
        pedestals = established(detname, "pedestals")
        check_frames(dataset, detname, limits.min_frames, pedestals.shape_tuple if pedestals else None)
        try:
            mean, std, digest, frames = frame_statistics(dataset, settings.dark_chunk, progress)
        except OSError as error:
            raise bad_request(f"The frames in {relative} cannot be read: {error}.") from None
    status = pixel_status(mean, std, limits.rms_nsigma, limits.ped_nsigma)
    bad = int(np.count_nonzero(status))
    inputs = {"runs": [{"experiment": experiment, "number": number}],
              "files": [{"path": relative, "sha256": digest, "size": os.path.getsize(path), "dataset": name,
                         "frames": frames}],
              "parameters": {**asdict(limits), "chunk_bytes": settings.dark_chunk, "bad_pixels": bad},
              "job_id": job_id}
    store = CalibStore(settings.calib_dir)
    pars = {"experiment": experiment, "run": number, "detname": detname}
    comment = f"from dark run {number} of {experiment}"
    made = []
    for ctype, array in (("pedestals", mean.astype(np.float32)), ("pixel_rms", std.astype(np.float32))):
        made.append(store.put(actor, detname, ctype, array, begin_s, end_s, workspace=space.name, comment=comment,
                              pars=pars, provenance=provenance.describe(actor, **inputs)))
    made.append(store.put(actor, detname, "pixel_status", status, begin_s, end_s, workspace=space.name,
                          comment=f"{comment}: {bad} bad pixel(s)", pars=pars,
                          provenance=provenance.describe(actor, **{**inputs, "parents": [v.id for v in made]})))
    return made


def submit(actor, principal, settings, experiment, number, detname, relative=None, workspace=None, runs=None,
           thresholds=None, auto=False, here=False):
    """Queue a generation job after checking what can be checked now (names, rights, the path).
    here: the caller runs it at once (the CLI)."""
    run = get_run(experiment, number)
    split_detname(detname)
    space = parse_workspace(workspace or f"experiment:{experiment}")
    if principal is not None:
        check_write(principal, space)
    if relative is None:
        registered = RunFile.get_or_none(RunFile.run == run, RunFile.detname == detname)
        if registered is None:
            raise bad_request(f"Run {number} of {experiment} has no file registered for {detname}; give a path.",
                              errors=[{"field": "path", "error": "No registered file."}])
        relative = registered.path
    data_path(settings.data_root, relative)
    if runs:
        run_validity(experiment, runs)
    limits = Thresholds.of(settings, thresholds)
    return jobs.submit(actor, "dark", {"experiment": experiment, "run": number, "detname": detname,
                                       "path": relative, "workspace": space.name, "runs": runs,
                                       "thresholds": asdict(limits), "auto": auto},
                       subject=run_subject(run), here=here)


def run_subject(run):
    """How generation jobs name the run they work on."""
    return f"{run.experiment.name}/{run.number}"


def auto_generate(actor, settings, run):
    """Start generation for the experiment's configured detectors once a run is dark and has their files.
    A detector whose generation from the same file is queued, running or done is not started again."""
    if run.data_type != "dark":
        return []
    wanted = {d.detname for d in run.experiment.dark_detectors}
    taken = {(j.parameters["detname"], j.parameters["path"]) for j in jobs.jobs_of("dark", run_subject(run))
             if j.state not in ("failed", "cancelled")}
    started = []
    for entry in run.files:
        if entry.detname in wanted and (entry.detname, entry.path) not in taken:
            started.append(submit(actor, None, settings, run.experiment.name, run.number, entry.detname, entry.path,
                                  auto=True))
    return started


@jobs.handler("dark")
def run_job(settings, job, reporter):
    p = job.parameters
    actor = Actor(job.created_by, job.user_id)
    try:
        made = generate(settings, actor, p["experiment"], p["run"], p["detname"], p["path"], p["workspace"],
                        p.get("runs"), Thresholds(**p["thresholds"]), progress=reporter, job_id=job.id)
    except OSError as error:
        raise DcsError(500, f"Writing the constants failed: {error.strerror}.") from None
    return {"versions": [{"id": v.id, "ctype": v.range.ctype, "versind": v.versind, "sha256": v.sha256,
                          "url": f"/api/calib/versions/{v.id}/{v.sha256}.npy"} for v in made]}
