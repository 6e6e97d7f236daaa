"""`dcs calib reindex`: rebuild the index from the HDF5 files alone (the files are the truth).

Every `<dettype>/<detname>.h5` of the repository, the experiment work-spaces and the sandboxes is
read under its lock (a hot journal is rolled back first). Rows are matched by work-space, detector,
type, range name and version name, so ids, and with them set pins, survive; versions the files hold
but the index lacks (a writer killed between committing the file and indexing it) are added.
"""

import json
from pathlib import Path

import h5py

from ..db import database
from ..errors import DcsError
from ..names import split_detname
from ..timeutil import NS, now_ns
from . import h5file
from .models import CalibDefault, CalibFile, CalibRange, CalibVersion
from .workspace import Workspace


def calibration_files(root):
    """(Workspace, detname, path) for every calibration file under root."""
    root = Path(root)
    places = [(Workspace("repository"), root)]
    places += [(Workspace("experiment", p.name), p) for p in sorted((root / "_experiments").glob("*")) if p.is_dir()]
    places += [(Workspace("sandbox", p.parent.name, p.name), p)
               for p in sorted((root / "_sandboxes").glob("*/*")) if p.is_dir()]
    for space, folder in places:
        for path in sorted(folder.glob("*/*.h5")):
            detname = path.stem
            try:
                dettype, _ = split_detname(detname)
            except DcsError:
                continue
            if path.parent.name == dettype:
                yield space, detname, path


def reindex(root, progress=None):
    """Bring the index in line with the files. Returns counts of what was added."""
    root = Path(root)
    found = list(calibration_files(root))
    added = {"files": 0, "ranges": 0, "versions": 0}
    for done, (space, detname, path) in enumerate(found, 1):
        with h5file.reading(path) as h5, database.atomic():
            _index_file(root, space, detname, path, h5, added)
        if progress:
            progress(done, len(found))
    return added


def _index_file(root, space, detname, path, h5, added):
    file, created = CalibFile.get_or_create(
        workspace=space.name, detname=detname,
        defaults={"dettype": detname.split("-")[0], "path": str(path.relative_to(root)), "created_ns": now_ns()})
    added["files"] += created
    for ctype, ctype_group in h5.items():
        if not isinstance(ctype_group, h5py.Group):
            continue
        for range_name, range_group in ctype_group.items():
            bounds = h5file.parse_range_name(range_name)
            if bounds is None or not isinstance(range_group, h5py.Group):
                continue
            begin_s, end_s = bounds
            range_, created = CalibRange.get_or_create(
                file=file, ctype=ctype, name=range_name,
                defaults={"begin_ns": begin_s * NS, "end_ns": None if end_s is None else end_s * NS})
            added["ranges"] += created
            _index_versions(path, range_, range_group, added)
            _index_default(range_, range_group)


def _index_versions(path, range_, range_group, added):
    known = {v.name: v for v in CalibVersion.select().where(CalibVersion.range == range_)}
    for name, group in range_group.items():
        if "calib" not in group:
            continue
        deprecated = group.attrs.get("deprecated")
        deprecated_ns = None if deprecated is None else int(round(float(deprecated) * NS))
        if name in known:
            if known[name].deprecated_ns is None and deprecated_ns is not None:
                known[name].deprecated_ns = deprecated_ns
                known[name].save()
            continue
        dataset = group["calib"]
        pars = h5file.read_json_attr(group, "dictpars")
        text = h5py.check_string_dtype(dataset.dtype) is not None
        tsprod_ns = int(group.attrs["tsvers_ns"]) if "tsvers_ns" in group.attrs \
            else int(round(float(group.attrs.get("tsvers", 0)) * NS))
        CalibVersion.create(
            range=range_, versind=int(group.attrs.get("versind", len(known) + 1)), name=name, tsprod_ns=tsprod_ns,
            created_ns=now_ns(), dtype="text" if text else dataset.dtype.str,
            shape=json.dumps([] if text else list(dataset.shape)), nbytes=dataset.id.get_storage_size(),
            data_offset=dataset.id.get_offset(), sha256=str(group.attrs.get("sha256", "")),
            deprecated_ns=deprecated_ns, author=str(pars.get("author", "")), comment=str(pars.get("comment", "")))
        added["versions"] += 1


def _index_default(range_, range_group):
    defaultv = range_group.attrs.get("defaultv", "")
    names = {name: int(group.attrs.get("versind", 0)) for name, group in range_group.items()}
    wanted = names.get(defaultv.decode() if isinstance(defaultv, bytes) else defaultv, 0)
    current = (CalibDefault.select().where(CalibDefault.range == range_)
               .order_by(CalibDefault.set_ns.desc(), CalibDefault.id.desc()).first())
    if (current.versind if current else 0) != wanted:
        CalibDefault.create(range=range_, versind=wanted, set_ns=now_ns())
