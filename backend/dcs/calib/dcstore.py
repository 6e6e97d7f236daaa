"""The seed's Python API: DCStore, DCType, DCRange, DCVersion and DCBase, over one calibration file.

    from dcs.calib import DCStore
    cs = DCStore("/path/to/calib", "cspad-0001")        # or DCStore("/path/to/cspad-0001.h5")
    peds = cs.pedestals("2016-10-27T14:05:00+02:00")
    cs.addcalib("pixel_status", status, 1477569900, comment="from dark run 12")

Reads parse the file's metadata (under a shared lock, after rolling back a hot journal) and resolve
with the same rules as the portal's index (latest begin, narrowest, default, newest, as_of). Writes go
through the same journaled, locked path as the portal, and refresh the portal's index when a
database is bound. Nothing is ever destroyed: deleting deprecates.
"""

import time
from pathlib import Path

import numpy as np

from ..audit import Actor
from ..errors import bad_request
from ..names import split_detname
from ..runs import time_of
from ..timeutil import NS, iso, now_ns, to_ns
from . import h5file
from .aliases import resolve_alias
from .resolve import FAR_FUTURE
from .store import CTYPES, check_array, check_ctype, validity

ACTOR = Actor("api:dcstore")


class DCBase:
    """dictpars and history of one level of the file (the root, a type, a range or a version)."""

    def __init__(self, store, path):
        self._store, self._path = store, path

    def _attrs(self):
        with h5file.reading(self._store.fname) as h5:
            obj = h5[self._path] if self._path else h5
            return dict(obj.attrs)

    def _json(self, key):
        value = self._attrs().get(key)
        if value is None:
            return {}
        return h5file.read_json_attr(_AttrHolder({key: value}), key)

    def dictpars(self):
        return self._json("dictpars")

    def par(self, k):
        return self.dictpars().get(k)

    def histdict(self):
        return self._json("history")

    def history(self, fmt=None):
        return "\n".join(f"{stamp} {record}" for stamp, record in sorted(self.histdict().items()))

    def _change(self, change):
        with h5file.writing(self._store.fname) as h5:
            obj = h5[self._path] if self._path else h5
            change(obj)
        self._store._refresh_index()

    def set_dictpars(self, d):
        self._change(lambda obj: h5file.write_json_attr(obj, "dictpars", dict(d)))

    def add_par(self, k, v):
        def change(obj):
            pars = h5file.read_json_attr(obj, "dictpars")
            pars[k] = v
            h5file.write_json_attr(obj, "dictpars", pars)
        self._change(change)

    def del_par(self, k):
        def change(obj):
            pars = h5file.read_json_attr(obj, "dictpars")
            pars.pop(k, None)
            h5file.write_json_attr(obj, "dictpars", pars)
        self._change(change)

    def add_history(self, rec, ts=None):
        self._change(lambda obj: h5file.add_history(obj, str(rec), None if ts is None else to_ns(ts)))


class _AttrHolder:
    def __init__(self, attrs):
        self.attrs = attrs


class DCVersion(DCBase):
    def __init__(self, store, ctype, range_name, name, info):
        super().__init__(store, f"{ctype}/{range_name}/{name}")
        self._ctype, self._range_name, self._name, self._info = ctype, range_name, name, info

    def __repr__(self):
        return f"DCVersion({self._path!r}, versind={self.versind()})"

    def name(self):
        return self._name

    def versind(self):
        return self._info["versind"]

    def tsprod(self):
        """Production time, Unix seconds (float)."""
        return self._info["tsprod_ns"] / NS

    def deprecated(self):
        return self._info["deprecated_ns"] is not None

    def calib(self):
        with h5file.reading(self._store.fname) as h5:
            return h5file.read_array(h5, f"{self._path}/calib")

    def set_tsprod(self, tsprod):
        ns = to_ns(tsprod, "production time")

        def change(obj):
            obj.attrs["tsvers"] = ns / NS
            obj.attrs["tsvers_ns"] = np.int64(ns)
            h5file.add_history(obj, f"production time set to {iso(ns)}")
        self._change(change)
        self._info["tsprod_ns"] = ns

    def add_calib(self, nda):
        raise PermissionError("A stored version never changes; add a new version with DCRange.add_version(nda) or "
                              "DCStore.addcalib().")


