"""Timing two ways of doing the same thing side by side, in one run."""

import statistics
import time


def median_pair(first, second, rounds, per_round):
    """Interleaved rounds of two callables; the median seconds per call of each."""
    a, b = [], []
    for _ in range(rounds):
        for results, call in ((a, first), (b, second)):
            start = time.perf_counter()
            for _ in range(per_round):
                call()
            results.append((time.perf_counter() - start) / per_round)
    return statistics.median(a), statistics.median(b)
