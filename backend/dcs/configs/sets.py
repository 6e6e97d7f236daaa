""""Good" configuration sets: one configuration version per owner (a device or a type default),
approved by experts of the set's group through the shared approval workflow (dcs.approval), the same
one calibration sets go through. An approved set can be applied: every pinned version is activated.
"""

from .. import approval
from ..audit import record
from ..auth.users import get_group
from ..db import database, rows_by_id
from ..errors import bad_request, conflict, forbidden
from ..names import set_name
from ..timeutil import now_ns
from .models import ConfigSet, ConfigSetPin, ConfigVersion
from .versions import activate, active_version, owner_of

MAX_PINS = 20_000


get_set = ConfigSet.named


def list_sets(group=None, state=None):
    sets = ConfigSet.listed(state)
    return list(sets.where(ConfigSet.group == get_group(group)) if group else sets)


def versions_by_id(ids):
    return rows_by_id(ConfigVersion.select(), ids, "configuration version", MAX_PINS)


def snapshot(owners):
    """The version active now of each owner (type:<dettype>, device:<name> or a device name)."""
    out = []
    for text in owners:
        owner = owner_of(text)
        version = active_version(owner.key)
        if version is None:
            raise bad_request(f"{owner.key} has no active configuration to snapshot.",
                              errors=[{"field": "snapshot", "error": f"{owner.key} has none active."}])
        out.append(version)
    return out


def create_set(actor, name, versions=(), description="", group=None, revised_from=None):
    set_name(name, "configuration set")
    owner_group = get_group(group) if group else None
    with database.atomic():
        if ConfigSet.select().where(ConfigSet.name == name).exists():
            raise conflict(f"A configuration set named {name!r} exists already.",
                           errors=[{"field": "name", "error": "Taken."}])
        config_set = ConfigSet.create(name=name, description=description, group=owner_group, created_ns=now_ns(),
                                      created_by=actor.label, revised_from=revised_from)
        pins = {v.owner: v for v in versions}
        for version in pins.values():
            ConfigSetPin.create(set=config_set, owner=version.owner, version=version)
        record(actor, "config.set.create", "config_set", name, f"created configuration set {name}",
               after={"pins": {k: v.number for k, v in pins.items()}, "group": group})
        approval.started(actor, config_set, f"revised from {revised_from}" if revised_from else "")
    return config_set


def pins_of(config_set):
    return list(ConfigVersion.select().join(ConfigSetPin).where(ConfigSetPin.set == config_set)
                .order_by(ConfigVersion.owner))


def change_pins(actor, principal, config_set, add=(), remove=()):
    """Pin versions (replacing the pin of the same owner) and unpin versions of a draft."""
    reason = approval.refusal(principal, config_set, "edit")
    if reason:
        raise (conflict if config_set.state != "draft" else forbidden)(reason)
    adding, removing = versions_by_id(list(add)), set(remove)
    versions_by_id(list(removing))
    with database.atomic():
        current = {v.owner: v for v in pins_of(config_set)}
        current.update({v.owner: v for v in adding})
        kept = [v for v in current.values() if v.id not in removing]
        if len(kept) > MAX_PINS:
            raise bad_request(f"A set pins at most {MAX_PINS} versions.")
        ConfigSetPin.delete().where(ConfigSetPin.set == config_set).execute()
        for version in kept:
            ConfigSetPin.create(set=config_set, owner=version.owner, version=version)
        record(actor, "config.set.pins", "config_set", config_set.name, f"changed the pins of {config_set.name}",
               after={"added": [v.id for v in adding], "removed": sorted(removing)})
    return config_set


def revise(actor, principal, config_set, name):
    reason = approval.refusal(principal, config_set, "revise")
    if reason:
        raise forbidden(reason)
    return create_set(actor, name, pins_of(config_set), config_set.description,
                      config_set.group.name if config_set.group_id else None, revised_from=config_set.name)


def pin_dict(version):
    return {"owner": version.owner, "version_id": version.id, "number": version.number,
            "comment": version.comment, "author": version.author}


def diff(config_set, other):
    """What changes from other to config_set, per owner."""
    mine = {v.owner: v for v in pins_of(config_set)}
    theirs = {v.owner: v for v in pins_of(other)}
    return {"against": other.name,
            "added": [pin_dict(mine[k]) for k in sorted(mine.keys() - theirs.keys())],
            "removed": [pin_dict(theirs[k]) for k in sorted(theirs.keys() - mine.keys())],
            "changed": [{"owner": k, "from": pin_dict(theirs[k]), "to": pin_dict(mine[k])}
                        for k in sorted(mine.keys() & theirs.keys()) if mine[k].id != theirs[k].id],
            "same": sum(1 for k in mine.keys() & theirs.keys() if mine[k].id == theirs[k].id)}


def apply_set(actor, config_set, comment=""):
    """Activate every pinned version not active yet (approved sets only); all or nothing."""
    if config_set.state != "approved":
        raise conflict(f"The configuration set {config_set.name} is {config_set.state}; only an approved set is "
                       "applied to the devices.")
    changed = []
    with database.atomic():
        for version in pins_of(config_set):
            if activate(actor, owner_of(version.owner), version.number, comment, via=f"set {config_set.name}",
                        skip_active=True) is not None:
                changed.append({"owner": version.owner, "number": version.number})
        record(actor, "config.set.apply", "config_set", config_set.name,
               f"applied configuration set {config_set.name}: {len(changed)} configuration(s) activated",
               after={"activated": changed})
    return changed
