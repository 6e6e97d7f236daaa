"""The index's resolution agrees with a brute-force reading of DESIGN.md on random histories."""

import random

import numpy as np

from .conftest import EXPERT

INF = float("inf")


def brute_force(puts, defaults, t, as_of=INF, versind=None):
    """DESIGN.md's rules, read literally, over everything ever put (no index, no SQL)."""
    exists = [p for p in puts if p["at"] <= as_of]
    ranges = {(p["begin"], p["end"]) for p in exists
              if p["begin"] <= t and (p["end"] is None or t < p["end"])}
    if not ranges:
        return None
    begin = max(b for b, _ in ranges)
    end = min((e for b, e in ranges if b == begin), key=lambda e: INF if e is None else e)
    versions = [p for p in exists if (p["begin"], p["end"]) == (begin, end)]
    if versind is not None:
        chosen = [p for p in versions if p["versind"] == versind]
        return chosen[0]["value"] if chosen else None
    default = defaults.get((begin, end))
    chosen = [p for p in versions if p["versind"] == default]
    if chosen:
        return chosen[0]["value"]
    return max(versions, key=lambda p: (p["at"], p["versind"]))["value"]


def test_random_histories_resolve_like_the_rules_say(store):
    rng = random.Random(7)
    puts, defaults, counters = [], {}, {}
    bounds = [(b, e) for b in range(0, 100, 10) for e in (None, b + 5, b + 20, b + 60)]
    for index in range(120):
        begin, end = rng.choice(bounds)
        at = rng.randrange(1, 1000)
        counters[(begin, end)] = counters.get((begin, end), 0) + 1
        value = float(index)
        store.put(EXPERT, "cspad-0001", "pedestals", np.array([value]), begin, end, tsprod=at)
        puts.append({"begin": begin, "end": end, "at": at, "value": value, "versind": counters[(begin, end)]})
        if rng.random() < 0.1:
            versind = rng.randint(1, counters[(begin, end)])
            store.set_default(EXPERT, "cspad-0001", "pedestals", begin, end, versind)
            defaults[(begin, end)] = versind
    mismatches = []
    for _ in range(400):
        t = rng.randrange(0, 170)
        as_of = rng.choice([INF, rng.randrange(1, 1000)])
        versind = rng.choice([None, None, 1, 2])
        # A default set now did not exist in the past: compare defaults only without time travel.
        expected = brute_force(puts, defaults if as_of == INF else {}, t, as_of, versind)
        array, _ = store.get("cspad-0001", "pedestals", t, as_of=None if as_of == INF else as_of, versind=versind)
        got = None if array is None else array.item()
        if got != expected:
            mismatches.append((t, as_of, versind, expected, got))
    assert not mismatches, mismatches[:10]
