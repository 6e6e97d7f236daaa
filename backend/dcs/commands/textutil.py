"""Running the existing text utilities: an argument list (never a shell), an allow-listed environment, a timeout
after which the utility and its children are killed, stdout and stderr captured up to a size, a way to cancel,
and helpers to read the replies such utilities print."""

import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass

from ..errors import DcsError

ENVIRONMENT = ("PATH", "LANG", "LC_ALL", "TZ", "HOME")  # what a utility sees of the portal's environment
MAX_OUTPUT = 64 * 1024
KILL_GRACE_S = 2.0


class ReplyError(Exception):
    """A utility's reply is not what its command expects (garbage, a missing field)."""


@dataclass
class Reply:
    argv: list
    exit_code: int
    stdout: str
    stderr: str
    duration_s: float
    timed_out: bool = False
    cancelled: bool = False
    truncated: bool = False

    @property
    def ok(self):
        return self.exit_code == 0 and not self.timed_out and not self.cancelled

    def why(self):
        """One sentence on what went wrong, for the run log and the person who asked."""
        if self.timed_out:
            return f"{self.argv[0]} did not answer within {self.duration_s:.1f} s and was stopped"
        if self.cancelled:
            return f"{self.argv[0]} was cancelled and stopped"
        last = (self.stderr.strip() or self.stdout.strip()).splitlines()[-1:] or [""]
        return f"{self.argv[0]} exited with {self.exit_code}" + (f": {last[0][:300]}" if last[0] else "")


def _drain(stream, sink, limit):
    """Keep the first `limit` bytes of a stream and read (and drop) the rest, so the utility never blocks."""
    kept = 0
    while True:
        chunk = stream.read(65536)
        if not chunk:
            break
        if kept < limit:
            sink.append(chunk[:limit - kept])
        kept += len(chunk)
    sink.append(kept)  # the last item: how many bytes there were
    stream.close()


def run(argv, timeout_s, env=None, cancelled=None, max_output=MAX_OUTPUT):
    """Run a utility and wait for it (at most timeout_s; `cancelled()` is asked every 50 ms): its Reply."""
    if not argv or not all(isinstance(part, str) and "\x00" not in part for part in argv):
        raise ValueError("a utility is run from a list of text arguments")
    environment = {k: os.environ[k] for k in ENVIRONMENT if k in os.environ}
    environment.update(env or {})
    started = time.monotonic()
    try:
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   env=environment, start_new_session=True)
    except OSError as error:
        raise DcsError(502, f"{argv[0]} cannot be started: {error.strerror or error}.") from None
    out, err = [], []
    readers = [threading.Thread(target=_drain, args=(process.stdout, out, max_output), daemon=True),
               threading.Thread(target=_drain, args=(process.stderr, err, max_output), daemon=True)]
    for reader in readers:
        reader.start()
    timed_out = was_cancelled = False
    while process.poll() is None:
        if time.monotonic() - started > timeout_s:
            timed_out = True
        elif cancelled is not None and cancelled():
            was_cancelled = True
        if timed_out or was_cancelled:
            _stop(process)
            break
        try:
            process.wait(0.05)
        except subprocess.TimeoutExpired:
            pass
    for reader in readers:
        reader.join(KILL_GRACE_S + 1)
    stdout, stderr = _text(out), _text(err)
    truncated = (out[-1] if out else 0) > max_output or (err[-1] if err else 0) > max_output
    return Reply(list(argv), process.returncode, stdout, stderr, time.monotonic() - started, timed_out,
                 was_cancelled, truncated)


def _stop(process):
    """SIGTERM to the utility's whole process group, SIGKILL after a grace period."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(KILL_GRACE_S)
            return
        except subprocess.TimeoutExpired:
            continue


def _text(parts):
    data = b"".join(p for p in parts if isinstance(p, bytes))
    return data.decode("utf-8", errors="replace")


# --- reading replies ---------------------------------------------------------------------------------------

def words(line):
    return line.split()


def key_values(text, keys):
    """{key: rest of line} for lines that start with one of keys ("temp 27.4" -> {"temp": "27.4"}); a ReplyError
    when one is missing."""
    found = {}
    for line in text.splitlines():
        parts = line.split(None, 1)
        if parts and parts[0] in keys and parts[0] not in found:
            found[parts[0]] = parts[1].strip() if len(parts) > 1 else ""
    missing = [k for k in keys if k not in found]
    if missing:
        raise ReplyError(f"the reply has no {', '.join(missing)} line")
    return found


def table(text, header):
    """The rows under a header line (its words exactly), as dicts; a ReplyError for a row of the wrong width."""
    lines = text.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.split() == list(header))
    except StopIteration:
        raise ReplyError(f"the reply has no table with the header {' '.join(header)}") from None
    rows = []
    for line in lines[start + 1:]:
        cells = line.split()
        if not cells:
            continue
        if len(cells) != len(header):
            raise ReplyError(f"a row of the table has {len(cells)} cells, not {len(header)}: {line[:80]!r}")
        rows.append(dict(zip(header, cells)))
    return rows


def number(text, what):
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise ReplyError(f"{what} is not a number: {str(text)[:40]!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ReplyError(f"{what} is not a finite number")
    return value
