"""Calibration sets: a set pins one version per (detector, ctype, range) it covers, like a global tag.

A lookup naming the set takes its pin first. Sets go through the shared approval workflow
(approval.py): drafts are edited, proposed, then approved (the experiment's latest approved set is
the default of that experiment's lookups) or rejected; approved and rejected sets are frozen and a
change makes a new draft (`revise`).
"""

from .. import approval
from ..audit import record
from ..db import database, rows_by_id
from ..errors import bad_request, conflict, forbidden
from ..names import set_name
from ..runs import Experiment, get_experiment
from ..timeutil import now_ns
from .models import CalibFile, CalibRange, CalibSet, CalibSetPin, CalibVersion
from .resolve import FAR_FUTURE, pick_version
from .workspace import parse_workspace

MAX_PINS = 100_000


def check_name(name):
    set_name(name, "set")
    if name == "none":
        raise bad_request("The set name 'none' is reserved (it asks a lookup for no set).",
                          errors=[{"field": "name", "error": "Reserved."}])
    return name


get_set = CalibSet.named


def list_sets(experiment=None, state=None):
    sets = CalibSet.listed(state)
    return list(sets.where(CalibSet.experiment == get_experiment(experiment)) if experiment else sets)


def default_set(experiment_name):
    """The experiment's latest approved set (the default of its lookups), or None."""
    return (CalibSet.select(CalibSet.name).join(Experiment)
            .where(Experiment.name == experiment_name, CalibSet.state == "approved")
            .order_by(CalibSet.decided_ns.desc()).scalar())


def _pin_key(version):
    range_ = version.range
    return range_.file.detname, range_.ctype, range_.name


def versions_by_id(ids):
    return rows_by_id(CalibVersion.with_file(), ids, "calibration version", MAX_PINS)


def snapshot(detnames, workspace=None):
    """For each range of each detector (in the work-space and those it falls back to, nearest first),
    the version a lookup picks now: the default, else the newest visible one."""
    chain = parse_workspace(workspace).chain()
    chosen = {}
    for detname in detnames:
        ranges = (CalibRange.select(CalibRange, CalibFile).join(CalibFile)
                  .where(CalibFile.detname == detname, CalibFile.workspace.in_([s.name for s in chain])))
        order = {s.name: i for i, s in enumerate(chain)}
        for range_ in sorted(ranges, key=lambda r: order[r.file.workspace]):
            key = (detname, range_.ctype, range_.name)
            if key not in chosen:
                version = pick_version(range_, FAR_FUTURE)
                if version is not None:
                    chosen[key] = version
        if not any(key[0] == detname for key in chosen):
            raise bad_request(f"{detname} has no constants in {parse_workspace(workspace).name} to snapshot.")
    return list(chosen.values())


def create_set(actor, name, versions=(), description="", experiment=None, revised_from=None):
    """A new draft pinning versions (one per detector, ctype and range: a later one replaces an earlier)."""
    check_name(name)
    owner = get_experiment(experiment) if experiment is not None else None
    with database.atomic():
        if CalibSet.select().where(CalibSet.name == name).exists():
            raise conflict(f"A calibration set named {name!r} exists already.",
                           errors=[{"field": "name", "error": "Taken."}])
        calib_set = CalibSet.create(name=name, description=description, created_ns=now_ns(), experiment=owner,
                                    created_by=actor.label,
                                    revised_from=revised_from)
        pins = {_pin_key(v): v for v in versions}
        for version in pins.values():
            CalibSetPin.create(set=calib_set, version=version)
        record(actor, "calib.set.create", "calib_set", name, f"created calibration set {name}",
               after={"pins": [v.id for v in pins.values()], "experiment": experiment})
        approval.started(actor, calib_set, f"revised from {revised_from}" if revised_from else "")
    return calib_set


def pins_of(calib_set):
    return list(CalibVersion.select(CalibVersion, CalibRange, CalibFile).join(CalibSetPin)
                .switch(CalibVersion).join(CalibRange).join(CalibFile)
                .where(CalibSetPin.set == calib_set)
                .order_by(CalibFile.detname, CalibRange.ctype, CalibRange.begin_ns, CalibFile.workspace))


def change_pins(actor, principal, calib_set, add=(), remove=()):
    """Add (replacing the pin of the same detector, ctype and range) and remove pins of a draft."""
    reason = approval.refusal(principal, calib_set, "edit")
    if reason:
        raise (conflict if calib_set.state != "draft" else forbidden)(reason)
    adding, removing = versions_by_id(list(add)), set(remove)
    versions_by_id(list(removing))
    with database.atomic():
        current = {_pin_key(v): v for v in pins_of(calib_set)}
        for version in adding:
            current[_pin_key(version)] = version
        kept = {key: v for key, v in current.items() if v.id not in removing}
        if len(kept) > MAX_PINS:
            raise bad_request(f"A set pins at most {MAX_PINS} versions.")
        CalibSetPin.delete().where(CalibSetPin.set == calib_set).execute()
        for version in kept.values():
            CalibSetPin.create(set=calib_set, version=version)
        record(actor, "calib.set.pins", "calib_set", calib_set.name, f"changed the pins of {calib_set.name}",
               after={"added": [v.id for v in adding], "removed": sorted(removing)})
    return calib_set


def revise(actor, principal, calib_set, name):
    """A new draft with the same pins (how an approved or rejected set is changed)."""
    reason = approval.refusal(principal, calib_set, "revise")
    if reason:
        raise forbidden(reason)
    return create_set(actor, name, pins_of(calib_set), calib_set.description,
                      calib_set.experiment.name if calib_set.experiment_id else None, revised_from=calib_set.name)


def pin_dict(version):
    range_ = version.range
    return {"version_id": version.id, "detname": range_.file.detname, "workspace": range_.file.workspace,
            "ctype": range_.ctype, "range": range_.to_dict(), "version": {"id": version.id, **version.to_dict()},
            "url": f"/api/calib/versions/{version.id}/{version.sha256}.npy"}


def diff(calib_set, other):
    """What changes from other to calib_set, per (detector, ctype, range)."""
    mine = {_pin_key(v): v for v in pins_of(calib_set)}
    theirs = {_pin_key(v): v for v in pins_of(other)}
    changed = [{"detname": k[0], "ctype": k[1], "range": mine[k].range.to_dict(), "from": pin_dict(theirs[k]),
                "to": pin_dict(mine[k])}
               for k in sorted(mine.keys() & theirs.keys()) if mine[k].id != theirs[k].id]
    return {"against": other.name,
            "added": [pin_dict(mine[k]) for k in sorted(mine.keys() - theirs.keys())],
            "removed": [pin_dict(theirs[k]) for k in sorted(theirs.keys() - mine.keys())],
            "changed": changed, "same": sum(1 for k in mine.keys() & theirs.keys() if mine[k].id == theirs[k].id)}
