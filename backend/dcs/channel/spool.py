"""The spool: a durable first-in first-out queue of records on disk, so nothing is lost while the sink is down.

Records are appended whole to segment files (segment-000000000001.blocks, ... about 16 MiB each, raw block
files like any other), with an fsync before append() returns. One consumer takes them in order and
acknowledges what was delivered; the delivered position (the cursor) is a small file replaced atomically, and
segments wholly before it are deleted. On opening, every segment is checked block by block and a torn tail is
cut (an append that never returned, so nobody was told the record was kept).

The last header ever appended is remembered across restarts even when everything was delivered: the newest
segment is never deleted, so its last record says it; before any segment is deleted it is also written to a
small meta file, for the case where the newest segment lost its only record to a cut.
"""

import fcntl
import json
import logging
import os
import re
import struct
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .blockfile import cut_torn_tail, fsync_directory
from .blocks import HEADER, BlockError, blocks, header_of, parse_id

log = logging.getLogger(__name__)

SEGMENT = re.compile(r"segment-(\d{12})\.blocks")
CURSOR, META, LOCK = "cursor.json", "last-header.json", "lock"


class SpoolFull(Exception):
    """The spool holds as much as it may: the record was not kept."""


class SpoolBusy(Exception):
    """Another process has the spool directory open."""


class SpoolBroken(OSError):
    """A failed write left bytes in a segment that could not be cut back: nothing more is appended until the
    spool is opened again, which cuts them as a torn tail."""


@dataclass(frozen=True, order=True)
class Position:
    """Where a record ends in the spool: its segment, the byte after it, and its place in the queue."""

    segment: int
    offset: int
    serial: int  # records appended since this Spool opened, counted from its cursor (0)


@dataclass(frozen=True)
class Spooled:
    """A record taken from the spool: where it ends, its header (seconds, nanos, spill), how many payload blocks
    it has (how many acknowledgements it needs) and its bytes."""

    position: Position
    header: tuple
    payloads: int
    data: bytes


def check_record(data):
    """(header, number of payload blocks) of one record's bytes: a header block, then at least one payload
    block, every size and checksum right; a BlockError otherwise."""
    found = list(blocks(data))
    if not found or found[0][1] != HEADER:
        raise BlockError("a record starts with a header block")
    if len(found) < 2:
        raise BlockError("a record has at least one payload block after its header")
    later = [offset for offset, major, _, _ in found[1:] if major == HEADER]
    if later:
        raise BlockError(f"block at byte {later[0]}: a second header block: append one record at a time")
    return header_of(found[0][3]), len(found) - 1


def _size_text(count):
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if count < 1024 or unit == "GiB":
            return f"{count} {unit}" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1024