class DCRange(DCBase):
    def __init__(self, store, ctype, name, begin_s, end_s, defaultv, versions):
        super().__init__(store, f"{ctype}/{name}")
        self._ctype, self._name, self._begin, self._end = ctype, name, begin_s, end_s
        self._defaultv, self._versions = defaultv, versions  # name -> info

    def __repr__(self):
        return f"DCRange({self._path!r})"

    def name(self):
        return self._name

    def begin(self):
        return self._begin

    def end(self):
        """End of validity (exclusive), Unix seconds, or None when open."""
        return self._end

    def _visible(self, as_of_ns=FAR_FUTURE):
        return {n: i for n, i in self._versions.items()
                if i["tsprod_ns"] <= as_of_ns and (i["deprecated_ns"] is None or i["deprecated_ns"] > as_of_ns)}

    def versions(self):
        """Version names, in production order (deprecated ones included)."""
        return sorted(self._versions)

    def versobj(self, vers):
        """A version by name, by versind (small int) or by production time (seconds or ns)."""
        for name, info in self._versions.items():
            if vers in (name, info["versind"], info["tsprod_ns"]) or (
                    isinstance(vers, float) and round(vers * NS) == info["tsprod_ns"]):
                return DCVersion(self._store, self._ctype, self._name, name, info)
        return None

    def versdef(self, as_of_ns=FAR_FUTURE):
        """The version a lookup takes here: the default if set and visible, else the newest."""
        visible = self._visible(as_of_ns)
        if not visible:
            return None
        if self._defaultv in visible:
            name = self._defaultv
        else:
            name = max(visible, key=lambda n: (visible[n]["tsprod_ns"], visible[n]["versind"]))
        return DCVersion(self._store, self._ctype, self._name, name, visible[name])

    def add_version(self, nda, tsprod=None, comment="", pars=None, **kw):
        return self._store.addcalib(self._ctype, nda, self._begin, self._end, tsprod=tsprod, comment=comment,
                                    pars=pars, **kw)

    def set_versdef(self, vers):
        version = self.versobj(vers)
        if version is None:
            raise KeyError(f"{self._path} has no version {vers!r}")
        portal = self._store.portal
        if portal is not None:
            portal.set_default(ACTOR, self._store.detname(), self._ctype, self._begin, self._end, version.versind(),
                               self._store.workspace)
        else:
            self._change(lambda obj: obj.attrs.__setitem__("defaultv", version.name()))
        self._defaultv = version.name()

    def del_version(self, vers):
        """Deprecate a version: hidden from lookups from now on, its data kept."""
        version = self.versobj(vers)
        if version is None:
            raise KeyError(f"{self._path} has no version {vers!r}")
        stamp = now_ns()

        def change(obj):
            obj.attrs["deprecated"] = stamp / NS
            h5file.add_history(obj, "deprecated")
        with h5file.writing(self._store.fname) as h5:
            change(h5[version._path])
        self._store._refresh_index()
        self._versions[version.name()]["deprecated_ns"] = stamp


