"""Crash-safe writes to an HDF5 file: an exclusive lock and a rollback journal.

HDF5 changes its metadata in place and has no journal of its own, so a writer killed half-way can
leave a file that no reader can open. We hand h5py a file object instead of a path; before any byte
that existed when the write began is overwritten, its old content goes to `<file>.journal` and is
made durable. Bytes appended past the old end need no copy: rolling back truncates them. The write
commits when the file is synced and the journal deleted. A journal found later (a "hot" journal) is
rolled back by whoever next takes the lock, so a killed writer leaves the file exactly as it was
before that write, readable by plain h5py, without manual repair.

Journal layout: a header `DCSJ1 <original size>\n`, then entries of
`<offset u64><length u32><crc32 u32><bytes>`. A torn last entry is ignored: its data write had not
started, since every entry is synced before the write it protects.
"""

import contextlib
import fcntl
import io
import os
import struct
import zlib
from pathlib import Path

HEADER = b"DCSJ1 "
ENTRY = struct.Struct("<QII")


def journal_path(path):
    return Path(str(path) + ".journal")


def lock_path(path):
    return Path(str(path) + ".lock")


@contextlib.contextmanager
def file_lock(path, exclusive=True):
    """An advisory lock on `<file>.lock` (the data file itself may be replaced or truncated)."""
    lock = lock_path(path)
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _fsync_dir(path):
    fd = os.open(Path(path).parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def recover(path):
    """Roll back a hot journal of path, if any (the caller holds the exclusive lock). True if it did."""
    journal = journal_path(path)
    if not journal.exists():
        return False
    data = journal.read_bytes()
    newline = data.find(b"\n")
    if not data.startswith(HEADER) or newline < 0:
        # The journal's header never became durable, so no data write happened after it.
        journal.unlink()
        return True
    original_size = int(data[len(HEADER):newline])
    entries, position = [], newline + 1
    while position + ENTRY.size <= len(data):
        offset, length, crc = ENTRY.unpack_from(data, position)
        chunk = data[position + ENTRY.size: position + ENTRY.size + length]
        if len(chunk) != length or zlib.crc32(chunk) != crc:
            break
        entries.append((offset, chunk))
        position += ENTRY.size + length
    if original_size == 0:
        Path(path).unlink(missing_ok=True)
    else:
        with open(path, "r+b") as target:
            for offset, chunk in reversed(entries):
                target.seek(offset)
                target.write(chunk)
            target.truncate(original_size)
            target.flush()
            os.fsync(target.fileno())
    journal.unlink()
    _fsync_dir(path)
    return True


class JournaledFile(io.RawIOBase):
    """A read/write file object that journals the old content of every byte it overwrites."""

    def __init__(self, path):
        super().__init__()
        self.path = Path(path)
        exists = self.path.exists()
        self.original_size = self.path.stat().st_size if exists else 0
        self._file = open(self.path, "r+b" if exists else "w+b")
        self._journal = open(journal_path(self.path), "wb")
        self._journal.write(HEADER + str(self.original_size).encode() + b"\n")
        self._sync_journal()
        _fsync_dir(self.path)
        self._saved = []  # sorted, non-overlapping (start, end) ranges already journaled
        self._position = 0

    def _sync_journal(self):
        self._journal.flush()
        os.fsync(self._journal.fileno())

    def _save_old(self, start, end):
        end = min(end, self.original_size)
        if start >= end:
            return
        for gap_start, gap_end in self._gaps(start, end):
            self._file.seek(gap_start)
            old = self._file.read(gap_end - gap_start)
            self._journal.write(ENTRY.pack(gap_start, len(old), zlib.crc32(old)) + old)
            self._saved.append((gap_start, gap_end))
        self._saved.sort()
        self._sync_journal()

    def _gaps(self, start, end):
        cursor = start
        for saved_start, saved_end in self._saved:
            if saved_end <= cursor or saved_start >= end:
                continue
            if saved_start > cursor:
                yield cursor, saved_start
            cursor = max(cursor, saved_end)
        if cursor < end:
            yield cursor, end

    # -- the file-object protocol h5py's fileobj driver uses --
    def readable(self):
        return True

    def writable(self):
        return True

    def seekable(self):
        return True

    def seek(self, offset, whence=io.SEEK_SET):
        self._position = self._file.seek(offset, whence)
        return self._position

    def tell(self):
        return self._position

    def readinto(self, buffer):
        self._file.seek(self._position)
        count = self._file.readinto(buffer)
        self._position += count or 0
        return count

    def write(self, data):
        data = memoryview(data)
        self._save_old(self._position, self._position + len(data))
        self._file.seek(self._position)
        written = self._file.write(data)
        self._position += written
        return written

    def truncate(self, size=None):
        size = self._position if size is None else size
        self._save_old(size, self.original_size)
        return self._file.truncate(size)

    def flush(self):
        self._file.flush()

    def commit(self):
        """Make the new content durable, then drop the journal: the commit point."""
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self._journal.close()
        journal_path(self.path).unlink()
        _fsync_dir(self.path)

    def abandon(self):
        """Roll back now (an error in the writer): the file returns to what it was."""
        self._file.close()
        self._journal.close()
        recover(self.path)

    def close(self):
        super().close()
