"""Adding, finding and reading calibration versions: the files and the index kept in step.

A write takes the file's lock, checks the new array against what the detector already has, writes it
under the rollback journal, commits the file, then records it in the index. A read resolves in the
index and fetches the array with one read at its recorded offset: it never waits for a writer and
never sees a half-written version, because committed array bytes are never moved or overwritten.
"""

import json
from pathlib import Path

import numpy as np

from ..audit import record
from ..db import database
from ..errors import DcsError, bad_request, conflict, not_found
from ..names import split_detname
from ..timeutil import NS, iso, now_ns, to_ns
from . import h5file
from .models import CalibDefault, CalibFile, CalibRange, CalibSet, CalibVersion
from .resolve import resolve
from .sets import default_set
from ..runs import time_of
from ..topology.aliases import DetectorAlias
from ..topology.devices import lineage
from ..topology.models import Device
from .aliases import resolve_alias
from . import provenance as provenance_index
from .journal import file_lock, recover
from .workspace import parse_workspace

CTYPES = ("pedestals", "pixel_rms", "pixel_status", "pixel_mask", "pixel_gain", "pixel_bkgd", "common_mode",
          "geometry", "pixel_offset", "pixel_datast", "status_extra")
NUMERIC_KINDS = "biuf"
MAX_NDIM = 8


def check_ctype(ctype):
    if ctype not in CTYPES:
        raise bad_request(f"The calibration type {ctype!r} is not known; use one of {', '.join(CTYPES)}.")
    return ctype


def whole_seconds(value, what):
    ns = to_ns(value, what)
    if ns % NS:
        raise bad_request(f"The {what} must be a whole second (validity ranges are named in seconds).")
    return ns // NS


def validity(begin, end):
    """(begin, end) of a validity range in whole seconds; end None (or "end") is open."""
    begin_s = whole_seconds(begin, "begin time")
    end_s = None if end in (None, "", "end") else whole_seconds(end, "end time")
    if end_s is not None and end_s <= begin_s:
        raise bad_request(f"The validity range ends ({end_s}) before or when it begins ({begin_s}).")
    return begin_s, end_s


def check_array(ctype, array, allow_nonfinite):
    if ctype == "geometry":
        if not isinstance(array, str):
            raise bad_request("Geometry constants are text (a UTF-8 string), not an array.")
        return array
    if not isinstance(array, np.ndarray) or array.dtype.kind not in NUMERIC_KINDS:
        kind = getattr(getattr(array, "dtype", None), "str", type(array).__name__)
        raise bad_request(f"Constants must be a numeric array (bool, integer or float), not {kind}.")
    if array.ndim == 0 or array.size == 0 or array.ndim > MAX_NDIM:
        raise bad_request(f"Constants must be an array of 1 to {MAX_NDIM} dimensions with at least one value; "
                          f"this one has shape {array.shape}.")
    if array.dtype.kind == "f" and not allow_nonfinite:
        bad = int(array.size - np.count_nonzero(np.isfinite(array)))
        if bad:
            raise bad_request(f"The array holds {bad} NaN or infinite value(s); pass allow_nonfinite to store it "
                              "anyway.")
    return array


def established(detname, ctype):
    """The detector's newest visible version of a ctype, whose shape and dtype new ones must keep; or None."""
    return (CalibVersion.select().join(CalibRange).join(CalibFile)
            .where(CalibFile.detname == detname, CalibRange.ctype == ctype, CalibVersion.deprecated_ns.is_null())
            .order_by(CalibVersion.created_ns.desc()).first())


