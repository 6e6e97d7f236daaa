"""Aliases of detector names in `.als` files, one per detector-type folder of a calibration directory.

    # <alias> <detname>
    Camp.0:pnCCD.1   pnccd-12345678
    cspad1           cspad-0001

Blank lines and `#` comments are ignored. (The portal's time-dependent alias table comes with the
device topology.)
"""

from pathlib import Path

from ..errors import DcsError
from ..names import split_detname


def read_aliases(path):
    aliases = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            parts = line.split()
            if len(parts) == 2:
                aliases[parts[0]] = parts[1]
    return aliases


def resolve_alias(calib_dir, name):
    """A detector name for name: itself when it is one, else what an .als file maps it to, else None."""
    try:
        split_detname(name)
        return name
    except DcsError:
        pass
    for als in sorted(Path(calib_dir).glob("*/*.als")):
        detname = read_aliases(als).get(name)
        if detname is not None:
            try:
                split_detname(detname)
            except DcsError:
                continue
            return detname
    return None
