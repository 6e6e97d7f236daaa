"""Export and import of configurations as JSON or YAML.

    format: dcs-configs/1
    exported: 2026-11-21T10:00:00+00:00
    types:
      sipm: {schema: {...}, default: {version: 3, config: {...}}}
    devices:
      sipm-hv01: {version: 5, config: {...}}

An export holds the active versions (and the schemas of the types it covers). An import reads the same
shape: each configuration that differs from both its owner's active and latest versions becomes a new
version, all or nothing, and a dry run says what would change without writing. Schemas are imported
only when asked.
"""

from ..db import database
from ..errors import bad_request
from ..timeutil import iso, now_ns
from ..topology.models import Device, DeviceType
from . import documents
from .versions import active_version, check, latest, owner_of, save_version, set_schema

FORMAT = "dcs-configs/1"


def export(devices=None, types=None):
    """The active configurations of the devices and types given (all when both are None)."""
    if devices is None and types is None:
        devices = list(Device.select().order_by(Device.name))
        types = list(DeviceType.select().order_by(DeviceType.name))
    devices, types = devices or [], list(types or [])
    for device in devices:
        if device.type not in types:
            types.append(device.type)
    out = {"format": FORMAT, "exported": iso(now_ns()), "types": {}, "devices": {}}
    for device_type in sorted(types, key=lambda t: t.name):
        entry = {"schema": device_type.schema}
        version = active_version(f"type:{device_type.name}")
        if version is not None:
            entry["default"] = {"version": version.number, "config": version.config}
        out["types"][device_type.name] = entry
    for device in sorted(devices, key=lambda d: d.name):
        version = active_version(f"device:{device.name}")
        if version is not None:
            out["devices"][device.name] = {"version": version.number, "config": version.config}
    return out


def _entries(data):
    """[(Owner, config or None, schema or None)] from an export-shaped object, checked."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise bad_request(f"This is not a configuration export: the format must be {FORMAT}.",
                          errors=[{"field": "format", "error": f"Must be {FORMAT}."}])
    unknown = set(data) - {"format", "exported", "types", "devices"}
    if unknown:
        raise bad_request(f"Unknown keys in the export: {', '.join(sorted(unknown))}.")
    entries = []
    for section, kind in (("types", "type"), ("devices", "device")):
        block = data.get(section)
        block = {} if block is None else block  # an empty YAML section reads as null
        if not isinstance(block, dict):
            raise bad_request(f"{section} must map names to entries.")
        for name, entry in block.items():
            field = f"{section}.{name}"
            if not isinstance(entry, dict) or set(entry) - {"schema", "default", "version", "config"}:
                raise bad_request(f"{field} must be an object with config (and version), or schema and default.",
                                  errors=[{"field": field, "error": "Unexpected shape."}])
            owner = owner_of(f"{kind}:{name}")
            holder = entry.get("default") if kind == "type" else entry
            config = None
            if holder is not None:
                if not isinstance(holder, dict) or "config" not in holder:
                    raise bad_request(f"{field} holds no config.", errors=[{"field": field, "error": "No config."}])
                config = documents.check_document(holder["config"], field)
            entries.append((owner, config, entry.get("schema") if kind == "type" else None))
    return entries


def import_configs(actor, data, activate=False, dry_run=False, schemas=False, allowed=None):
    """Plan and make a new version for each configuration that differs from its owner's active and latest
    versions (schemas first, when asked). allowed(owner) raises when the actor may not write that owner.
    All or nothing: any invalid configuration refuses the whole import, listing every problem; a dry run
    plans the same way and then rolls everything back."""
    entries = _entries(data)
    if allowed is not None:
        for owner, _, _ in entries:
            allowed(owner)
    plan, problems = [], []
    with database.atomic() as transaction:
        for owner, _, schema in entries:
            current = owner.current_type()
            if schemas and schema is not None and schema != current.schema:
                plan.append({"owner": owner.key, "action": "new schema", "changes": documents.diff(current.schema,
                                                                                                   schema)})
                set_schema(actor, current, schema)
        for owner, config, _ in entries:
            if config is None:
                continue
            last, text = latest(owner), documents.canonical(config)
            same = next((v for v in (active_version(owner.key), last) if v is not None and v.document == text), None)
            if same is not None:  # what is active, or the latest: re-importing an export changes nothing
                plan.append({"owner": owner.key, "action": "unchanged", "number": same.number})
                continue
            found = check(owner, config)
            problems.extend({"field": f"{owner.key} {p['field']}", "error": p["error"]} for p in found)
            step = {"owner": owner.key, "action": "new version", "from": last.number if last else None,
                    "changes": documents.diff(last.config if last else {}, config)}
            plan.append(step)
            if not found:
                step["number"] = save_version(actor, owner, config, "imported", activate=activate,
                                              via="import").number
        if problems:
            transaction.rollback()
            listed = "; ".join(f"{p['field']} {p['error']}" for p in problems[:3])
            raise bad_request(f"Nothing was imported: {len(problems)} problem(s), {listed}.", errors=problems,
                              plan=plan)
        if dry_run:
            transaction.rollback()  # the plan keeps the numbers the versions would get
    return plan


def owners_for(subsystem=None, names=None):
    """Devices to export: of a subsystem, named, or all."""
    query = Device.select().order_by(Device.name)
    if subsystem:
        query = query.where(Device.subsystem == subsystem)
    if names:
        return [owner_of(f"device:{n}").device for n in names]
    return list(query)

