"""Moving constants between files: squeeze, transfer and diff.

- squeeze: a self-contained copy of one detector's file holding only the ranges that overlap a time
  window (an experiment's), with their versions, defaults, parameters and history;
- transfer: copy versions from one work-space to another; each arrives as a new version of the
  destination (with its own versind) that keeps its production time, parameters and history, plus a
  record of where it came from;
- diff: what differs between two files: types, ranges and versions on one side only, and for the
  versions both hold under the same name but with other data, statistics of the difference.
"""

from pathlib import Path

import h5py
import numpy as np

from ..errors import bad_request, conflict
from ..timeutil import NS, iso, to_ns
from . import h5file
from .models import CalibFile, CalibRange, CalibVersion
from .workspace import parse_workspace


def _overlaps(range_name, begin_s, end_s):
    bounds = h5file.parse_range_name(range_name)
    if bounds is None:
        return False
    rbegin, rend = bounds
    return (rend is None or rend > begin_s) and (end_s is None or rbegin < end_s)


def squeeze(source, destination, begin, end=None):
    """Write destination: source's root and only the ranges overlapping [begin, end). Returns the range count."""
    begin_s = to_ns(begin, "begin time") // NS
    end_s = None if end is None else to_ns(end, "end time") // NS
    destination = Path(destination)
    if destination.exists():
        raise conflict(f"{destination} exists already; name a new file.")
    copied = 0
    with h5file.reading(source) as src, h5py.File(destination, "w", libver=h5file.LIBVER) as dst:
        for key, value in src.attrs.items():
            dst.attrs[key] = value
        for ctype, group in src.items():
            keep = [name for name in group if _overlaps(name, begin_s, end_s)]
            if not keep:
                continue
            target = dst.create_group(ctype)
            for key, value in group.attrs.items():
                target.attrs[key] = value
            for name in keep:
                src.copy(group[name], target, name=name)
                copied += 1
        h5file.add_history(dst, f"squeezed from {Path(source).name} for {begin_s}-{end_s or 'end'}")
    return copied


def transfer(calib_store, actor, detname, ctype, source, target, begin=None, end=None, versind=None, force=False):
    """Copy the visible versions of detname/ctype (optionally one range, one versind) from source to target."""
    src_space, dst_space = parse_workspace(source), parse_workspace(target)
    if src_space == dst_space:
        raise bad_request("Transfer needs two different work-spaces.")
    query = (CalibVersion.with_file()
             .where(CalibFile.workspace == src_space.name, CalibFile.detname == detname, CalibRange.ctype == ctype,
                    CalibVersion.deprecated_ns.is_null())
             .order_by(CalibRange.begin_ns, CalibVersion.versind))
    if begin is not None:
        query = query.where(CalibRange.begin_ns == to_ns(begin, "begin time"))
    if end is not None:
        query = query.where(CalibRange.end_ns == to_ns(end, "end time"))
    if versind is not None:
        query = query.where(CalibVersion.versind == versind)
    versions = list(query)
    if not versions:
        raise bad_request(f"{src_space.name} holds no {ctype} versions of {detname} to transfer.")
    copies = []
    for version in versions:
        range_ = version.range
        with h5file.reading(calib_store.root / range_.file.path) as h5:
            group = h5[f"{ctype}/{range_.name}/{version.name}"]
            pars = h5file.read_json_attr(group, "dictpars")
            history = h5file.read_json_attr(group, "history")
        for key in ("dtype", "ndim", "shape", "comment", "author"):
            pars.pop(key, None)
        pars["transferred_from"] = f"{src_space.name} {range_.name} version {version.versind} ({version.sha256})"
        copy = calib_store.put(actor, detname, ctype, calib_store.read(version), range_.begin_ns // NS,
                               None if range_.end_ns is None else range_.end_ns // NS, workspace=dst_space.name,
                               tsprod=iso(version.tsprod_ns), comment=version.comment, pars=pars,
                               force=force, allow_nonfinite=True, history=history)
        copies.append(copy)
    return copies


def _stats(a, b, threshold):
    if isinstance(a, str) or isinstance(b, str) or np.shape(a) != np.shape(b):
        return {"comparable": False, "shapes": [list(np.shape(a)), list(np.shape(b))]}
    difference = np.asarray(b, dtype="f8") - np.asarray(a, dtype="f8")
    return {"comparable": True, "mean": float(difference.mean()), "std": float(difference.std()),
            "min": float(difference.min()), "max": float(difference.max()),
            "changed": int(np.count_nonzero(np.abs(difference) > threshold)), "pixels": int(difference.size)}


def _outline(h5):
    return {ctype: {rname: {vname: str(v.attrs.get("sha256", "")) for vname, v in rgroup.items()}
                    for rname, rgroup in group.items()} for ctype, group in h5.items()}


def diff(path_a, path_b, threshold=0.0):
    """What differs between two calibration files (see the module's docstring)."""
    result = {"only_in_a": [], "only_in_b": [], "changed": []}
    with h5file.reading(path_a) as a, h5file.reading(path_b) as b:
        left, right = _outline(a), _outline(b)
        for side, one, other in (("only_in_a", left, right), ("only_in_b", right, left)):
            for ctype, ranges in one.items():
                for rname, versions in ranges.items():
                    for vname in versions:
                        if vname not in other.get(ctype, {}).get(rname, {}):
                            result[side].append(f"{ctype}/{rname}/{vname}")
        for ctype, ranges in left.items():
            for rname, versions in ranges.items():
                for vname, sha in versions.items():
                    other = right.get(ctype, {}).get(rname, {}).get(vname)
                    if other is not None and other != sha:
                        path = f"{ctype}/{rname}/{vname}/calib"
                        stats = _stats(h5file.read_array(a, path), h5file.read_array(b, path), threshold)
                        result["changed"].append({"version": f"{ctype}/{rname}/{vname}", **stats})
    return result
