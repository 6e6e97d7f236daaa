"""Time-dependent aliases of detector names (`alias, detname, begin, end`), shared by the topology and
the calibration store: `Camp.0:pnCCD.1` names pnccd-12345678 until a swap and pnccd-87654321 after it.
An alias names one detector at a time; overlapping periods of one alias are refused."""

import re

import peewee

from ..audit import record
from ..db import Model, database
from ..errors import DcsError, bad_request, conflict, not_found
from ..names import split_detname
from ..timeutil import iso, to_ns

ALIAS = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,199}")
FOREVER = 2**63 - 1


class DetectorAlias(Model):
    alias = peewee.CharField(max_length=200)
    detname = peewee.CharField(max_length=200)
    begin_ns = peewee.BigIntegerField()
    end_ns = peewee.BigIntegerField(null=True)

    class Meta:
        table_name = "detector_aliases"

    def to_dict(self):
        return {"id": self.id, "alias": self.alias, "detname": self.detname, "begin": iso(self.begin_ns),
                "end": iso(self.end_ns)}


def _field_error(field, message):
    return bad_request(message, errors=[{"field": field, "error": message}])


def check_alias(alias):
    if not isinstance(alias, str) or not ALIAS.fullmatch(alias):
        raise _field_error("alias", f"The alias {alias!r} is not valid: letters, digits, '.', '_', ':' or '-'.")
    try:
        split_detname(alias)
    except DcsError:
        return alias
    raise _field_error("alias", f"{alias!r} reads like a detector name itself; an alias must not.")


def _end(begin_ns, end):
    end_ns = None if end in (None, "") else to_ns(end, "end time", "end")
    if end_ns is not None and end_ns <= begin_ns:
        raise _field_error("end", "The alias ends before or when it begins.")
    return end_ns


def _period(begin, end):
    begin_ns = to_ns(begin, "begin time", "begin")
    return begin_ns, _end(begin_ns, end)


def _clash(alias, begin_ns, end_ns, other_than=None):
    query = DetectorAlias.select().where(
        DetectorAlias.alias == alias, DetectorAlias.begin_ns < (end_ns if end_ns is not None else FOREVER),
        DetectorAlias.end_ns.is_null() | (DetectorAlias.end_ns > begin_ns))
    if other_than is not None:
        query = query.where(DetectorAlias.id != other_than)
    clash = query.first()
    if clash is not None:
        raise conflict(f"{alias!r} already names {clash.detname} from {iso(clash.begin_ns)} to "
                       f"{iso(clash.end_ns) or 'the end'}; aliases must not overlap in time.",
                       errors=[{"field": "begin", "error": "Overlaps another period of this alias."}])


def add_alias(actor, alias, detname, begin, end=None):
    check_alias(alias)
    split_detname(detname)
    begin_ns, end_ns = _period(begin, end)
    with database.atomic():
        _clash(alias, begin_ns, end_ns)
        row = DetectorAlias.create(alias=alias, detname=detname, begin_ns=begin_ns, end_ns=end_ns)
        record(actor, "alias.create", "alias", alias, f"{alias} names {detname}", after=row.to_dict())
    return row


def get_alias(alias_id):
    row = DetectorAlias.get_or_none(DetectorAlias.id == alias_id)
    if row is None:
        raise not_found(f"There is no alias period {alias_id}.")
    return row


def end_alias(actor, row, end):
    """Close (or move the end of) one period of an alias, e.g. when the detector behind it is swapped."""
    begin_ns, end_ns = row.begin_ns, _end(row.begin_ns, end)
    with database.atomic():
        _clash(row.alias, begin_ns, end_ns, other_than=row.id)
        before = row.to_dict()
        row.end_ns = end_ns
        row.save()
        record(actor, "alias.update", "alias", row.alias, f"{row.alias} names {row.detname} until {iso(end_ns)}",
               before=before, after=row.to_dict())
    return row


def delete_alias(actor, row):
    with database.atomic():
        row.delete_instance()
        record(actor, "alias.delete", "alias", row.alias, f"removed {row.alias} -> {row.detname}",
               before=row.to_dict())


def list_aliases(alias=None, detname=None):
    query = DetectorAlias.select().order_by(DetectorAlias.alias, DetectorAlias.begin_ns)
    if alias is not None:
        query = query.where(DetectorAlias.alias == alias)
    if detname is not None:
        query = query.where(DetectorAlias.detname == detname)
    return list(query)


def alias_at(alias, t_ns):
    """The detector an alias names at t, from the database, or None."""
    row = (DetectorAlias.select().where(DetectorAlias.alias == alias, DetectorAlias.begin_ns <= t_ns,
                                        DetectorAlias.end_ns.is_null() | (DetectorAlias.end_ns > t_ns))
           .order_by(DetectorAlias.begin_ns.desc()).first())
    return None if row is None else row.detname
