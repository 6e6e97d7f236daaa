"""Aliases of detector names in `.als` files, one per detector-type folder of a calibration directory.

    # <alias> <detname>
    Camp.0:pnCCD.1   pnccd-12345678
    cspad1           cspad-0001

Blank lines and `#` comments are ignored. The portal also keeps time-dependent aliases in its
database (`alias, detname, begin, end`): a source that pointed at one detector until a swap and at
another after it resolves to the right one at each lookup's time. The table wins over `.als` files.
"""

import re
from pathlib import Path

import peewee

from ..audit import record
from ..db import Model, database
from ..errors import DcsError, bad_request, conflict
from ..names import split_detname
from ..timeutil import iso, to_ns

ALIAS = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,199}")


class DetectorAlias(Model):
    alias = peewee.CharField(max_length=200)
    detname = peewee.CharField(max_length=200)
    begin_ns = peewee.BigIntegerField()
    end_ns = peewee.BigIntegerField(null=True)

    class Meta:
        table_name = "detector_aliases"

    def to_dict(self):
        return {"alias": self.alias, "detname": self.detname, "begin": iso(self.begin_ns), "end": iso(self.end_ns)}


def add_alias(actor, alias, detname, begin, end=None):
    if not isinstance(alias, str) or not ALIAS.fullmatch(alias):
        raise bad_request(f"The alias {alias!r} is not valid: letters, digits, '.', '_', ':' or '-'.")
    try:
        split_detname(alias)
    except DcsError:
        pass
    else:
        raise bad_request(f"{alias!r} reads like a detector name itself; an alias must not.")
    split_detname(detname)
    begin_ns = to_ns(begin, "begin time")
    end_ns = None if end is None else to_ns(end, "end time")
    if end_ns is not None and end_ns <= begin_ns:
        raise bad_request("The alias ends before or when it begins.")
    with database.atomic():
        clash = DetectorAlias.select().where(
            DetectorAlias.alias == alias, DetectorAlias.begin_ns < (end_ns if end_ns is not None else 2**63 - 1),
            DetectorAlias.end_ns.is_null() | (DetectorAlias.end_ns > begin_ns)).first()
        if clash is not None:
            raise conflict(f"{alias!r} already names {clash.detname} from {iso(clash.begin_ns)} to "
                           f"{iso(clash.end_ns) or 'the end'}; aliases must not overlap in time.")
        row = DetectorAlias.create(alias=alias, detname=detname, begin_ns=begin_ns, end_ns=end_ns)
        record(actor, "alias.create", "alias", alias, f"{alias} names {detname}", after=row.to_dict())
    return row


def alias_at(alias, t_ns):
    """The detector an alias names at t, from the database, or None."""
    row = (DetectorAlias.select().where(DetectorAlias.alias == alias, DetectorAlias.begin_ns <= t_ns,
                                        DetectorAlias.end_ns.is_null() | (DetectorAlias.end_ns > t_ns))
           .order_by(DetectorAlias.begin_ns.desc()).first())
    return None if row is None else row.detname


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