class CalibStore:
    """The store under one calibration directory, with the index in the bound database."""

    def __init__(self, calib_dir):
        self.root = Path(calib_dir)

    # --- writing ---------------------------------------------------------------------------------------------
    def put(self, actor, detname, ctype, array, begin, end=None, workspace=None, tsprod=None, comment="",
            pars=None, force=False, allow_nonfinite=False, history=None, provenance=None):
        """Store a new version valid from begin (to end, or open). Returns its CalibVersion.

        provenance: what made it (provenance.describe()); kept in its dictpars and in the index."""
        dettype, _ = split_detname(detname)
        check_ctype(ctype)
        space = parse_workspace(workspace)
        begin_s, end_s = validity(begin, end)
        array = check_array(ctype, array, allow_nonfinite)
        tsprod_ns = now_ns() if tsprod is None else to_ns(tsprod, "production time")
        pars = dict(pars or {})
        if len(json.dumps(pars, default=str)) > 16384:
            raise bad_request("The version's parameters are too large (at most 16 KiB as JSON).")
        pars.update({"comment": comment, "author": actor.label})
        if provenance is not None:
            pars["provenance"] = provenance
        path = space.file_for(self.root, detname)
        now = now_ns()
        with h5file.writing(path) as h5:
            if not force:
                self._check_established(detname, ctype, array)
            written = h5file.add_version(h5, detname, ctype, begin_s, end_s, array, tsprod_ns, pars,
                                         f"added by {actor.label}" + (f": {comment}" if comment else ""), now,
                                         history)
        with database.atomic():
            version = self._index(space.name, detname, dettype, path, ctype, begin_s, end_s, written, tsprod_ns,
                                  now, actor.label, comment)
            if provenance is not None:
                provenance_index.save(version, provenance)
            record(actor, "calib.put", "calib", f"{space.name}/{detname}/{ctype}/{written.range_name}",
                   f"added version {written.versind} of {ctype} for {detname} in {space.name}",
                   after={"versind": written.versind, "sha256": written.sha256, "shape": list(written.shape),
                          "dtype": written.dtype, "tsprod": tsprod_ns})
        return version

    def _check_established(self, detname, ctype, array):
        """A detector's ctype keeps one shape and dtype unless the writer forces a change."""
        last = established(detname, ctype)
        if last is None or ctype == "geometry":
            return
        shape, dtype = tuple(array.shape), array.dtype.newbyteorder("<").str
        if shape != last.shape_tuple or dtype != last.dtype:
            raise conflict(f"{detname} {ctype} constants have shape {last.shape_tuple} and dtype {last.dtype}; "
                           f"this array has shape {shape} and dtype {dtype}. Pass force to store it anyway.")

    def _index(self, workspace, detname, dettype, path, ctype, begin_s, end_s, written, tsprod_ns, now, author,
               comment):
        relative = str(Path(path).relative_to(self.root))
        file, _ = CalibFile.get_or_create(workspace=workspace, detname=detname,
                                          defaults={"dettype": dettype, "path": relative, "created_ns": now})
        range_, _ = CalibRange.get_or_create(
            file=file, ctype=ctype, name=written.range_name,
            defaults={"begin_ns": begin_s * NS, "end_ns": None if end_s is None else end_s * NS})
        return CalibVersion.create(range=range_, versind=written.versind, name=written.name, tsprod_ns=tsprod_ns,
                                   created_ns=now, dtype=written.dtype, shape=json.dumps(list(written.shape)),
                                   nbytes=written.nbytes, data_offset=written.offset, sha256=written.sha256,
                                   author=author, comment=comment)

    def set_default(self, actor, detname, ctype, begin, end, versind, workspace=None):
        """Make versind the default of a range (0 clears it: the newest applies again)."""
        space = parse_workspace(workspace)
        range_ = self.find_range(space, detname, ctype, begin, end)
        if versind and not CalibVersion.select().where(CalibVersion.range == range_,
                                                       CalibVersion.versind == versind).exists():
            raise not_found(f"The range {range_.name} of {detname} {ctype} has no version {versind}.")
        path = self.root / range_.file.path
        now = now_ns()
        with h5file.writing(path) as h5:
            group = h5[f"{ctype}/{range_.name}"]
            names = {int(group[v].attrs["versind"]): v for v in group}
            group.attrs["defaultv"] = names.get(versind, "")
            h5file.add_history(group, f"default set to version {versind} by {actor.label}", now)
        with database.atomic():
            CalibDefault.create(range=range_, versind=versind, set_ns=now)
            record(actor, "calib.default", "calib", f"{space.name}/{detname}/{ctype}/{range_.name}",
                   f"set the default of {detname} {ctype} {range_.name} to version {versind}",
                   after={"versind": versind})
        return range_

    def deprecate(self, actor, version, reason=""):
        """Hide a version from lookups from now on; its data stays in the file (never destroyed)."""
        if version.deprecated_ns is not None:
            return version
        now = now_ns()
        range_ = version.range
        with h5file.writing(self.root / range_.file.path) as h5:
            group = h5[f"{range_.ctype}/{range_.name}/{version.name}"]
            group.attrs["deprecated"] = now / NS
            h5file.add_history(group, f"deprecated by {actor.label}" + (f": {reason}" if reason else ""), now)
        with database.atomic():
            version.deprecated_ns = now
            version.save()
            record(actor, "calib.deprecate", "calib",
                   f"{range_.file.workspace}/{range_.file.detname}/{range_.ctype}/{range_.name}",
                   f"deprecated version {version.versind}" + (f": {reason}" if reason else ""))
        return version

    # --- reading ---------------------------------------------------------------------------------------------
    def find_range(self, space, detname, ctype, begin, end):
        name = h5file.range_name(*validity(begin, end))
        range_ = (CalibRange.select(CalibRange, CalibFile).join(CalibFile)
                  .where(CalibFile.workspace == space.name, CalibFile.detname == detname, CalibRange.ctype == ctype,
                         CalibRange.name == name).first())
        if range_ is None:
            raise not_found(f"{detname} has no {ctype} range {name} in {space.name}.")
        return range_

    def lookup(self, detname, ctype, t, as_of=None, version=None, versind=None, set_name=None, workspace=None,
               follow=False, experiment=None):
        """The CalibVersion that applies at t, or None (bad names, sets or times raise).

        t: seconds, ISO 8601, (experiment, run number) or an object with a time. detname may be an alias
        (resolved at t). follow: when nothing applies, look in the predecessor's, then the successor's file.
        Without set_name, a lookup for an experiment (given, or the experiment of a run) uses its latest
        approved set; set_name "none" asks for no set. The returned version's `via_set` names the set used."""
        if set_name == "none":
            set_name = None
        elif set_name is None:
            owner = experiment or (t[0] if isinstance(t, (tuple, list)) and len(t) == 2 and isinstance(t[0], str)
                                   else None)
            set_name = default_set(owner) if owner else None
        t_ns = time_of(t)
        name = resolve_alias(self.root, detname, t_ns)
        if name is None:
            if DetectorAlias.select().where(DetectorAlias.alias == detname).exists():
                raise not_found(f"The alias {detname!r} names no detector at {iso(t_ns)}.")
            split_detname(detname)  # says why the name is not one
        check_ctype(ctype)
        space = parse_workspace(workspace)
        if set_name is not None and not CalibSet.select().where(CalibSet.name == set_name).exists():
            raise not_found(f"There is no calibration set named {set_name!r}.")
        as_of_ns = None if as_of is None else to_ns(as_of, "as_of time")
        found = resolve(name, ctype, t_ns, space, as_of_ns, version, versind, set_name)
        if found is None and follow:
            for link in self._links(space, name):
                found = resolve(link, ctype, t_ns, space, as_of_ns, version, versind, set_name)
                if found is not None:
                    break
        return found

    def _links(self, space, detname):
        """The predecessor and successor of a detector (each followed one step): from the topology when it
        knows the device, else from what the detector's file names."""
        device = Device.get_or_none(Device.name == detname)
        if device is not None:
            links = lineage(device)
            found = links["predecessors"][-1:] + links["successors"][:1]
            if found:
                return found
        path = space.file_for(self.root, detname)
        if not path.is_file():
            return []
        with h5file.reading(path) as h5:
            links = [h5.attrs.get("predecessor", ""), h5.attrs.get("successor", "")]
        return [link.decode() if isinstance(link, bytes) else link for link in links if link]

    def read(self, version):
        """The array (or geometry text) of a version: one read at its offset, else through h5py."""
        range_ = version.range
        path = self.root / range_.file.path
        if version.data_offset is not None and version.dtype != "text":
            shape = version.shape_tuple
            count = int(np.prod(shape, dtype=np.int64))
            try:
                with open(path, "rb") as handle:
                    data = np.fromfile(handle, dtype=np.dtype(version.dtype), count=count,
                                       offset=version.data_offset)
            except OSError as error:
                raise DcsError(500, f"The calibration file {range_.file.path} cannot be read: {error.strerror}.") \
                    from None
            if data.size != count:
                raise DcsError(500, f"The calibration file {range_.file.path} is shorter than its index says; "
                                    "run `dcs calib verify`.")
            return data.reshape(shape)
        with h5file.reading(path) as h5:
            return h5file.read_array(h5, f"{range_.ctype}/{range_.name}/{version.name}/calib")

    def get(self, detname, ctype, t, **kw):
        version = self.lookup(detname, ctype, t, **kw)
        return (None, None) if version is None else (self.read(version), version)


def verify(calib_store, progress=None):
    """Roll back hot journals, then check every indexed version against its checksum.

    Returns a list of problems (sentences); empty when everything holds."""
    problems = []
    for journal in sorted(calib_store.root.rglob("*.h5.journal")):
        data_file = Path(str(journal)[: -len(".journal")])
        with file_lock(data_file):
            recover(data_file)
    versions = list(CalibVersion.with_file())
    for done, version in enumerate(versions, 1):
        where = f"{version.range.file.path} {version.range.ctype}/{version.range.name}/{version.name}"
        try:
            data = calib_store.read(version)
        except (DcsError, OSError, KeyError) as error:
            problems.append(f"{where} cannot be read: {getattr(error, 'message', error)}")
            continue
        if h5file.sha256_of(data) != version.sha256:
            problems.append(f"{where} does not match its checksum")
        if progress:
            progress(done, len(versions))
    return problems
