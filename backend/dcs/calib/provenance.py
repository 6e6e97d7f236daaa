"""What made each version: input runs and files (with checksums), parent versions, software,
parameters, user, host and time.

Kept twice: in the version's dictpars in its HDF5 file (`provenance`, the truth a reindex reads back)
and in the index (`calib_provenance`, `calib_parents`) so the graph from a version back to its inputs
is a few queries. Regenerating with other inputs adds new versions with their own provenance;
nothing is overwritten.
"""

import json
import platform
import socket

import h5py
import numpy as np
import peewee

from .. import __version__
from ..db import Model
from ..errors import bad_request
from ..timeutil import iso, now_ns
from .models import CalibVersion

MAX_GRAPH = 500  # nodes: a graph larger than this is cut, and says so


class CalibProvenance(Model):
    version = peewee.ForeignKeyField(CalibVersion, backref="provenance", on_delete="CASCADE", unique=True)
    job_id = peewee.BigIntegerField(null=True)
    inputs = peewee.TextField()

    class Meta:
        table_name = "calib_provenance"


class CalibParent(Model):
    version = peewee.ForeignKeyField(CalibVersion, backref="parent_links", on_delete="CASCADE")
    parent = peewee.ForeignKeyField(CalibVersion, backref="child_links")

    class Meta:
        table_name = "calib_parents"


def software():
    return f"dcs {__version__}; numpy {np.__version__}; h5py {h5py.__version__}; Python {platform.python_version()}"


def describe(actor, runs=(), files=(), parents=(), parameters=None, job_id=None):
    """A provenance record for a version about to be written."""
    return {"runs": list(runs), "files": list(files), "parents": [int(p) for p in parents],
            "software": software(), "parameters": parameters or {}, "user": actor.label,
            "host": socket.gethostname(), "time": iso(now_ns()), "job": job_id}


def check_parents(parent_ids):
    """Parent versions named by a writer must exist; returns them."""
    if not isinstance(parent_ids, (list, tuple)) or len(parent_ids) > 100 or not all(
            isinstance(p, int) and not isinstance(p, bool) and 0 < p < 2**62 for p in parent_ids):
        raise bad_request("parents must be a list of at most 100 version ids.")
    found = {v.id for v in CalibVersion.select(CalibVersion.id).where(CalibVersion.id.in_(list(parent_ids)))}
    missing = [p for p in parent_ids if p not in found]
    if missing:
        raise bad_request(f"There is no calibration version {missing[0]} to name as a parent.")
    return parent_ids


def save(version, provenance):
    """Index a version's provenance (inside the writer's transaction)."""
    CalibProvenance.create(version=version, job_id=provenance.get("job"), inputs=json.dumps(provenance))
    for parent in dict.fromkeys(provenance.get("parents", ())):
        CalibParent.create(version=version, parent=parent)


def of(version):
    row = CalibProvenance.get_or_none(CalibProvenance.version == version)
    return json.loads(row.inputs) if row else None


def predecessor(version):
    """The version made before this one in the same range (None for the first)."""
    return (CalibVersion.select().where(CalibVersion.range == version.range_id,
                                        CalibVersion.versind < version.versind)
            .order_by(CalibVersion.versind.desc()).first())


def _version_node(version):
    range_ = version.range
    return {"id": f"version:{version.id}", "kind": "version",
            "label": f"{range_.file.detname} {range_.ctype} v{version.versind}",
            "detail": {"version_id": version.id, "detname": range_.file.detname, "ctype": range_.ctype,
                       "range": range_.name, "workspace": range_.file.workspace, "versind": version.versind,
                       "created": iso(version.created_ns), "author": version.author, "sha256": version.sha256}}


def graph(version):
    """Nodes and edges from a version back to everything it was made from (breadth first, bounded)."""
    nodes, edges, seen, queue, cut = {}, [], set(), [version.id], False
    while queue:
        current = queue.pop(0)
        if current in seen:
            continue
        seen.add(current)
        if len(nodes) >= MAX_GRAPH:
            cut = True
            break
        v = CalibVersion.find(current)
        node = _version_node(v)
        nodes[node["id"]] = node
        prov = of(v)
        if prov is None:
            continue
        node["detail"]["software"] = prov.get("software")
        if prov.get("job"):
            job_node = f"job:{prov['job']}"
            nodes.setdefault(job_node, {"id": job_node, "kind": "job", "label": f"job {prov['job']}",
                                        "detail": {"user": prov.get("user"), "host": prov.get("host"),
                                                   "time": prov.get("time"), "parameters": prov.get("parameters")}})
            edges.append({"from": job_node, "to": node["id"], "kind": "made_by"})
        for run in prov.get("runs", ()):
            run_node = f"run:{run['experiment']}/{run['number']}"
            nodes.setdefault(run_node, {"id": run_node, "kind": "run",
                                        "label": f"{run['experiment']} run {run['number']}", "detail": run})
            edges.append({"from": run_node, "to": node["id"], "kind": "input"})
        for file in prov.get("files", ()):
            file_node = f"file:{file['path']}"
            nodes.setdefault(file_node, {"id": file_node, "kind": "file", "label": file["path"], "detail": file})
            edges.append({"from": file_node, "to": node["id"], "kind": "input"})
        for parent in prov.get("parents", ()):
            edges.append({"from": f"version:{parent}", "to": node["id"], "kind": "parent"})
            queue.append(parent)
    known = set(nodes)
    return {"root": f"version:{version.id}", "nodes": list(nodes.values()),
            "edges": [e for e in edges if e["from"] in known and e["to"] in known], "truncated": cut}
