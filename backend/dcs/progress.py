"""A progress bar for long CLI work, drawn on stderr only when it is a terminal."""

import sys
import time


class Progress:
    def __init__(self, label, total, stream=None):
        self.label, self.total = label, max(int(total), 1)
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self.done = 0
        self._last = 0.0

    def advance(self, amount=1):
        self.update(self.done + amount)

    def update(self, done, total=None):
        if total is not None:
            self.total = max(int(total), 1)
        self.done = min(done, self.total)
        now = time.monotonic()
        if self.enabled and (now - self._last > 0.1 or self.done == self.total):
            self._last = now
            width = 30
            filled = int(width * self.done / self.total)
            self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] "
                              f"{100 * self.done // self.total:3d}%")
            self.stream.flush()

    def close(self):
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
