"""Configurations of device types (their defaults) and of devices: versions, checking as you type,
saving, activating, rolling back, diffs, the effective configuration, live values, export and import.

`/configs/types/<dettype>/...` and `/configs/devices/<name>/...` behave alike; a device's own
configuration is judged laid over its type's active default.
"""

from bottle import HTTPResponse, response

from ...auth.users import at_least, group_role
from ...configs import documents
from ...configs.exchange import export, import_configs, owners_for
from ...configs.live import compare_live, record_live
from ...configs.versions import (activate, activations, active_version, check, diff_versions, effective, get_version,
                                 latest, owner_for, rollback, save_version, versions_of)
from ...errors import bad_request
from ...timeutil import to_ns
from ...topology.devices import get_type
from .. import query
from ..fields import Bool, Body, Dict, Int, Str, Time

OWNER = "/configs/<kind:re:types|devices>/<name>"
MAX = documents.MAX_BYTES
DOCUMENT = dict(config=Dict(max_bytes=MAX, required=False, description="the configuration as a JSON object"),
                text=Str(max_len=MAX, required=False, description="or as JSON or YAML text"),
                format=Str(choices=documents.FORMATS, default="json"))
CHECK = Body(base=Int(minimum=0, required=False), **DOCUMENT)
SAVE = Body(comment=Str(max_len=4000, default=""), activate=Bool(default=False),
            base=Int(minimum=0, required=False, description="the version you started from (409 if outdated)"),
            **DOCUMENT)
PICK = Body(version=Int(minimum=1), comment=Str(max_len=4000, default=""))
LIVE = Body(values=Dict(max_bytes=MAX), read_at=Time(required=False))
IMPORT = Body(text=Str(min_len=2, max_len=documents.MAX_IMPORT), format=Str(choices=documents.FORMATS, default="json"),
              activate=Bool(default=False), dry_run=Bool(default=False), schemas=Bool(default=False))
EXPORT_QUERY = (("format", "json (default) or yaml"), ("subsystem", "devices of one subsystem"),
                ("devices", "device names, comma-separated"), ("types", "device types, comma-separated"))


def document_from(body):
    """The configuration a body carries, as an object or as JSON/YAML text (exactly one of them)."""
    if ("config" in body) == ("text" in body):
        raise bad_request("Send the configuration either as config (an object) or as text (JSON or YAML).",
                          errors=[{"field": "config", "error": "Give config or text."}])
    if "config" in body:
        return documents.check_document(body["config"])
    return documents.parse_text(body["text"], body["format"])


def can(owner, principal):
    role = group_role(principal, owner.group.id if owner.group else None)
    return {"write": at_least(role, "member"), "activate": at_least(role, "operator")}


def config_page(owner, principal):
    active = active_version(owner.key)
    versions = versions_of(owner)
    last = versions[0] if versions else None
    name = owner.device.name if owner.device else owner.device_type.name
    page = {"owner": owner.key, "kind": owner.kind, "name": name,
            "dettype": owner.device_type.name, "schema": owner.device_type.schema,
            "schema_version": owner.device_type.schema_version,
            "versions": [v.summary() for v in versions],
            "active": active.number if active else None, "latest": last.to_dict() if last else None,
            "activations": activations(owner), "can": can(owner, principal)}
    if owner.device is not None:
        page["effective"] = effective(owner.device)
        base = active_version(f"type:{owner.device_type.name}")
        page["type_default"] = base.to_dict() if base else None
    return page


