"""Aliases of detector names in `.als` files, one per detector-type folder of a calibration directory.

    # <alias> <detname>
    Camp.0:pnCCD.1   pnccd-12345678
    cspad1           cspad-0001

Blank lines and `#` comments are ignored. The portal also keeps time-dependent aliases in its
database (`alias, detname, begin, end`, dcs.topology.aliases): a source that pointed at one detector
until a swap and at another after it resolves to the right one at each lookup's time. The table wins
over `.als` files.
"""

from pathlib import Path

from ..db import database
from ..errors import DcsError
from ..names import split_detname
from ..topology.aliases import alias_at


def read_aliases(path):
    aliases = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            parts = line.split()
            if len(parts) == 2:
                aliases[parts[0]] = parts[1]
    return aliases


def resolve_alias(calib_dir, name, t_ns=None):
    """A detector name for name: itself when it is one, else what the alias table (at t) or an .als file
    maps it to, else None."""
    try:
        split_detname(name)
        return name
    except DcsError:
        pass
    if t_ns is not None and database.obj is not None:
        found = alias_at(name, t_ns)
        if found is not None:
            return found
    for als in sorted(Path(calib_dir).glob("*/*.als")):
        detname = read_aliases(als).get(name)
        if detname is not None:
            try:
                split_detname(detname)
            except DcsError:
                continue
            return detname
    return None