class DCType(DCBase):
    def __init__(self, store, ctype, ranges):
        super().__init__(store, ctype)
        self._ctype, self._ranges = ctype, ranges  # name -> DCRange

    def __repr__(self):
        return f"DCType({self._ctype!r})"

    def ctype(self):
        return self._ctype

    def ranges(self):
        """Range names, ordered by begin (and end)."""
        return sorted(self._ranges, key=lambda n: (self._ranges[n].begin(), self._ranges[n].end() or FAR_FUTURE))

    def rangeobj(self, tsrange):
        """A range by its name ('1000-end') or its (begin, end) pair."""
        if isinstance(tsrange, tuple):
            tsrange = h5file.range_name(*tsrange)
        return self._ranges.get(tsrange)

    def add_range(self, tsr):
        """Make the range (begin, end) or '<begin>-<end|end>' if new; lookups pass it by until it has a version."""
        bounds = tsr if isinstance(tsr, tuple) else h5file.parse_range_name(tsr)
        if bounds is None:
            raise bad_request(f"{tsr!r} is not a validity range: use (begin, end) or '<begin>-<end|end>'.")
        begin, end = validity(*bounds)
        with h5file.writing(self._store.fname) as h5:
            h5file.ensure_range(h5, self._store.detname(), self._ctype, begin, end, now_ns())
        self._store._refresh_index()
        return self._store.ctypeobj(self._ctype).rangeobj((begin, end))

    def del_range(self, tsr):
        """Deprecate every version of a range (nothing is destroyed)."""
        rng = self.rangeobj(tsr)
        for name in rng.versions():
            if not rng._versions[name]["deprecated_ns"]:
                rng.del_version(name)

    def find(self, t_ns, as_of_ns=FAR_FUTURE):
        """The range that applies at t (latest begin, narrowest at equal begin), with a visible version."""
        covering = [r for r in self._ranges.values()
                    if r.begin() * NS <= t_ns and (r.end() is None or t_ns < r.end() * NS) and r._visible(as_of_ns)]
        if not covering:
            return None
        return max(covering, key=lambda r: (r.begin(), -(r.end() if r.end() is not None else float("inf"))))


