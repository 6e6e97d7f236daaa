"""The calibration file format of DESIGN.md, read and written with h5py.

    /                        attrs: dettype, detid, detname, tscfile, predecessor, successor, dictpars, history
      <ctype>/               attrs: ctype, dictpars, history
        <begin>-<end|end>/   attrs: tsbegin, tsend, defaultv, dictpars, history
          <version>/         attrs: tsvers, tsvers_ns, versind, dictpars, history, sha256 (, deprecated)
            calib            the array, contiguous and uncompressed (geometry: a UTF-8 string)

dictpars and history are JSON text; history maps ISO times to records. Every change goes through
`writing()`: an exclusive lock and a rollback journal (journal.py), so a killed writer never leaves
a half-written file. Arrays are stored contiguously so a reader can fetch one with a single read at
its offset, without parsing HDF5 metadata a writer may be changing.
"""

import contextlib
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np

from ..errors import DcsError
from ..names import split_detname
from ..timeutil import NS, iso, now_ns
from .journal import JournaledFile, file_lock, journal_path, recover

LIBVER = ("v108", "v108")  # HDF5 1.8 file format: readable by every h5py of the last decade
OPEN = "end"


def range_name(begin_s, end_s):
    return "%d-%s" % (begin_s, OPEN if end_s is None else "%d" % end_s)


def parse_range_name(name):
    """'1000-end' -> (1000, None), '1000-2000' -> (1000, 2000); None for other names."""
    begin, dash, end = name.partition("-")
    if not dash or not begin.isdigit() or not (end.isdigit() or end == OPEN):
        return None
    return int(begin), None if end == OPEN else int(end)


def version_name(tsprod_ns, taken):
    """Names sort in production order: the production time in nanoseconds, zero-padded."""
    name = "%019d" % tsprod_ns
    suffix = 1
    while name in taken:
        suffix += 1
        name = "%019d-%d" % (tsprod_ns, suffix)
    return name


def array_bytes(array):
    """The bytes a version's checksum covers: C order, little-endian (text: its UTF-8)."""
    if isinstance(array, str):
        return array.encode("utf-8")
    return np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<")).tobytes()


def sha256_of(array):
    return hashlib.sha256(array_bytes(array)).hexdigest()


def read_json_attr(obj, key, default=None):
    value = obj.attrs.get(key)
    if value is None:
        return {} if default is None else default
    if isinstance(value, bytes):
        value = value.decode("utf-8")
    try:
        return json.loads(value)
    except ValueError:
        return {} if default is None else default


def write_json_attr(obj, key, value):
    obj.attrs[key] = json.dumps(value, sort_keys=True, default=str)


def add_history(obj, record, at_ns=None):
    history = read_json_attr(obj, "history")
    stamp = iso(at_ns or now_ns())
    while stamp in history:  # two records in one nanosecond: keep both
        stamp += "'"
    history[stamp] = record
    write_json_attr(obj, "history", history)


def damaged(path, error):
    return DcsError(500, f"The calibration file {Path(path).name} is not a readable HDF5 file ({error}); restore it "
                         "from a backup (`dcs restore`) or set it aside and run `dcs calib reindex`.")


@contextlib.contextmanager
def _opened(target, mode, path):
    """h5py.File, with a file that is not HDF5 (truncated, overwritten) reported as a sentence."""
    try:
        h5 = h5py.File(target, mode, **({"libver": LIBVER} if mode != "r" else {"locking": False}))
    except (OSError, ValueError) as error:
        raise damaged(path, str(error).split(" (", 1)[0]) from None
    with h5:
        yield h5


@contextlib.contextmanager
def writing(path):
    """Open path for a change under the file's lock and journal; commit on success, roll back on error."""
    path = Path(path)
    with file_lock(path):
        recover(path)
        journaled = JournaledFile(path)
        try:
            with _opened(journaled, "r+" if journaled.original_size else "w", path) as h5:
                yield h5
        except BaseException:
            journaled.abandon()
            raise
        journaled.commit()


