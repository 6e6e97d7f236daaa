"""Configuration versions: saving, activating, rolling back and the effective configuration.

Every save makes a new immutable version (number 1, 2, 3 ... per owner) with its author, comment and
time; nothing is edited in place. Activating a version records when it took effect, so the
configuration of an owner at any time T is the version activated last at or before T. A device's
effective configuration at T is its type's default as active at T with the device's own (as active
at T) laid over it. A rollback is a new version equal to an old one, activated.
"""

import hashlib
import json
from dataclasses import dataclass

from ..audit import record
from ..auth.models import Group
from ..auth.users import require_role
from ..db import database
from ..errors import bad_request, conflict, not_found
from ..timeutil import iso, now_ns
from ..topology.devices import get_device, get_type
from ..topology.models import Device, DeviceType
from . import documents, schema as schemas
from .models import ConfigActivation, ConfigVersion


@dataclass
class Owner:
    kind: str  # "type" or "device"
    device_type: DeviceType
    device: Device = None

    @property
    def key(self):
        return f"device:{self.device.name}" if self.device else f"type:{self.device_type.name}"

    @property
    def label(self):
        return f"the device {self.device.name}" if self.device else f"the default of the {self.device_type.name} type"

    @property
    def group(self):
        """Whose members write it: the device's group, else its type's."""
        if self.device is not None and self.device.group_id is not None:
            return Group.get_by_id(self.device.group_id)
        return Group.get_by_id(self.device_type.group_id) if self.device_type.group_id else None

    def current_type(self):
        """The type as stored now: its schema may have changed since this Owner was made."""
        return DeviceType.get_by_id(self.device_type.id)

    def require(self, principal, wanted):
        require_role(principal, self.group, wanted, self.label)


def owner_of(text):
    """"type:cspad", "device:cspad-0001" or a bare device name -> its Owner (404 when unknown)."""
    if not isinstance(text, str):
        raise bad_request("An owner is type:<dettype> or device:<name>.")
    kind, colon, name = text.partition(":")
    if not colon:
        kind, name = "device", text
    if kind == "type":
        return Owner("type", get_type(name))
    if kind == "device":
        device = get_device(name)
        return Owner("device", device.type, device)
    raise bad_request(f"An owner is type:<dettype> or device:<name>, not {text!r}.")


def owner_for(kind, name):
    """The owner of the /configs/<types|devices>/<name> routes."""
    return owner_of(f"{'type' if kind == 'types' else 'device'}:{name}")


def versions_of(owner):
    return list(ConfigVersion.select().where(ConfigVersion.owner == owner.key).order_by(ConfigVersion.number.desc()))


def latest(owner):
    return ConfigVersion.select().where(ConfigVersion.owner == owner.key).order_by(ConfigVersion.number.desc()).first()


def get_version(owner, number):
    version = (ConfigVersion.get_or_none(ConfigVersion.owner == owner.key, ConfigVersion.number == number)
               if isinstance(number, int) and not isinstance(number, bool) else None)
    if version is None:
        raise not_found(f"{owner.label[0].upper()}{owner.label[1:]} has no configuration version {number!r}.")
    return version


def get_version_by_id(version_id):
    version = ConfigVersion.get_or_none(ConfigVersion.id == version_id)
    if version is None:
        raise not_found(f"There is no configuration version with id {version_id}.")
    return version


def active_version(key, t_ns=None):
    """The version of owner key that was active at t (now by default), or None."""
    query = (ConfigActivation.select(ConfigActivation, ConfigVersion).join(ConfigVersion)
             .where(ConfigActivation.owner == key))
    if t_ns is not None:
        query = query.where(ConfigActivation.at_ns <= t_ns)
    found = query.order_by(ConfigActivation.at_ns.desc(), ConfigActivation.id.desc()).first()
    return found.version if found else None


def activations(owner, limit=200):
    return [a.to_dict() for a in ConfigActivation.select(ConfigActivation, ConfigVersion).join(ConfigVersion)
            .where(ConfigActivation.owner == owner.key)
            .order_by(ConfigActivation.at_ns.desc(), ConfigActivation.id.desc()).limit(limit)]


def effective(device, t_ns=None):
    """{config, type_version, device_version, problems}: what device runs with at t (now by default)."""
    base = active_version(f"type:{device.type.name}", t_ns)
    own = active_version(f"device:{device.name}", t_ns)
    config = documents.overlay(base.config if base else {}, own.config if own else {})
    return {"config": config, "type_version": base.number if base else None,
            "device_version": own.number if own else None, "at": iso(t_ns) if t_ns is not None else None,
            "problems": schemas.problems(device.type.schema, config) if (base or own) else []}


def full_document(owner, document):
    """What the schema judges: a type's default as it is; a device's own laid over its type's active default."""
    if owner.device is None:
        return document
    base = active_version(f"type:{owner.device_type.name}")
    return documents.overlay(base.config if base else {}, document)


def check(owner, document, field="config"):
    """[{field, error}] of the document against the owner's schema (after the overlay for a device)."""
    documents.check_document(document, field)
    return schemas.problems(owner.current_type().schema, full_document(owner, document))