class DCStore(DCBase):
    """One detector's calibration file: cpath is a calibration directory (then detname, or an alias) or a file."""

    def __init__(self, cpath, detname=None, workspace="repository", portal=None):
        """portal: the portal's CalibStore, so that writes also update its index (None: the file alone)."""
        super().__init__(self, "")
        self.portal = portal
        cpath = Path(cpath)
        if cpath.suffix == ".h5":
            self.fname, name = cpath, cpath.stem
            self.root = cpath.parent.parent
        else:
            name = resolve_alias(cpath, detname) if detname else None
            if name is None:
                raise IOError(f"File {cpath}/<dettype>/{detname}.h5 is not available (no such detector or alias)")
            self.root = cpath
            self.fname = cpath / split_detname(name)[0] / f"{name}.h5"
        self.workspace = workspace
        if not self.fname.is_file():
            raise IOError("File %s is not available" % self.fname)
        self._load()

    def _load(self):
        types = {}
        with h5file.reading(self.fname) as h5:
            self._root_attrs = dict(h5.attrs)
            for ctype, group in h5.items():
                ranges = {}
                for range_name, rgroup in group.items():
                    bounds = h5file.parse_range_name(range_name)
                    if bounds is None:
                        continue
                    versions = {}
                    for name, vgroup in rgroup.items():
                        deprecated = vgroup.attrs.get("deprecated")
                        versions[name] = {
                            "versind": int(vgroup.attrs.get("versind", 0)),
                            "tsprod_ns": int(vgroup.attrs["tsvers_ns"]) if "tsvers_ns" in vgroup.attrs
                            else int(round(float(vgroup.attrs.get("tsvers", 0)) * NS)),
                            "deprecated_ns": None if deprecated is None else int(round(float(deprecated) * NS))}
                    defaultv = rgroup.attrs.get("defaultv", "")
                    ranges[range_name] = DCRange(self, ctype, range_name, bounds[0], bounds[1],
                                                 defaultv.decode() if isinstance(defaultv, bytes) else defaultv,
                                                 versions)
                types[ctype] = DCType(self, ctype, ranges)
        self._types = types

    def _refresh_index(self):
        if self.portal is not None:
            from .reindex import reindex

            reindex(self.portal.root)
        self._load()

    def __repr__(self):
        return f"DCStore({str(self.fname)!r})"

    # --- the file's identity ---
    def _root(self, key):
        value = self._root_attrs.get(key)
        return value.decode() if isinstance(value, bytes) else value

    def tscfile(self):
        return float(self._root_attrs.get("tscfile", 0))

    def dettype(self):
        return self._root("dettype")

    def detid(self):
        return self._root("detid")

    def detname(self):
        return self._root("detname")

    def predecessor(self):
        return self._root("predecessor") or None

    def successor(self):
        return self._root("successor") or None

    def set_predecessor(self, pred):
        self._change(lambda obj: obj.attrs.__setitem__("predecessor", pred or ""))
        self._root_attrs["predecessor"] = pred or ""

    def set_successor(self, succ):
        self._change(lambda obj: obj.attrs.__setitem__("successor", succ or ""))
        self._root_attrs["successor"] = succ or ""

    def ctypes(self):
        return sorted(self._types)

    def ctypeobj(self, ctype):
        return self._types.get(ctype)

    # --- lookups ---
    def get(self, ctype, tsp, vers=None, as_of=None):
        """The constants of ctype that apply at tsp (vers: name, versind or production time), or None."""
        cto = self._types.get(ctype)
        if cto is None:
            return None
        as_of_ns = FAR_FUTURE if as_of is None else to_ns(as_of, "as_of time")
        rng = cto.find(time_of(tsp), as_of_ns)
        if rng is None:
            return None
        if vers is None:
            version = rng.versdef(as_of_ns)
        else:
            version = rng.versobj(vers)
            if version is not None and version.name() not in rng._visible(as_of_ns):
                version = None
        return None if version is None else version.calib()

    def getdict(self, ctype):
        """{range name: {version name: versind}} for a ctype."""
        cto = self._types.get(ctype)
        return {} if cto is None else {r: {v: cto.rangeobj(r)._versions[v]["versind"] for v in
                                           cto.rangeobj(r).versions()} for r in cto.ranges()}

    # --- writing ---
    def addcalib(self, ctype, nda, tsbegin, tsend=None, tsprod=None, comment="", pars=None, force=False,
                 allow_nonfinite=False):
        """Add a version of ctype valid from tsbegin (to tsend, or open). Returns its DCVersion."""
        if self.portal is not None:
            version = self.portal.put(ACTOR, self.detname(), ctype, nda, tsbegin, tsend, workspace=self.workspace,
                                         tsprod=tsprod, comment=comment, pars=pars, force=force,
                                         allow_nonfinite=allow_nonfinite)
            self._load()
            name, range_name = version.name, version.range.name
        else:
            check_ctype(ctype)
            begin_s, end_s = validity(tsbegin, tsend)
            nda = check_array(ctype, nda, allow_nonfinite)
            with h5file.writing(self.fname) as h5:
                written = h5file.add_version(h5, self.detname(), ctype, begin_s, end_s, nda,
                                             now_ns() if tsprod is None else to_ns(tsprod), dict(pars or {},
                                                                                                 comment=comment),
                                             f"added through DCStore at {time.ctime()}", now_ns())
            self._load()
            name, range_name = written.name, written.range_name
        return self._types[ctype].rangeobj(range_name).versobj(name)

    def delete(self, ctype, tsp, vers=None):
        """Deprecate the version of ctype that applies at tsp (never destroys data). Returns it, or None."""
        cto = self._types.get(ctype)
        rng = cto.find(time_of(tsp)) if cto else None
        version = None if rng is None else (rng.versdef() if vers is None else rng.versobj(vers))
        if version is not None:
            rng.del_version(version.name())
        return version


def _shortcut(ctype):
    def shortcut(self, tsp, vers=None):
        return self.get(ctype, tsp, vers)

    shortcut.__name__ = ctype
    shortcut.__doc__ = f"The {ctype} constants that apply at tsp (see DCStore.get)."
    return shortcut


# The seed's shortcuts: cs.pedestals(t), cs.pixel_status(t) ... cs.geometry(t) (text).
SHORTCUTS = ("pedestals", "pixel_status", "pixel_rms", "pixel_mask", "pixel_gain", "pixel_bkgd", "common_mode",
             "geometry")
for _ctype in SHORTCUTS:
    setattr(DCStore, _ctype, _shortcut(_ctype))

__all__ = ["DCStore", "DCType", "DCRange", "DCVersion", "DCBase", "CTYPES"]
