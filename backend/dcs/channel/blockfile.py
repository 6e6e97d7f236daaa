"""Raw block files: records' bytes back to back and nothing else, appended whole with write + fsync.

A crash can leave the last append half written. Opening a file for append walks its blocks by their sizes,
checks every checksum, and cuts such a torn tail (an incomplete block, a bad checksum, or a header block whose
payload never came), saying in the log how many bytes went. What is left is whole records, so the file's last
header tells a writer, and through it a sender, which record it holds last.
"""

import logging
import os
import struct
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .blocks import HEADER, BlockError, header_of, parse_id, read_blocks

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Scan:
    """What walking a block file found: how many bytes are whole, good records, and why the rest is not."""

    length: int  # bytes of whole records from the start of the file
    records: int  # records counted (those starting at or after count_from)
    last_header: tuple | None  # (seconds, nanos, spill) of the last whole record
    damage: str | None  # why the bytes after length are not records (None: there are none)


def scan(path, count_from=0):
    """Walk a file's blocks by their sizes from its start, checking sizes and checksums, up to the first damage.
    A header block at the very end, without its payload, is damage too: the append that wrote it was cut."""
    length, records, last, damage = 0, 0, None, None
    open_header = None  # (offset, header) of a header block whose payload has not come yet
    seen_header = False
    with open(path, "rb") as stream:
        try:
            for offset, major, _, words in read_blocks(stream):
                end = offset + 4 * len(words)
                if major == HEADER:
                    header = header_of(words, offset)
                    if open_header is not None:  # a record without payload blocks, not at the end: whole
                        length, last = offset, open_header[1]
                        records += open_header[0] >= count_from
                    open_header, seen_header = (offset, header), True
                    continue
                if not seen_header:
                    raise BlockError(f"block at byte {offset}: a payload block before any header block")
                if open_header is not None:
                    records += open_header[0] >= count_from
                    last, open_header = open_header[1], None
                length = end
        except BlockError as error:
            damage = str(error)
    if open_header is not None and damage is None:
        damage = f"block at byte {open_header[0]}: a header block without its payload at the end"
    return Scan(length, records, last, damage)


def cut_torn_tail(path, count_from=0):
    """Scan a file and cut whatever follows its last whole record, logging how many bytes went and why.
    A file that does not even start with a DCS block is refused rather than emptied."""
    found = scan(path, count_from)
    size = os.path.getsize(path)
    if found.length < size:
        if found.length == 0 and not _may_be_torn_start(path):
            raise BlockError(f"{path} is not a raw block file (it does not start with a DCS header block); "
                             "it is left as it is")
        log.warning("%s: cut a torn tail of %d bytes at byte %d (%s)", path, size - found.length, found.length,
                    found.damage)
        with open(path, "r+b") as handle:
            handle.truncate(found.length)
            os.fsync(handle.fileno())
    return found


def _may_be_torn_start(path):
    """True when a file's first bytes could be the start of a first append that was cut: fewer than 3 words,
    zeros (what some file systems leave after a crash), or a header block id."""
    with open(path, "rb") as handle:
        head = handle.read(12)
    if len(head) < 12 or not any(head):
        return True
    try:
        return parse_id(struct.unpack("<3I", head)[2])[0] == HEADER
    except BlockError:
        return False


def headers_in(data):
    """(seconds, nanos, spill) of each header block in data (whole, already checked blocks), walking by sizes."""
    found, offset = [], 0
    while offset + 12 <= len(data):
        size, _, ident = struct.unpack_from("<3I", data, offset)
        if size < 3:
            raise BlockError(f"block at byte {offset}: a size of {size} words is not a block size")
        if parse_id(ident)[0] == HEADER:
            found.append(struct.unpack_from("<3I", data, offset + 12))
        offset += 4 * size
    return found


def fsync_directory(path):
    """Make a new or renamed directory entry durable (a file's own fsync does not cover its name)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class BlockFile:
    """A raw block file open for appending whole records; its torn tail, if any, cut on opening."""

    def __init__(self, path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        created = not self.path.exists()
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            if created:
                fsync_directory(self.path.parent)
            found = cut_torn_tail(self.path)
        except BaseException:
            os.close(self._fd)
            raise
        self.size, self.records, self.last_header = found.length, found.records, found.last_header

    def append(self, data):
        """Write whole records (or a further payload block of the last record) and fsync before returning.
        A failed write is taken back, so the file never keeps half a record from this process."""
        if self._fd is None:
            raise ValueError(f"{self.path} is closed")
        headers = headers_in(data)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(self._fd, view):]
            os.fsync(self._fd)
        except OSError:
            try:
                os.ftruncate(self._fd, self.size)
            except OSError:
                pass  # the torn tail is cut when the file is next opened
            raise
        self.size += len(data)
        self.records += len(headers)
        if headers:
            self.last_header = headers[-1]

    def close(self):
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def daily_name(seconds):
    """The name of the day file of a header time: beam-YYYYMMDD.blocks by the UTC date."""
    return f"beam-{datetime.fromtimestamp(seconds, UTC):%Y%m%d}.blocks"


def _days_newest_first(directory):
    return sorted(Path(directory).glob("beam-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9].blocks"), reverse=True)


def newest_header(directory):
    """(seconds, nanos, spill) of the last whole record in a directory's daily files (None when they hold none),
    read without changing anything: a sink asks before it opens the files, which cuts a torn tail, so that files
    another writer is appending to are left alone."""
    for path in _days_newest_first(directory):  # the newest may have lost its only record: then the day before
        header = scan(path).last_header
        if header is not None:
            return header
    return None


class DailyFiles:
    """Records appended to one block file per UTC day (beam-YYYYMMDD.blocks), by their header's seconds."""

    def __init__(self, directory):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._file = None
        self.last_header = None
        names = _days_newest_first(self.directory)
        if names:
            self._file = BlockFile(names[0])  # only the newest can have been written when the process died
            self.last_header = self._file.last_header
            for older in names[1:]:  # the newest lost its only record to a cut: the day before has the last
                if self.last_header is not None:
                    break
                self.last_header = scan(older).last_header

    def append(self, record):
        """Append one record to its day's file (fsync included)."""
        headers = headers_in(record)
        if not headers:
            raise BlockError("a record starts with a header block")
        name = daily_name(headers[0][0])
        if self._file is None or self._file.path.name != name:
            if self._file is not None:
                self._file.close()
            self._file = BlockFile(self.directory / name)
        self._file.append(record)
        self.last_header = headers[-1]

    def close(self):
        if self._file is not None:
            self._file.close()
            self._file = None
