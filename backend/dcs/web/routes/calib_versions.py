"""One calibration version: its description with provenance, the provenance graph, and comparisons."""

import numpy as np
from bottle import HTTPResponse

from ...calib import provenance
from ...calib.compare import compare, difference
from ...calib.models import CalibVersion
from ...errors import bad_request, not_found
from .. import query
from .calib import describe, npy_bytes, store

COMPARE = (("a", "a version id"), ("b", "a version id (default: a's predecessor, compared against it)"),
           ("threshold", "a pixel counts as changed when |b - a| is above this (default 0)"),
           ("bins", "histogram bins (default 50, at most 1000)"),
           ("a_set", "instead of ids: the set giving a"), ("b_set", "the set giving b"),
           ("detname", "with a_set and b_set"), ("ctype", "with a_set and b_set"), ("t", "with a_set and b_set"))


def version_by_id(version_id):
    version = CalibVersion.find(version_id)
    if version is None:
        raise not_found(f"There is no calibration version {version_id}.")
    return version


def _id(name, required=True):
    value = query.whole(name, digits=18)
    if value is None and required:
        raise bad_request(f"The query parameter {name} (a version id) is required.")
    return None if value is None else version_by_id(value)


def _threshold():
    text = query.text("threshold")
    try:
        value = 0.0 if text is None else float(text)
    except ValueError:
        raise bad_request(f"The threshold must be a number, not {text!r}.") from None
    return value


def _pair(calib):
    """The two versions a comparison names: by ids, or what two sets pin for one detector, ctype and time."""
    if query.text("a_set") or query.text("b_set"):
        names = [query.text(k) for k in ("a_set", "b_set", "detname", "ctype", "t")]
        if not all(names):
            raise bad_request("Comparing two sets needs a_set, b_set, detname, ctype and t.")
        a_set, b_set, detname, ctype, t = names
        found = [calib.lookup(detname, ctype, t, set_name=s) for s in (a_set, b_set)]
        for name, version in zip((a_set, b_set), found):
            if version is None:
                raise not_found(f"No {ctype} constants of {detname} apply at {t} with the set {name}.")
        return found
    return _id("a"), _id("b", required=False)


def register(api):
    @api.route("/calib/versions/<version_id:int>", "GET", perm="read", tag="calib")
    def version(version_id):
        """A version with its range, work-space, predecessor and provenance."""
        found = version_by_id(version_id)
        before = provenance.predecessor(found)
        return {"ok": True, **describe(found), "provenance": provenance.of(found),
                "predecessor": {"id": before.id, "versind": before.versind} if before else None}

    @api.route("/calib/versions/<version_id:int>/provenance", "GET", perm="read", tag="calib")
    def provenance_graph(version_id):
        """The graph from a version back to its inputs: runs, files, jobs and parent versions."""
        return {"ok": True, **provenance.graph(version_by_id(version_id))}

    @api.route("/calib/compare", "GET", perm="read", tag="calib", query=COMPARE)
    def comparison():
        """Statistics of b - a overall and per panel, and histograms of the difference and of both arrays."""
        calib = store()
        a, b = _pair(calib)
        a, b, result = compare(calib, a, b, _threshold(), query.whole("bins", 50, digits=4))
        return {"ok": True, "a": describe(a), "b": describe(b), **result}

    @api.route("/calib/compare/diff.npy", "GET", perm="read", tag="calib", query=COMPARE[:2])
    def difference_npy():
        """b - a as a float32 .npy (for the difference heatmap)."""
        calib = store()
        a, b = _pair(calib)
        if b is None:
            b, a = a, provenance.predecessor(a)
            if a is None:
                raise bad_request("This version is the first of its range; there is no predecessor.")
        _, _, diff = difference(calib, a, b)
        return HTTPResponse(npy_bytes(diff.astype(np.float32)), headers={
            "Content-Type": "application/octet-stream", "Cache-Control": "private, max-age=3600",
            "Content-Disposition": f'attachment; filename="diff-{a.id}-{b.id}.npy"'})
