"""Constants from a dark run: frame_statistics() against a plain numpy chunked mean/std over the same file.

The file: jungfrau-0001 uint16 frames of shape 2x512x1024 (2 MiB each, one frame per HDF5 chunk) in
/data/jungfrau-0001/frames, DCS_BENCH_DARK_GB gigabytes (10^9 bytes) of them, default 2 so that
`make bench` stays short; DCS_BENCH_DARK_GB=10 reproduces the requirement's 10 GB input (it needs
that much free disk and, to measure computation rather than the disk, that much free page cache).

- throughput: frame_statistics() at the default chunk (Settings.dark_chunk) against the plain loop
  `c = ds[i:j].astype(float64); s += c.sum(0); ss += (c*c).sum(0)` reading as many frames per chunk;
  after a warm-up read (the file in the page cache for both), interleaved rounds, the median round
  of each; their results must agree (np.allclose). Target: dcs / plain >= 0.80.
- memory: frame_statistics() over the same file in a child process; its peak resident set size
  (VmHWM, the whole process: interpreter, numpy, h5py and the chunk buffers). Target: < 1 GiB.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import h5py
import numpy as np
from dcs.calib.darks import dataset_name, frame_statistics
from dcs.config import Settings

DETNAME = "jungfrau-0001"
FRAME = (2, 512, 1024)
ROUNDS = 3
TARGETS = {"dcs / plain numpy throughput": (">=", 0.80), "peak RSS / 1 GiB": ("<=", 1.0)}

# Run in a child so its peak RSS is frame_statistics's alone. Not ru_maxrss: Linux carries it across exec,
# so a child started from this (bigger) process would report this process's peak; VmHWM is the child's own.
CHILD = """
import json, sys
import h5py
from dcs.calib.darks import frame_statistics
def hwm_kib():
    return int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0])
before = hwm_kib()
with h5py.File(sys.argv[1], "r") as f:
    frames = frame_statistics(f[sys.argv[2]], int(sys.argv[3]))[3]
print(json.dumps({"before_kib": before, "after_kib": hwm_kib(), "frames": frames}))
"""


def _write_frames(path, count):
    """count frames: a 16-frame block of pedestal-like noise written over and over (fast to make)."""
    block = np.random.default_rng(1).normal(1500, 10, (16, *FRAME)).astype(np.uint16)
    with h5py.File(path, "w") as f:
        ds = f.create_dataset(dataset_name(DETNAME), (count, *FRAME), np.uint16, chunks=(1, *FRAME))
        for start in range(0, count, len(block)):
            n = min(len(block), count - start)
            ds[start:start + n] = block[:n]


def plain_statistics(dataset, chunk_bytes):
    """The baseline: mean and std by a plain numpy loop over chunks of as many frames as frame_statistics reads."""
    count, shape = dataset.shape[0], dataset.shape[1:]
    step = max(1, min(count, chunk_bytes // (int(np.prod(shape)) * 8)))
    s, ss = np.zeros(shape, np.float64), np.zeros(shape, np.float64)
    for start in range(0, count, step):
        c = dataset[start:start + step].astype(np.float64)
        s += c.sum(0)
        ss += (c * c).sum(0)
    mean = s / count
    return mean, np.sqrt(np.maximum(ss / count - mean * mean, 0.0))


def _timed(path, compute):
    with h5py.File(path, "r") as f:
        start = time.perf_counter()
        result = compute(f[dataset_name(DETNAME)])
        return time.perf_counter() - start, result


def _met(name, value):
    op, target = TARGETS[name]
    return value >= target if op == ">=" else value <= target


def run():
    gigabytes = float(os.environ.get("DCS_BENCH_DARK_GB", "2"))
    chunk = Settings.dark_chunk
    count = max(2, round(gigabytes * 1e9 / (2 * np.prod(FRAME))))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "dark.h5"
        start = time.perf_counter()
        _write_frames(path, count)
        written = time.perf_counter() - start
        size = path.stat().st_size
        nbytes = count * 2 * int(np.prod(FRAME))

        _, (mean, std) = _timed(path, lambda ds: plain_statistics(ds, chunk))  # warm-up: into the page cache
        _, (dcs_mean, dcs_std, _, frames) = _timed(path, lambda ds: frame_statistics(ds, chunk))
        agree = bool(np.allclose(mean, dcs_mean) and np.allclose(std, dcs_std) and frames == count)
        if not agree:
            raise RuntimeError("frame_statistics and the plain numpy loop disagree")
        seconds = {"dcs": [], "plain numpy": []}
        for _ in range(ROUNDS):
            seconds["dcs"].append(_timed(path, lambda ds: frame_statistics(ds, chunk))[0])
            seconds["plain numpy"].append(_timed(path, lambda ds: plain_statistics(ds, chunk))[0])

        child = subprocess.run([sys.executable, "-c", CHILD, str(path), dataset_name(DETNAME), str(chunk)],
                               check=True, capture_output=True, text=True)
        memory = json.loads(child.stdout)

    median = {name: statistics.median(times) for name, times in seconds.items()}
    throughput = {name: nbytes / s / 1e9 for name, s in median.items()}
    peak_mib, before_mib = memory["after_kib"] / 1024, memory["before_kib"] / 1024
    ratios = {"dcs / plain numpy throughput": throughput["dcs"] / throughput["plain numpy"],
              "peak RSS / 1 GiB": peak_mib / 1024}
    print(f"   file: {count} frames of {'x'.join(map(str, FRAME))} uint16, {size / 1e9:.2f} GB "
          f"(written in {written:.1f} s), chunk {chunk // 1024**2} MiB; results agree: {agree}")
    for name in seconds:
        print(f"   {name:<12} {throughput[name]:6.2f} GB/s  (median of {ROUNDS}: "
              f"{', '.join(f'{s:.2f}' for s in seconds[name])} s)")
    print(f"   memory: peak RSS {peak_mib:.0f} MiB (target < 1024 MiB; {before_mib:.0f} MiB before "
          f"frame_statistics, +{peak_mib - before_mib:.0f} MiB during) over {size / 1e9:.2f} GB")
    print(f"   {'ratio':<34} {'value':>10} {'target':>8}  met")
    for name, ratio in ratios.items():
        op, target = TARGETS[name]
        print(f"   {name:<34} {ratio:10.2f} {op + f'{target:.2f}':>8}  {'yes' if _met(name, ratio) else 'NO'}")
    return {"file_bytes": size, "frames": count, "frame_shape": list(FRAME), "chunk_bytes": chunk,
            "rounds": ROUNDS, "seconds": seconds, "median_seconds": median, "throughput_gb_per_s": throughput,
            "peak_rss_mib": peak_mib, "rss_before_mib": before_mib, "ratios": ratios,
            "targets": {name: f"{op} {target}" for name, (op, target) in TARGETS.items()},
            "met": {name: _met(name, ratio) for name, ratio in ratios.items()}}