def register(api):
    @api.route(OWNER, "GET", perm="read", tag="configs")
    def config(kind, name, principal):
        """An owner's configuration page: schema, versions (newest first), the active one, activations, the
        latest document, and for a device its type default and effective configuration."""
        return {"ok": True, "config": config_page(owner_for(kind, name), principal)}

    @api.route(OWNER + "/versions/<number:int>", "GET", perm="read", tag="configs")
    def version(kind, name, number):
        """One version with its document."""
        return {"ok": True, "version": get_version(owner_for(kind, name), number).to_dict()}

    @api.route(OWNER + "/check", "POST", perm="read", body=CHECK, tag="configs")
    def check_config(kind, name, body):
        """Check a configuration as it is typed, writing nothing: problems by field (after the overlay for a
        device), and the changes against the version it started from (base, default the latest)."""
        owner = owner_for(kind, name)
        document = document_from(body)
        base = get_version(owner, body["base"]) if body.get("base") else latest(owner)
        found = check(owner, document)
        out = {"ok": True, "valid": not found, "problems": found, "config": document,
               "base": base.number if base else None,
               "changes": documents.diff(base.config if base else {}, document)}
        if owner.device is not None:
            base_default = active_version(f"type:{owner.device_type.name}")
            out["effective"] = documents.overlay(base_default.config if base_default else {}, document)
        return out

    @api.route(OWNER + "/versions", "POST", perm="configs.write", body=SAVE, tag="configs")
    def save(kind, name, principal, actor, body):
        """Save a new version (validated against the schema; never in place). activate makes it active at once
        (operators); base refuses the save with 409 when someone saved a newer version meanwhile."""
        owner = owner_for(kind, name)
        owner.require(principal, "operator" if body["activate"] else "member")
        saved = save_version(actor, owner, document_from(body), body["comment"], body["activate"], body.get("base"))
        response.status = 201
        return {"ok": True, "version": saved.to_dict(), "config": config_page(owner, principal)}

    @api.route(OWNER + "/activate", "POST", perm="configs.activate", body=PICK, tag="configs")
    def activate_version(kind, name, principal, actor, body):
        """Make a version the active one from now on."""
        owner = owner_for(kind, name)
        owner.require(principal, "operator")
        activate(actor, owner, body["version"], body["comment"])
        return {"ok": True, "config": config_page(owner, principal)}

    @api.route(OWNER + "/rollback", "POST", perm="configs.activate", body=PICK, tag="configs")
    def rollback_version(kind, name, principal, actor, body):
        """Roll back to an old version: a new version equal to it, activated."""
        owner = owner_for(kind, name)
        owner.require(principal, "operator")
        made = rollback(actor, owner, body["version"], body["comment"])
        return {"ok": True, "version": made.to_dict(), "config": config_page(owner, principal)}

    @api.route(OWNER + "/diff", "GET", perm="read", tag="configs",
               query=(("a", "a version number (default: the one before b)"),
                      ("b", "a version number (default: the latest)")))
    def diff(kind, name):
        """The structured diff between two versions: [{path, op, before, after}]."""
        owner = owner_for(kind, name)
        last = latest(owner)
        if last is None:
            raise bad_request(f"{owner.key} has no versions yet.")
        b = query.whole("b", last.number, digits=9)
        a = query.whole("a", b - 1, digits=9)
        return {"ok": True, **diff_versions(owner, a, b)}

    @api.route("/configs/devices/<name>/effective", "GET", perm="read", tag="configs",
               query=(("at", "the time (default now; seconds or ISO 8601)"),))
    def effective_config(name):
        """What a device runs with at a time: its type's default as active then, with its own laid over it."""
        owner = owner_for("devices", name)
        at = query.text("at")
        return {"ok": True, "effective": effective(owner.device, to_ns(at, "time asked for (at)") if at else None)}

    @api.route("/configs/devices/<name>/live", "PUT", perm="devices.report", body=LIVE, tag="configs")
    def report_live(name, principal, actor, body):
        """The values a device controller read from the device; kept as the device's last reading."""
        owner = owner_for("devices", name)
        owner.require(principal, "member")
        record_live(actor, owner.device, body["values"], body.get("read_at"))
        return {"ok": True, "live": compare_live(owner.device)}

    @api.route("/configs/devices/<name>/live", "GET", perm="read", tag="configs")
    def live(name):
        """The stored effective configuration against the live values last read, parameter by parameter,
        with the schema's tolerances; differences first."""
        owner = owner_for("devices", name)
        found = compare_live(owner.device)
        if found is None:
            raise bad_request(f"{name} has not reported live values yet.")
        return {"ok": True, "live": found}

    @api.route("/configs/export", "GET", perm="read", tag="configs", query=EXPORT_QUERY)
    def export_configs():
        """The active configurations (and schemas) as a JSON or YAML file to download."""
        fmt = query.text("format") or "json"
        if fmt not in documents.FORMATS:
            raise bad_request("The format must be json or yaml.")
        names = [n for n in (query.text("devices") or "").split(",") if n]
        type_names = [n for n in (query.text("types") or "").split(",") if n]
        devices = owners_for(query.text("subsystem"), names) if (names or query.text("subsystem")) else None
        types = [get_type(n) for n in type_names] if type_names else None
        if devices is None and types is not None:
            devices = []
        data = export(devices, types)
        media = "application/yaml" if fmt == "yaml" else "application/json"
        return HTTPResponse(documents.dump(data, fmt), headers={
            "Content-Type": f"{media}; charset=utf-8",
            "Content-Disposition": f'attachment; filename="configurations.{fmt}"'})

    @api.route("/configs/import", "POST", perm="configs.write", body=IMPORT, tag="configs")
    def import_text(principal, actor, body):
        """Import an export (JSON or YAML): a new version for each configuration that differs from its latest,
        all or nothing; dry_run only says what would change."""
        data = documents.parse_text(body["text"], body["format"], limit=documents.MAX_IMPORT)
        wanted = "operator" if body["activate"] else "member"
        plan = import_configs(actor, data, body["activate"], body["dry_run"], body["schemas"],
                              allowed=lambda owner: owner.require(principal, "expert" if body["schemas"] else wanted))
        return {"ok": True, "dry_run": body["dry_run"], "plan": plan}

