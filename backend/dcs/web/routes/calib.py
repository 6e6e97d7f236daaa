"""Calibration constants over HTTP: lookups as .npy or JSON, version-addressed immutable downloads, uploads."""

import io
import os

import h5py
import numpy as np
from bottle import HTTPResponse, request, response

from ...calib import h5file
from ...calib.access import check_write
from ...calib.models import CalibDefault, CalibFile, CalibRange, CalibVersion
from ...calib.provenance import check_parents
from ...calib.provenance import describe as describe_provenance
from ...calib.store import CalibStore
from ...calib.workspace import parse_workspace
from ...errors import DcsError, bad_request, not_found
from ...names import split_detname
from ...runs import run_validity
from ...timeutil import iso, to_ns
from .. import query
from ..body import read_body, read_multipart
from ..fields import Body, Bool, Dict, Int, List, Str

LOOKUP = (
    ("t", "The time: Unix seconds or ISO 8601 (or give run and experiment)"),
    ("run", "A run number of the experiment: its begin time is the lookup's time"),
    ("experiment", "The experiment of run (with t: whose approved set applies)"),
    ("as_of", "Time travel: only versions that existed then"),
    ("version", "A version by name"),
    ("versind", "A version by its index in the range"),
    ("set", "A named calibration set; none: no set. Default: the experiment's latest approved set"),
    ("workspace", "repository (default), experiment:<exp> or sandbox:<exp>:<user>"),
    ("format", "json (default: metadata) or npy (the array); Accept: application/octet-stream also gives npy"),
)
UPLOAD = (
    ("begin", "Start of validity (required unless runs is given)"),
    ("runs", "Validity as a psana run range of experiment: 12-34 or 56-end"),
    ("experiment", "The experiment whose runs `runs` names"),
    ("end", "End of validity (exclusive); open when absent"),
    ("workspace", "repository (default), experiment:<exp> or sandbox:<exp>:<user>"),
    ("comment", "Why this version exists"),
    ("force", "1: accept a shape or dtype other than the established one"),
    ("allow_nonfinite", "1: accept NaN and infinite values"),
)
NPY_TYPES = ("application/octet-stream", "application/x-npy")
IMMUTABLE = "public, max-age=31536000, immutable"


def version_url(version):
    return f"/api/calib/versions/{version.id}/{version.sha256}"


def describe(version):
    range_ = version.range
    return {"detname": range_.file.detname, "workspace": range_.file.workspace, "ctype": range_.ctype,
            "range": range_.to_dict(), "version": version.to_dict(), "url": version_url(version) + ".npy",
            "h5_url": version_url(version) + ".h5"}


def npy_bytes(array):
    """The .npy file of an array: numpy's own header, then the bytes, without np.save's chunked copying."""
    array = np.ascontiguousarray(array)
    return npy_header(array.dtype, array.shape) + array.tobytes()


class NpyRegion(io.RawIOBase):
    """A .npy file made of a header and a region of a calibration file, read lazily.

    Handed to waitress as a seekable file it is sent straight from the page cache in large pieces:
    no copy of the array is built in memory (megabytes per request on a farm's start-up)."""

    def __init__(self, header, path, offset, nbytes):
        super().__init__()
        self.header, self.offset, self.size = header, offset, len(header) + nbytes
        self.fd = os.open(path, os.O_RDONLY)
        self.position = 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def seek(self, offset, whence=io.SEEK_SET):
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        self.position = max(0, min(self.size, base + offset))
        return self.position

    def tell(self):
        return self.position

    def read(self, size=-1):
        if size is None or size < 0:
            size = self.size - self.position
        size = min(size, self.size - self.position)
        out = b""
        if self.position < len(self.header):
            out = self.header[self.position: self.position + size]
        rest = size - len(out)
        if rest > 0:
            start = self.offset + self.position + len(out) - len(self.header)
            out += os.pread(self.fd, rest, start)
        self.position += len(out)
        return out

    def close(self):
        if not self.closed:
            os.close(self.fd)
        super().close()


def npy_header(dtype, shape):
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": np.lib.format.dtype_to_descr(np.dtype(dtype)),
                                                  "fortran_order": False, "shape": tuple(shape)})
    return header.getvalue()


def _array_response(store, version, cache):
    if version.data_offset is not None and version.dtype != "text":
        header = npy_header(version.dtype, version.shape_tuple)
        path = store.root / version.range.file.path
        body, kind, suffix = NpyRegion(header, path, version.data_offset, version.nbytes), \
            "application/octet-stream", "npy"
        length = body.size
    else:
        data = store.read(version)
        body = data.encode("utf-8") if isinstance(data, str) else npy_bytes(data)
        kind = "text/plain; charset=utf-8" if isinstance(data, str) else "application/octet-stream"
        suffix = "txt" if isinstance(data, str) else "npy"
        length = len(body)
    name = f"{version.range.file.detname}-{version.range.ctype}-{version.range.name}-v{version.versind}.{suffix}"
    return HTTPResponse(body, status=200, headers={
        "Content-Type": kind, "Content-Length": str(length), "ETag": f'"{version.sha256}"', "Cache-Control": cache,
        "Content-Disposition": f'attachment; filename="{name}"', "X-DCS-Version-URL": version_url(version) + ".npy"})


