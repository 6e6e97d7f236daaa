"""Where a device was when: instrument, hatch and experiment over a period. Detectors move between
hatches, instruments and experiments; the periods of one device never overlap."""

from ..audit import record
from ..db import database
from ..errors import conflict, not_found
from ..names import EXPERIMENT
from ..timeutil import iso, now_ns, to_ns
from .devices import check_label, invalid
from .models import Placement

FOREVER = 2**63 - 1


def _where(instrument, hatch, experiment):
    for value, field in ((instrument, "instrument"), (hatch, "hatch")):
        if value:
            check_label(value, field, field)
    if experiment and (not isinstance(experiment, str) or not EXPERIMENT.fullmatch(experiment)):
        raise invalid("experiment", f"The experiment {experiment!r} is not valid: 1 to 64 letters, digits, '_' "
                                    "or '-'.")
    if not (instrument or experiment):
        raise invalid("instrument", "A placement names an instrument, an experiment or both.")


def _end(begin_ns, end):
    end_ns = None if end in (None, "") else to_ns(end, "end time", "end")
    if end_ns is not None and end_ns <= begin_ns:
        raise invalid("end", "The placement ends before or when it begins.")
    return end_ns


def _period(begin, end):
    begin_ns = to_ns(begin, "begin time", "begin")
    return begin_ns, _end(begin_ns, end)


def _overlap(device, begin_ns, end_ns, other_than=None):
    query = Placement.select().where(Placement.device == device,
                                     Placement.begin_ns < (end_ns if end_ns is not None else FOREVER),
                                     Placement.end_ns.is_null() | (Placement.end_ns > begin_ns))
    if other_than is not None:
        query = query.where(Placement.id != other_than)
    clash = query.first()
    if clash is not None:
        where = clash.experiment or clash.instrument
        raise conflict(f"{device.name} is placed in {where} from {iso(clash.begin_ns)} to "
                       f"{iso(clash.end_ns) or 'now on'}; placements of one device must not overlap "
                       "(end that one first, or move the device).",
                       errors=[{"field": "begin", "error": "Overlaps another placement of this device."}])


def add_placement(actor, device, begin, end=None, instrument="", hatch="", experiment="", note="", move=False):
    """Place device over [begin, end). move: first end the placement open at begin (the device moves)."""
    _where(instrument, hatch, experiment)
    begin_ns, end_ns = _period(begin, end)
    if not isinstance(note, str) or len(note) > 200:
        raise invalid("note", "The note is text of at most 200 characters.")
    with database.atomic():
        if move:
            current = (Placement.select().where(Placement.device == device, Placement.begin_ns < begin_ns,
                                                Placement.end_ns.is_null()).first())
            if current is not None:
                before = current.to_dict()
                current.end_ns = begin_ns
                current.save()
                record(actor, "placement.update", "device", device.name, f"{device.name} moved: left "
                       f"{current.experiment or current.instrument} at {iso(begin_ns)}", before=before,
                       after=current.to_dict())
        _overlap(device, begin_ns, end_ns)
        row = Placement.create(device=device, instrument=instrument or "", hatch=hatch or "",
                               experiment=experiment or "", begin_ns=begin_ns, end_ns=end_ns, note=note)
        record(actor, "placement.create", "device", device.name,
               f"placed {device.name} in {experiment or instrument} from {iso(begin_ns)}", after=row.to_dict())
    return row


def get_placement(device, placement_id):
    row = Placement.get_or_none(Placement.id == placement_id, Placement.device == device)
    if row is None:
        raise not_found(f"{device.name} has no placement {placement_id}.")
    return row


def end_placement(actor, row, end):
    begin_ns, end_ns = row.begin_ns, _end(row.begin_ns, end)
    with database.atomic():
        _overlap(row.device, begin_ns, end_ns, other_than=row.id)
        before = row.to_dict()
        row.end_ns = end_ns
        row.save()
        record(actor, "placement.update", "device", row.device.name,
               f"{row.device.name} left {row.experiment or row.instrument} at {iso(end_ns)}", before=before,
               after=row.to_dict())
    return row


def delete_placement(actor, row):
    with database.atomic():
        before = row.to_dict()
        row.delete_instance()
        record(actor, "placement.delete", "device", before["device"], f"removed a placement of {before['device']}",
               before=before)


def placements_of(device):
    return [p.to_dict() for p in device.placements.order_by(Placement.begin_ns)]


def placed_at(t_ns=None, experiment=None):
    """{device_id: placement} for the placements open at t (now by default), of one experiment if given."""
    t_ns = now_ns() if t_ns is None else t_ns
    query = Placement.select().where(Placement.begin_ns <= t_ns,
                                     Placement.end_ns.is_null() | (Placement.end_ns > t_ns))
    if experiment:
        query = query.where(Placement.experiment == experiment)
    return {p.device_id: p for p in query}


def experiments():
    return [row[0] for row in Placement.select(Placement.experiment).where(Placement.experiment != "")
            .distinct().order_by(Placement.experiment).tuples()]