@contextlib.contextmanager
def reading(path):
    """Open path to read its metadata under a shared lock (after rolling back a hot journal)."""
    path = Path(path)
    while True:
        with file_lock(path, exclusive=False):
            if not journal_path(path).exists():  # no writer is inside (it holds the lock exclusively)
                with _opened(path, "r", path) as h5:
                    yield h5
                return
        with file_lock(path):  # a writer died: roll its journal back, then read
            recover(path)


def init_root(h5, detname, tscfile_ns):
    dettype, detid = split_detname(detname)
    if "detname" not in h5.attrs:
        h5.attrs["dettype"] = dettype
        h5.attrs["detid"] = detid
        h5.attrs["detname"] = detname
        h5.attrs["tscfile"] = tscfile_ns / NS
        h5.attrs["predecessor"] = ""
        h5.attrs["successor"] = ""
        write_json_attr(h5, "dictpars", {})
        add_history(h5, f"created the file for {detname}", tscfile_ns)


@dataclass(frozen=True)
class Written:
    range_name: str
    name: str
    versind: int
    offset: int
    nbytes: int
    sha256: str
    dtype: str
    shape: tuple


def ensure_range(h5, detname, ctype, begin_s, end_s, now):
    """The range group (and its ctype group and the file's root) of an open, writable file, made when new."""
    init_root(h5, detname, now)
    if ctype not in h5:
        group = h5.create_group(ctype)
        group.attrs["ctype"] = ctype
        write_json_attr(group, "dictpars", {})
        add_history(group, f"created calibration type {ctype}")
    ctype_group = h5[ctype]
    rname = range_name(begin_s, end_s)
    if rname not in ctype_group:
        rgroup = ctype_group.create_group(rname)
        rgroup.attrs["tsbegin"] = begin_s
        rgroup.attrs["tsend"] = OPEN if end_s is None else end_s
        rgroup.attrs["defaultv"] = ""
        write_json_attr(rgroup, "dictpars", {})
        add_history(rgroup, f"created validity range {rname}")
    return ctype_group[rname]


def add_version(h5, detname, ctype, begin_s, end_s, array, tsprod_ns, dictpars, record, now, history=None):
    """Add one version (and its ctype and range groups when new) to an open, writable file.

    history: earlier records the version brings along (a transfer keeps its history)."""
    rgroup = ensure_range(h5, detname, ctype, begin_s, end_s, now)
    rname = range_name(begin_s, end_s)
    taken = set(rgroup.keys())
    versind = 1 + max((int(rgroup[v].attrs.get("versind", 0)) for v in taken), default=0)
    name = version_name(tsprod_ns, taken)
    vgroup = rgroup.create_group(name)
    if isinstance(array, str):
        encoded = array.encode("utf-8")
        dataset = vgroup.create_dataset("calib", shape=(), dtype=h5py.string_dtype("utf-8", max(len(encoded), 1)))
        dataset[()] = encoded
        dtype, shape = "text", ()
    else:
        stored = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))
        dataset = vgroup.create_dataset("calib", data=stored, track_times=False)
        dtype, shape = stored.dtype.str, tuple(stored.shape)
    checksum = sha256_of(array)
    vgroup.attrs["tsvers"] = tsprod_ns / NS
    vgroup.attrs["tsvers_ns"] = np.int64(tsprod_ns)
    vgroup.attrs["versind"] = versind
    vgroup.attrs["sha256"] = checksum
    write_json_attr(vgroup, "dictpars", {"dtype": dtype, "ndim": len(shape), "shape": list(shape), **dictpars})
    write_json_attr(vgroup, "history", dict(history or {}))
    add_history(vgroup, record)
    add_history(rgroup, f"added version {versind} ({name})")
    return Written(rname, name, versind, dataset.id.get_offset(), dataset.id.get_storage_size(), checksum, dtype,
                   shape)


def read_array(h5, path):
    dataset = h5[path]
    if h5py.check_string_dtype(dataset.dtype):
        return dataset.asstr()[()]
    return dataset[()]
