"""Comparing two versions of constants: statistics of the difference (b - a), per panel for multi-panel
detectors (the first axis of a 3-D or higher array, e.g. cspad's 32 panels of 185x388), and histograms
of the difference and of both arrays. NaN and infinite values are left out of the statistics and
counted apart.
"""

import numpy as np

from ..errors import bad_request
from .provenance import predecessor

MAX_BINS = 1000


def difference(store, a, b):
    """b - a as float64, refused when the arrays cannot be compared."""
    x, y = store.read(a), store.read(b)
    if isinstance(x, str) or isinstance(y, str):
        raise bad_request("Geometry constants are text; compare them with `dcs calib diff` or their history.")
    if x.shape != y.shape:
        raise bad_request(f"The versions have different shapes, {x.shape} and {y.shape}; only arrays of one shape "
                          "can be compared.")
    return x, y, y.astype(np.float64) - x.astype(np.float64)


def stats(values, threshold):
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return {"mean": None, "std": None, "min": None, "max": None, "changed": 0, "count": int(values.size),
                "nonfinite": int(values.size)}
    return {"mean": float(finite.mean()), "std": float(finite.std()), "min": float(finite.min()),
            "max": float(finite.max()), "changed": int(np.count_nonzero(np.abs(finite) > threshold)),
            "count": int(values.size), "nonfinite": int(values.size - finite.size)}


def histogram(values, bins):
    finite = values[np.isfinite(values)].astype(np.float64, copy=False)
    if finite.size == 0:
        return {"edges": [], "counts": []}
    low, high = float(finite.min()), float(finite.max())
    if low == high:
        low, high = low - 0.5, high + 0.5
    counts, edges = np.histogram(finite, bins=bins, range=(low, high))
    return {"edges": edges.tolist(), "counts": counts.tolist()}


def check_bins(bins):
    if not 1 <= bins <= MAX_BINS:
        raise bad_request(f"bins must be from 1 to {MAX_BINS}, not {bins}.")
    return bins


def compare(store, a, b=None, threshold=0.0, bins=50):
    """(a, b, the comparison of b against a); without b, a is compared against its predecessor."""
    if b is None:
        b, a = a, predecessor(a)
        if a is None:
            raise bad_request(f"Version {b.versind} is the first of its range; there is no predecessor to compare "
                              "it with.")
    if not np.isfinite(threshold) or threshold < 0:
        raise bad_request(f"The threshold must be a number of 0 or more, not {threshold}.")
    check_bins(bins)
    x, y, diff = difference(store, a, b)
    panels = diff.shape[0] if diff.ndim >= 3 else 1
    per_panel = [{"panel": i, **stats(diff[i], threshold)} for i in range(panels)] if panels > 1 else []
    return a, b, {"shape": list(diff.shape), "panels": panels, "threshold": threshold,
                  "overall": stats(diff, threshold), "per_panel": per_panel,
                  "histograms": {"diff": histogram(diff, bins), "a": histogram(np.asarray(x), bins),
                                 "b": histogram(np.asarray(y), bins)}}
