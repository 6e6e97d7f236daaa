"""An approved set exported for farm jobs that read files instead of asking the server.

- one self-contained HDF5 bundle: the root says which set it is; under it one group per detector laid
  out exactly like a detector's file (ctype / range / version / calib), holding only the pinned versions;
- a psana calibration tree of the pinned versions, for the experiment's runs.
"""

import io
import tarfile
import tempfile
from pathlib import Path

import h5py

from ..errors import bad_request
from ..timeutil import iso
from . import h5file
from .psana_tree import export_tree
from .sets import pins_of


def check_exportable(calib_set):
    if calib_set.state not in ("approved", "superseded"):
        raise bad_request(f"The set {calib_set.name} is {calib_set.state}; only approved sets are exported for "
                          "analysis.")


def write_bundle(store, calib_set, out):
    """Write the set's pinned versions to the HDF5 file out. Returns the number of versions written."""
    check_exportable(calib_set)
    pins = pins_of(calib_set)
    with h5py.File(out, "w", libver=h5file.LIBVER) as h5:
        h5.attrs["calib_set"] = calib_set.name
        h5.attrs["experiment"] = calib_set.experiment.name if calib_set.experiment_id else ""
        h5.attrs["state"] = calib_set.state
        h5.attrs["approved_by"] = calib_set.decided_by or ""
        h5.attrs["approved"] = iso(calib_set.decided_ns) or ""
        for version in pins:
            range_ = version.range
            detname = range_.file.detname
            group = h5.require_group(detname)
            written = h5file.add_version(
                group, detname, range_.ctype, range_.begin_ns // 10**9,
                None if range_.end_ns is None else range_.end_ns // 10**9, store.read(version), version.tsprod_ns,
                {"comment": version.comment, "author": version.author, "workspace": range_.file.workspace,
                 "versind_in_store": version.versind},
                f"exported with set {calib_set.name}", version.created_ns)
            if written.sha256 != version.sha256:
                raise bad_request(f"{detname} {range_.ctype} {range_.name} v{version.versind} does not match its "
                                  "checksum; run `dcs calib verify`.")
    return len(pins)


def psana_tar(store, calib_set):
    """The set's psana tree as .tar.gz bytes (under calib/)."""
    check_exportable(calib_set)
    if not calib_set.experiment_id:
        raise bad_request(f"The set {calib_set.name} belongs to no experiment, so it has no runs to name files by.")
    with tempfile.TemporaryDirectory() as folder:
        written = export_tree(store, calib_set.experiment.name, folder, set_name=calib_set.name,
                              only={v.id for v in pins_of(calib_set)})
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
            for path in written:
                tar.add(path, arcname=str(Path("calib") / Path(path).relative_to(folder)))
    return buffer.getvalue(), len(written)
