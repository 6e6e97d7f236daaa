"""A small memo, bounded in time, for what every request reads and what seldom changes: a token's principal, a
device's id and group, a person's role in a group. Entries live a few seconds. Code that changes users, tokens,
memberships or devices calls `forget_all()`, so this process never answers from a stale entry; another process
may, for at most the time to live."""

import time

MISSING = object()
_CACHES = []
_GENERATION = [0]


def generation():
    """Take this before reading what is to be remembered, and give it to `put`: what was read before a change
    (and `forget_all`) is then not remembered after it."""
    return _GENERATION[0]


class TtlCache:
    def __init__(self, seconds, size=10_000):
        self.seconds, self.size = seconds, size
        self.entries = {}
        _CACHES.append(self)

    def get(self, key):
        entry = self.entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            return MISSING
        return entry[1]

    def put(self, key, value, since):
        """Remember value (read when the generation was `since`) and return it."""
        if since != _GENERATION[0]:
            return value
        if len(self.entries) >= self.size:
            self.entries.clear()
        self.entries[key] = (time.monotonic() + self.seconds, value)
        return value


def forget_all():
    _GENERATION[0] += 1
    for cache in _CACHES:
        cache.entries.clear()
