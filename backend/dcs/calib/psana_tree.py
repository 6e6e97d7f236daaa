"""Exporting to and importing from psana's calibration tree, with run numbers from the runs table.

    calib/<Group>/<source>/<ctype>/<first run>-<last run|end>.data

A detector's psana source (e.g. `XppGon.0:Cspad.0`) is its alias in an `.als` file; the group comes
from its type (cspad -> CsPad::CalibV1). Export resolves every run of the experiment and writes one
file per stretch of consecutive runs that get the same version (the last stretch open: `end`).
Import reads such a tree with psana's rule (files not named `<int>-<int|end>.data` are ignored) and
stores each file as a version valid from its first run's begin to the next run's begin, so the
store answers every run as psana would have.
"""

import re
from pathlib import Path

from ..errors import bad_request
from ..runs import runs_of
from ..timeutil import NS
from .aliases import read_aliases
from .psana import parse_data_name, read_text, write_text
from .store import CTYPES

GROUPS = {"cspad": "CsPad::CalibV1", "cspad2x2": "CsPad2x2::CalibV1", "pnccd": "PNCCD::CalibV1",
          "epix100a": "Epix100a::CalibV1", "epix10ka": "Epix10ka::CalibV1", "jungfrau": "Jungfrau::CalibV1",
          "opal": "Camera::CalibV1"}
SOURCE = re.compile(r"[A-Za-z0-9]+\.\d+:[A-Za-z0-9]+\.\d+")


def sources(calib_dir):
    """{psana source: detname} from the .als files of a calibration directory."""
    found = {}
    for als in sorted(Path(calib_dir).glob("*/*.als")):
        for alias, detname in read_aliases(als).items():
            if SOURCE.fullmatch(alias):
                found[alias] = detname
    return found


def export_tree(calib_store, experiment, out, set_name=None, only=None):
    """Write the psana tree of every aliased detector for the experiment's runs. Returns the files written.

    set_name: resolve with that set; only: the version ids that may be written (a set's pins)."""
    runs = runs_of(experiment)
    if not runs:
        raise bad_request(f"The experiment {experiment} has no runs to export constants for.")
    written = []
    for source, detname in sources(calib_store.root).items():
        group = GROUPS.get(detname.split("-")[0])
        if group is None:
            continue
        for ctype in CTYPES:
            if ctype == "geometry":
                continue
            stretches = []  # [first run, last run, version]
            for run in runs:
                version = calib_store.lookup(detname, ctype, (experiment, run.number),
                                             workspace=f"experiment:{experiment}", set_name=set_name or "none")
                if version is None or (only is not None and version.id not in only):
                    stretches.append(None)
                elif stretches and stretches[-1] and stretches[-1][2].id == version.id:
                    stretches[-1][1] = run.number
                else:
                    stretches.append([run.number, run.number, version])
            kept = [s for s in stretches if s]
            for index, (first, last, version) in enumerate(kept):
                open_end = index == len(kept) - 1 and stretches[-1] is not None
                path = Path(out) / group / source / ctype / f"{first}-{'end' if open_end else last}.data"
                path.parent.mkdir(parents=True, exist_ok=True)
                comments = {"DETNAME": detname, "CTYPE": ctype, "RANGE": version.range.name,
                            "VERSION": version.versind, "SHA256": version.sha256, "EXPERIMENT": experiment}
                path.write_text(write_text(calib_store.read(version), comments))
                written.append(path)
    return written


def import_tree(calib_store, actor, tree, experiment, workspace=None):
    """Store every psana .data file of the tree as a version. Returns (stored, skipped reasons)."""
    runs = {run.number: run for run in runs_of(experiment)}
    numbers = sorted(runs)
    known = sources(calib_store.root)
    workspace = workspace or f"experiment:{experiment}"
    stored, skipped = [], []
    for ctype_dir in sorted(Path(tree).glob("*/*/*")):
        group, source, ctype = ctype_dir.parent.parent.name, ctype_dir.parent.name, ctype_dir.name
        if not ctype_dir.is_dir():
            continue
        detname = known.get(source)
        if detname is None:
            skipped.append(f"{group}/{source}: no .als alias names its detector")
            continue
        if ctype not in CTYPES:
            skipped.append(f"{group}/{source}/{ctype}: not a known calibration type")
            continue
        entries = sorted(((parsed, f) for f in ctype_dir.iterdir() if (parsed := parse_data_name(f.name))),
                         key=lambda item: (item[0][0], -1 if item[0][1] is None else item[0][1]))
        for (first, last), path in entries:
            if first not in runs:
                skipped.append(f"{path.relative_to(tree)}: run {first} of {experiment} is not known")
                continue
            begin_s = runs[first].begin_ns // NS
            following = [n for n in numbers if last is not None and n > last]
            end_s = None if last is None or not following else -(-runs[following[0]].begin_ns // NS)
            array, comments = read_text(path.read_text(), str(path.relative_to(tree)))
            stored.append(calib_store.put(actor, detname, ctype, array, begin_s, end_s, workspace=workspace,
                                          comment=f"imported from psana {path.relative_to(tree)}",
                                          pars={"psana_file": str(path.relative_to(tree)), "psana": comments},
                                          force=True, allow_nonfinite=True))
    return stored, skipped