class Spool:
    """A durable FIFO of records in a directory; thread-safe, with one consumer (take/acknowledge)."""

    def __init__(self, directory, max_bytes=1 << 30, segment_bytes=16 << 20):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.max_bytes, self.segment_bytes = max_bytes, segment_bytes
        self._lock = threading.Condition()
        self._closed = False
        self._broken = None  # a SpoolBroken once a failed write could not be taken back
        self._lock_fd = os.open(self.directory / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._lock_fd)
            raise SpoolBusy(f"the spool {self.directory} is open in another process") from None
        self._write_fd = None
        self._read = (None, None)  # (segment, fd) being read
        try:
            self._recover()
        except BaseException:
            os.close(self._lock_fd)
            raise

    # opening -----------------------------------------------------------------------------------------------

    def _path(self, segment):
        return self.directory / f"segment-{segment:012d}.blocks"

    def _recover(self):
        segments = sorted(int(m.group(1)) for p in self.directory.iterdir() if (m := SEGMENT.fullmatch(p.name)))
        cursor = self._read_json(CURSOR)
        segment, offset = (cursor["segment"], cursor["offset"]) if cursor else (segments[0] if segments else 1, 0)
        meta = self._read_json(META)
        last = (meta["seconds"], meta["nanos"], meta["spill"]) if meta else None
        self._sizes, records, stale = {}, 0, []
        for number in segments:
            found = cut_torn_tail(self._path(number), count_from=offset if number == segment else 0)
            if found.last_header and (last is None or found.last_header[:2] > last[:2]):
                last = found.last_header
            if number < segment:
                stale.append(number)
                continue
            self._sizes[number] = found.length
            records += found.records
        self._last = last
        self._current = max([segment, *segments])
        self._sizes.setdefault(self._current, 0)
        self._sizes.setdefault(segment, 0)
        if offset > self._sizes[segment]:
            log.warning("%s: the delivered position (byte %d of segment %d) is past what the segment holds; "
                        "starting at its end", self.directory, offset, segment)
            offset = self._sizes[segment]
        self._cursor = Position(segment, offset, 0)
        self._appended = records
        if stale:
            self._write_json(META, self._meta())
            for number in stale:
                self._path(number).unlink()

    def _read_json(self, name):
        try:
            return json.loads((self.directory / name).read_text())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:
            log.warning("%s: ignoring %s, which cannot be read (%s)", self.directory, name, error)
            return None

    def _write_json(self, name, value):
        """Replace a small file atomically (write a temporary file, fsync, rename)."""
        temporary = self.directory / (name + ".tmp")
        with open(temporary, "w") as handle:
            json.dump(value, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.directory / name)

    def _meta(self):
        seconds, nanos, spill = self._last
        return {"seconds": seconds, "nanos": nanos, "spill": spill}

    # the producer ------------------------------------------------------------------------------------------

    def append(self, record):
        """Keep one whole record (its bytes: a header block and its payload blocks): on disk, fsynced, when
        this returns. SpoolFull when it would take the unsent records over max_bytes; the OSError of a failed
        write, after which the segment is cut back to its last whole record; SpoolBroken for every append after
        a failed write whose cut failed too (the consumer still gets every record before it)."""
        header, _ = check_record(record)
        with self._lock:
            if self._closed:
                raise ValueError("the spool is closed")
            if self._broken is not None:
                raise self._broken
            pending = self._pending_bytes()
            if pending + len(record) > self.max_bytes:
                raise SpoolFull(f"the spool {self.directory} holds {_size_text(pending)} of unsent records and may "
                                f"hold {_size_text(self.max_bytes)}: a record of {_size_text(len(record))} does "
                                "not fit (is the sink down?)")
            size = self._sizes[self._current]
            if size and size + len(record) > self.segment_bytes:
                self._rotate()
            elif self._write_fd is None:
                self._open_for_append()
            try:
                view = memoryview(record)
                while view:
                    view = view[os.write(self._write_fd, view):]
                os.fsync(self._write_fd)
            except OSError as failure:
                try:
                    os.ftruncate(self._write_fd, self._sizes[self._current])
                except OSError as cut:
                    # The segment may now end in part of this record, and a later append would land after it.
                    # take() reads only up to the last whole record (self._sizes); appends stop until a reopen
                    # cuts the torn tail.
                    self._broken = SpoolBroken(
                        f"the spool segment {self._path(self._current)} could not be repaired after a failed write "
                        f"({failure.strerror or failure}, then {cut.strerror or cut}); restart the channel")
                    raise self._broken from failure
                raise
            self._sizes[self._current] += len(record)
            self._appended += 1
            self._last = header
            self._lock.notify_all()

    def _open_for_append(self):
        path = self._path(self._current)
        created = not path.exists()
        self._write_fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        if created:
            fsync_directory(self.directory)

    def _rotate(self):
        if self._write_fd is not None:
            os.close(self._write_fd)
            self._write_fd = None
        self._current += 1
        self._sizes[self._current] = 0
        self._open_for_append()

    def last_header(self):
        """(seconds, nanos, spill) of the last record ever appended (None for a spool that never had one)."""
        with self._lock:
            return self._last

    # the consumer ------------------------------------------------------------------------------------------

    def take(self, after=None, timeout=0):
        """The record after position `after` (None: the first undelivered one), waiting up to timeout seconds
        for one to be appended; None when there is none."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                position = self._cursor if after is None or after < self._cursor else after
                segment, offset = position.segment, position.offset
                while segment < self._current and offset >= self._sizes.get(segment, 0):
                    segment, offset = segment + 1, 0
                end = self._sizes.get(segment, 0)
                if offset < end:
                    break
                remaining = deadline - time.monotonic()
                if self._closed or remaining <= 0:
                    return None
                self._lock.wait(remaining)
            return self._read_record(segment, offset, end, position.serial + 1)

    def _read_record(self, segment, offset, end, serial):
        if self._read[0] != segment:
            if self._read[1] is not None:
                os.close(self._read[1])
            self._read = (segment, os.open(self._path(segment), os.O_RDONLY))
        fd = self._read[1]
        words = struct.unpack("<6I", os.pread(fd, 24, offset))
        header, at, payloads = header_of(words, offset), offset + 24, 0
        while at < end:
            size, _, ident = struct.unpack("<3I", os.pread(fd, 12, at))
            if parse_id(ident)[0] == HEADER:
                break
            at += 4 * size
            payloads += 1
        data = os.pread(fd, at - offset, offset)
        return Spooled(Position(segment, at, serial), header, payloads, data)

    def unsent(self):
        """The undelivered records in order, without waiting for more."""
        after = None
        while (record := self.take(after)) is not None:
            yield record
            after = record.position

    def acknowledge(self, position):
        """Everything up to and including the record ending at position is delivered: move the cursor there
        (persisted atomically) and delete the segments wholly before it."""
        with self._lock:
            if position <= self._cursor or self._closed:  # closed: it stays, to be resent and dropped over there
                return
            segment, offset = position.segment, position.offset
            while segment < self._current and offset >= self._sizes.get(segment, 0):
                segment, offset = segment + 1, 0
            self._write_json(CURSOR, {"segment": segment, "offset": offset})
            self._cursor = Position(segment, offset, position.serial)
            done = [number for number in self._sizes if number < segment]
            if done:
                self._write_json(META, self._meta())
                fsync_directory(self.directory)
                for number in done:
                    if self._read[0] == number:
                        os.close(self._read[1])
                        self._read = (None, None)
                    self._path(number).unlink(missing_ok=True)
                    del self._sizes[number]

    def _pending_bytes(self):
        return sum(size for number, size in self._sizes.items() if number >= self._cursor.segment) \
            - self._cursor.offset

    def pending(self):
        """(records, bytes) not yet delivered."""
        with self._lock:
            return self._appended - self._cursor.serial, self._pending_bytes()

    def wait(self, timeout):
        """Wait up to timeout seconds until something is undelivered; whether something is."""
        with self._lock:
            return self._lock.wait_for(lambda: self._closed or self._appended > self._cursor.serial, timeout) \
                and not self._closed

    @property
    def closed(self):
        return self._closed

    def close(self):
        with self._lock:
            if self._closed:
                return
            self._closed = True
            for fd in (self._write_fd, self._read[1]):
                if fd is not None:
                    os.close(fd)
            self._write_fd, self._read = None, (None, None)
            os.close(self._lock_fd)
            self._lock.notify_all()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