def _activate(actor, owner, version, comment, via, at_ns):
    ConfigActivation.create(owner=owner.key, version=version, at_ns=at_ns, actor=actor.label, comment=comment,
                            via=via)
    record(actor, "config.activate", "config", owner.key, f"activated version {version.number} of {owner.key}"
           + (f" ({via})" if via else ""), after={"number": version.number, "via": via, "comment": comment})


def save_version(actor, owner, document, comment="", activate=False, base=None, copied_from=None, via=""):
    """A new version (validated); base: the number the author started from, refused with 409 when
    someone saved another version since. Activated at once when asked."""
    device_type = owner.current_type()
    schemas.validate(device_type.schema, full_document(owner, documents.check_document(document)))
    text = documents.canonical(document)
    if not isinstance(comment, str) or len(comment) > 4000:
        raise bad_request("The comment is text of at most 4000 characters.",
                          errors=[{"field": "comment", "error": "At most 4000 characters."}])
    with database.atomic():
        last = latest(owner)
        if base is not None and (last.number if last else 0) != base:
            raise conflict(f"Version {last.number} of {owner.key} was saved by {last.author} at "
                           f"{iso(last.created_ns)}, after version {base} you started from; reload it and make "
                           "your change again.", errors=[{"field": "base", "error": "Out of date."}])
        if last is not None and last.document == text and copied_from is None:
            raise bad_request(f"Nothing changed: this is version {last.number} of {owner.key} as it is.",
                              errors=[{"field": "config", "error": "Unchanged."}])
        now = now_ns()
        version = ConfigVersion.create(
            owner=owner.key, number=(last.number if last else 0) + 1, document=text,
            sha256=hashlib.sha256(text.encode()).hexdigest(), schema_version=device_type.schema_version,
            author=actor.label, comment=comment.strip(), created_ns=now, copied_from=copied_from)
        record(actor, "config.version.create", "config", owner.key,
               f"saved version {version.number} of {owner.key}" + (f": {comment.strip()}" if comment.strip() else ""),
               after={"number": version.number, "sha256": version.sha256, "copied_from": copied_from})
        if activate:
            _activate(actor, owner, version, comment.strip(), via, now)
    return version


def activate(actor, owner, number, comment="", via="", skip_active=False):
    """Make a version the active one from now on. Refused when it is active already (unless skip_active:
    then nothing happens and None comes back) or when it no longer passes the schema."""
    version = get_version(owner, number)
    with database.atomic():
        current = active_version(owner.key)
        if current is not None and current.id == version.id:
            if skip_active:
                return None
            raise conflict(f"Version {number} of {owner.key} is active already.")
        found = schemas.problems(owner.current_type().schema, full_document(owner, version.config))
        if found:
            listed = "; ".join(f"{p['field']} {p['error']}" for p in found[:3])
            raise conflict(f"Version {number} of {owner.key} does not pass the type's schema as it is now: {listed}. "
                           "Save a corrected version instead.", errors=found)
        _activate(actor, owner, version, comment, via, now_ns())
    return version


def rollback(actor, owner, number, comment=""):
    """A new version equal to version number, activated (the active one stays when it already equals it)."""
    old = get_version(owner, number)
    last = latest(owner)
    note = comment or f"roll back to version {number}"
    if last.document == old.document:
        return activate(actor, owner, last.number, note, via=f"rollback to {number}", skip_active=True) or last
    return save_version(actor, owner, old.config, note, activate=True, copied_from=number,
                        via=f"rollback to {number}")


def diff_versions(owner, a, b):
    """The structured diff from version a to version b of one owner."""
    first, second = get_version(owner, a), get_version(owner, b)
    return {"a": first.summary(), "b": second.summary(), "changes": documents.diff(first.config, second.config)}


def set_schema(actor, device_type, schema, force=False):
    """A new schema for a type (its version goes up). Refused when an active configuration of the type
    would fail it, listing which, unless force."""
    schemas.check_schema(schema)
    owners = [Owner("type", device_type)] + [Owner("device", device_type, d) for d in device_type.devices]
    failing = []
    base = active_version(f"type:{device_type.name}")
    for owner in owners:
        own = active_version(owner.key)
        if own is None:
            continue
        document = own.config if owner.device is None else documents.overlay(base.config if base else {}, own.config)
        found = schemas.problems(schema, document)
        if found:
            failing.append({"owner": owner.key, "number": own.number, "problems": found[:5]})
    if failing and not force:
        names = ", ".join(f["owner"] for f in failing[:5])
        raise conflict(f"{len(failing)} active configuration(s) would not pass this schema ({names}); fix them "
                       "first or force the change.", failing=failing)
    with database.atomic():
        before = device_type.schema
        device_type.config_schema = json.dumps(schema, sort_keys=True)
        device_type.schema_version += 1
        device_type.save()
        record(actor, "device_type.schema", "device_type", device_type.name,
               f"schema of {device_type.name} is now version {device_type.schema_version}"
               + (f" ({len(failing)} active configuration(s) fail it)" if failing else ""),
               before={"schema": before}, after={"schema": schema})
    return failing