def _version(version_id, sha256):
    version = CalibVersion.find(version_id)
    if version is None or version.sha256 != sha256:
        raise not_found("There is no calibration version at this address.")
    return version


def one_version_h5(store, version):
    """A self-contained HDF5 file holding only this version, in the store's format."""
    data = store.read(version)
    range_ = version.range
    with h5py.File(io.BytesIO(), "w", libver=h5file.LIBVER) as h5:
        written = h5file.add_version(h5, range_.file.detname, range_.ctype, range_.begin_ns // 10**9,
                                     None if range_.end_ns is None else range_.end_ns // 10**9, data,
                                     version.tsprod_ns, {"comment": version.comment, "author": version.author},
                                     f"exported from {range_.file.workspace} version {version.versind}",
                                     version.created_ns)
        assert written.sha256 == version.sha256
        h5.flush()
        return h5.id.get_file_image()


def _default_of(range_id):
    """The range's explicitly set default version now (None: the newest applies)."""
    versind = (CalibDefault.select(CalibDefault.versind).where(CalibDefault.range == range_id)
               .order_by(CalibDefault.set_ns.desc(), CalibDefault.id.desc()).scalar())
    return versind or None


def store():
    return CalibStore(request.app.config["dcs.settings"].calib_dir)


def register(api):
    @api.route("/calib", "GET", perm="read", tag="calib")
    def detectors():
        """Detectors with constants, per work-space, with their calibration types."""
        rows = (CalibRange.select(CalibFile.detname, CalibFile.workspace, CalibRange.ctype).join(CalibFile)
                .distinct().order_by(CalibFile.detname, CalibFile.workspace, CalibRange.ctype).tuples())
        found = {}
        for detname, workspace, ctype in rows:
            found.setdefault((detname, workspace), []).append(ctype)
        return {"ok": True, "detectors": [{"detname": d, "workspace": w, "ctypes": c} for (d, w), c in found.items()]}

    @api.route("/calib/versions/<version_id:int>/<sha256>.npy", "GET", perm="read", tag="calib")
    def version_npy(version_id, sha256):
        """One version's array by its id and checksum: immutable, with a strong ETag."""
        version = _version(version_id, sha256)
        if request.get_header("If-None-Match") == f'"{version.sha256}"':
            return HTTPResponse(status=304, headers={"ETag": f'"{version.sha256}"', "Cache-Control": IMMUTABLE})
        return _array_response(store(), version, IMMUTABLE)

    @api.route("/calib/versions/<version_id:int>/<sha256>.h5", "GET", perm="read", tag="calib")
    def version_h5(version_id, sha256):
        """One version as a self-contained HDF5 file in the store's format."""
        version = _version(version_id, sha256)
        name = f"{version.range.file.detname}-{version.range.ctype}-v{version.versind}.h5"
        return HTTPResponse(one_version_h5(store(), version), headers={
            "Content-Type": "application/x-hdf5", "ETag": f'"{version.sha256}-h5"', "Cache-Control": IMMUTABLE,
            "Content-Disposition": f'attachment; filename="{name}"'})

    @api.route("/calib/<detname>", "GET", perm="read", tag="calib")
    def detector(detname):
        """Everything indexed for one detector: work-spaces, types, ranges and versions."""
        split_detname(detname)
        versions = (CalibVersion.with_file()
                    .where(CalibFile.detname == detname)
                    .order_by(CalibFile.workspace, CalibRange.ctype, CalibRange.begin_ns, CalibVersion.versind))
        tree = {}
        for v in versions:
            ranges = tree.setdefault(v.range.file.workspace, {}).setdefault(v.range.ctype, {})
            entry = ranges.setdefault(v.range.name, {**v.range.to_dict(), "versions": [],
                                                     "default_versind": _default_of(v.range_id)})
            entry["versions"].append({**v.to_dict(), "url": version_url(v) + ".npy",
                                      "default": v.versind == entry["default_versind"]})
        if not tree:
            raise not_found(f"The store holds no constants for {detname}.")
        return {"ok": True, "detname": detname,
                "workspaces": {w: {c: list(r.values()) for c, r in types.items()} for w, types in tree.items()}}

    @api.route("/calib/<detname>/history", "GET", perm="read", tag="calib",
               query=(("workspace", "repository (default), experiment:<exp> or sandbox:<exp>:<user>"),
                      ("ctype", "a calibration type"), ("range", "a range name, e.g. 1000-end"),
                      ("version", "a version name")))
    def history(detname):
        """The history records of a detector's file, or of one type, range or version in it."""
        path = parse_workspace(query.text("workspace")).file_for(store().root, detname)
        where = "/".join(p for p in (query.text("ctype"), query.text("range"), query.text("version")) if p)
        if not path.is_file():
            raise not_found(f"The store holds no file for {detname}.")
        with h5file.reading(path) as h5:
            if where and where not in h5:
                raise not_found(f"{detname} holds no {where}.")
            records = h5file.read_json_attr(h5[where] if where else h5, "history")
        return {"ok": True, "detname": detname, "path": where or "/",
                "history": [{"time": stamp, "record": text} for stamp, text in sorted(records.items())]}

    @api.route("/calib/<detname>/<ctype>", "GET", perm="read", tag="calib", query=LOOKUP)
    def lookup(detname, ctype):
        """The constants that apply: metadata as JSON, or the array as .npy."""
        t, experiment = query.text("t"), query.text("experiment")
        if query.text("run") is not None:
            if t is not None or experiment is None:
                raise bad_request("Give either t, or run together with experiment.")
            t = (experiment, query.whole("run", digits=9))
        if t is None:
            raise bad_request("Say when: the query parameter t (Unix seconds or ISO 8601) is required.")
        fmt = query.text("format") or ("npy" if "application/octet-stream" in (request.get_header("Accept") or "")
                                   else "json")
        if fmt not in ("json", "npy"):
            raise bad_request(f"The format must be json or npy, not {fmt!r}.")
        calib = store()
        version = calib.lookup(detname, ctype, t, as_of=query.text("as_of"), version=query.text("version"),
                               versind=query.whole("versind", digits=9), set_name=query.text("set"),
                               workspace=query.text("workspace"), experiment=experiment)
        if version is None:
            when = f"run {t[1]} of {t[0]}" if isinstance(t, tuple) else iso(to_ns(t))
            raise not_found(f"No {ctype} constants of {detname} apply at {when}.")
        if fmt == "npy":
            return _array_response(calib, version, "no-cache")
        return {"ok": True, **describe(version), "set": version.via_set}

    @api.route("/calib/<detname>/<ctype>", "POST", perm="calib.write", tag="calib", query=UPLOAD)
    def upload(detname, ctype, settings, principal, actor):
        """Add a version: a .npy body (geometry: UTF-8 text) with the metadata in the query, or
        multipart/form-data with a part `metadata` (JSON: begin, end, workspace, comment, pars, force,
        allow_nonfinite) and a part `array` (the .npy file, or the geometry text)."""
        if (request.content_type or "").lower().startswith("multipart/form-data"):
            data, meta = _multipart(settings, ctype)
        else:
            data, meta = _raw_upload(settings, ctype), {
                "begin": query.text("begin"), "end": query.text("end"), "workspace": query.text("workspace"),
                "comment": query.text("comment") or "", "force": query.flag("force"),
                "allow_nonfinite": query.flag("allow_nonfinite"), "runs": query.text("runs"),
                "experiment": query.text("experiment")}
        if meta.get("runs") is not None:
            if meta.get("begin") is not None or not meta.get("experiment"):
                raise bad_request("Give the validity either as begin (and end) or as runs with experiment.")
            meta["begin"], meta["end"] = run_validity(meta["experiment"], meta["runs"])
        if meta.get("begin") is None:
            raise bad_request("Say from when the constants are valid: the query parameter begin is required.")
        parents = check_parents(meta.get("parents") or [])
        made_from = describe_provenance(actor, parents=parents, parameters={"upload": True}) if parents else None
        space = parse_workspace(meta.get("workspace"))
        check_write(principal, space)
        try:
            version = store().put(actor, detname, ctype, data, meta["begin"], meta.get("end"), workspace=space.name,
                                  comment=meta.get("comment") or "", pars=meta.get("pars"),
                                  force=bool(meta.get("force")), allow_nonfinite=bool(meta.get("allow_nonfinite")),
                                  provenance=made_from)
        except OSError as error:
            raise DcsError(500, f"The calibration file could not be written: {error.strerror}.") from None
        response.status = 201
        response.set_header("Location", version_url(version) + ".npy")
        return {"ok": True, **describe(CalibVersion.get_by_id(version.id))}


def _decode(ctype, raw):
    if ctype == "geometry":
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise bad_request("The geometry text is not valid UTF-8.") from None
    try:
        return np.load(io.BytesIO(raw), allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        raise bad_request(f"The body is not a valid .npy file: {error}.") from None


def _raw_upload(settings, ctype):
    if ctype == "geometry":
        return _decode(ctype, read_body(settings.max_upload, ("text/plain",), "UTF-8 text"))
    return _decode(ctype, read_body(settings.max_upload, NPY_TYPES, "a .npy file"))


METADATA = Body(begin=Str(min_len=1, max_len=64, required=False), end=Str(max_len=64, required=False),
                runs=Str(max_len=40, required=False), experiment=Str(max_len=64, required=False),
                parents=List(Int(minimum=1), max_items=100, required=False),
                workspace=Str(max_len=200, required=False), comment=Str(max_len=2000, default=""),
                pars=Dict(required=False), force=Bool(default=False), allow_nonfinite=Bool(default=False))


def _multipart(settings, ctype):
    meta, array = read_multipart(settings.max_upload, "array", METADATA)
    return _decode(ctype, array.file.read()), meta
