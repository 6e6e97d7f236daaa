"""`dcs config ...`: configuration versions, the effective configuration, live values, export and import,
run-mode recipes and approved configuration sets, from the shell.

OWNER is a device name, device:<name> or type:<dettype>. Files are JSON or YAML (by extension, or
--format). Approval actions act as a portal user (`--as NAME`), so the group's roles and the
two-person rule apply as in the browser.
"""

import json
import sys

from .. import approval
from ..console import (UsageError, acting_as, add_approval_commands, add_as_user, add_command, cli_actor, open_database,
                       print_table, read_text_file)
from ..timeutil import iso, to_ns
from . import documents
from .exchange import export, import_configs, owners_for
from .live import compare_live, record_live
from .models import MODES
from .recipes import apply_recipe, change_entries, create_recipe, entries_of, entry_versions, get_recipe, list_recipes
from .sets import (apply_set, change_pins, create_set, diff, get_set, list_sets, pins_of, revise,
                   snapshot, versions_by_id)
from .versions import (activate, activations, active_version, check, diff_versions, effective, get_version, latest,
                       owner_of, rollback, save_version, versions_of)


def _format(args, path=None):
    if getattr(args, "format", None):
        return args.format
    return "yaml" if path and path.endswith((".yaml", ".yml")) else "json"


def _read(args, path):
    return documents.parse_text(read_text_file(path), _format(args, path))


def _print_document(document, fmt):
    sys.stdout.write(documents.dump(document, fmt))


def cmd_show(settings, args):
    open_database(settings)
    owner = owner_of(args.owner)
    if args.effective:
        if owner.device is None:
            raise UsageError("--effective is for devices (a type's default is its own effective configuration).")
        found = effective(owner.device, to_ns(args.at, "--at") if args.at else None)
        print(f"# {owner.key}: type default v{found['type_version'] or '-'}, own v{found['device_version'] or '-'}"
              + (f", at {found['at']}" if found["at"] else ""), file=sys.stderr)
        _print_document(found["config"], _format(args))
        return
    version = get_version(owner, args.version) if args.version else active_version(owner.key)
    if version is None:
        raise UsageError(f"{owner.key} has no active version; name one with --version.")
    print(f"# {owner.key} v{version.number} by {version.author} {iso(version.created_ns)}: {version.comment}",
          file=sys.stderr)
    _print_document(version.config, _format(args))


def cmd_history(settings, args):
    open_database(settings)
    owner = owner_of(args.owner)
    active = active_version(owner.key)
    rows = [("VERSION", "ACTIVE", "AUTHOR", "CREATED", "COMMENT")]
    rows += [(f"v{v.number}", "*" if active and active.id == v.id else "", v.author, iso(v.created_ns)[:19],
              v.comment[:60] + (f" (copy of v{v.copied_from})" if v.copied_from else "")) for v in versions_of(owner)]
    if len(rows) == 1:
        print(f"{owner.key} has no versions yet.")
        return
    print_table(rows)
    if args.activations:
        for a in activations(owner):
            print(f"  {a['time']} v{a['number']} activated by {a['actor']}" + (f" ({a['via']})" if a["via"] else "")
                  + (f": {a['comment']}" if a["comment"] else ""))


def cmd_save(settings, args):
    open_database(settings)
    owner = owner_of(args.owner)
    version = save_version(cli_actor(), owner, _read(args, args.file), args.comment or "", args.activate, args.base)
    print(f"saved {owner.key} v{version.number}" + (" and activated it" if args.activate else ""))


def cmd_check(settings, args):
    open_database(settings)
    owner = owner_of(args.owner)
    found = check(owner, _read(args, args.file))
    if not found:
        print(f"{args.file} is a valid configuration for {owner.key}.")
        return 0
    for problem in found:
        print(f"{problem['field']}: {problem['error']}")
    return 1


def _print_changes(changes):
    if not changes:
        print("no differences")
    for change in changes:
        if change["op"] == "changed":
            print(f"~ {change['path']}: {json.dumps(change['before'])} -> {json.dumps(change['after'])}")
        elif change["op"] == "added":
            print(f"+ {change['path']}: {json.dumps(change['after'])}")
        else:
            print(f"- {change['path']}: {json.dumps(change['before'])}")


def cmd_diff(settings, args):
    open_database(settings)
    owner = owner_of(args.owner)
    last = latest(owner)
    if last is None:
        raise UsageError(f"{owner.key} has no versions yet.")
    b = last.number if args.b is None else args.b
    found = diff_versions(owner, args.a, b)
    print(f"{owner.key} v{args.a} -> v{b}")
    _print_changes(found["changes"])


def cmd_activate(settings, args):
    open_database(settings)
    activate(cli_actor(), owner_of(args.owner), args.version, args.comment or "")
    print(f"activated {args.owner} v{args.version}")


def cmd_rollback(settings, args):
    open_database(settings)
    made = rollback(cli_actor(), owner_of(args.owner), args.version, args.comment or "")
    print(f"{args.owner} is back at the configuration of v{args.version} (now v{made.number}, active)")


def cmd_live(settings, args):
    open_database(settings)
    owner = owner_of(args.owner)
    if owner.device is None:
        raise UsageError("Live values belong to a device.")
    if args.file:
        record_live(cli_actor(), owner.device, _read(args, args.file))
    found = compare_live(owner.device)
    if found is None:
        raise UsageError(f"{owner.device.name} has not reported live values yet; give a FILE of them.")
    counts = found["counts"]
    print(f"{owner.device.name}: live values read {found['read']} by {found['source']}: {counts['ok']} match, "
          f"{counts['drift']} drift, {counts['missing']} missing, {counts['extra']} extra")
    for row in found["rows"]:
        if row["state"] != "ok" or args.all:
            tolerance = f" (tolerance {row['tolerance']})" if row["tolerance"] else ""
            print(f"  {row['state']:7} {row['path']}: stored {json.dumps(row['stored'])}, live "
                  f"{json.dumps(row['live'])}{tolerance}")
    return 0 if found["matches"] else 1


def cmd_export(settings, args):
    open_database(settings)
    types = [owner_of(f"type:{t}").device_type for t in args.type] if args.type else None
    if args.device or args.subsystem:
        devices = owners_for(args.subsystem, args.device)
    else:
        devices = None if types is None else []  # nothing named: everything
    text = documents.dump(export(devices, types), _format(args))
    if args.output:
        with open(args.output, "w", encoding="utf-8") as out:
            out.write(text)
        print(f"wrote {args.output}")
    else:
        sys.stdout.write(text)


def cmd_import(settings, args):
    open_database(settings)
    data = documents.parse_text(read_text_file(args.file), _format(args, args.file), limit=documents.MAX_IMPORT)
    plan = import_configs(cli_actor(), data, args.activate, args.dry_run, args.schemas)
    for step in plan:
        if step["action"] == "unchanged":
            print(f"{step['owner']}: unchanged (v{step['number']})")
        else:
            number = f" v{step['number']}" if "number" in step else ""
            print(f"{step['owner']}: {step['action']}{number} ({len(step['changes'])} change(s))")
    made = sum(1 for s in plan if s["action"] != "unchanged")
    print(("would make" if args.dry_run else "made") + f" {made} change(s)")


def cmd_recipe_list(settings, args):
    open_database(settings)
    print_table([("RECIPE", "MODE", "GROUP", "ENTRIES", "APPLIED")] + [
        (r.name, r.mode, r.group.name if r.group_id else "-", str(r.entries.count()),
         f"{iso(r.applied_ns)[:19]} by {r.applied_by}" if r.applied_ns else "never") for r in list_recipes(args.mode)])


def _entries(texts):
    """OWNER=N arguments -> [{owner, version}]."""
    out = []
    for text in texts or []:
        owner, equals, number = text.rpartition("=")
        if not equals or not number.isdigit():
            raise UsageError(f"An entry reads OWNER=VERSION, like sipm-ecal01=3; not {text!r}.")
        out.append({"owner": owner, "version": int(number)})
    return out


def _print_recipe(recipe):
    print(f"{recipe.name} ({recipe.mode}) of {recipe.group.name if recipe.group_id else '-'}: {recipe.description}")
    for entry in entries_of(recipe):
        mark = "  (will change)" if entry["differs"] else ""
        print(f"  {entry['owner']}: v{entry['number']}, active v{entry['active'] or '-'}{mark}")


def cmd_recipe_show(settings, args):
    open_database(settings)
    _print_recipe(get_recipe(args.name))


def cmd_recipe_create(settings, args):
    open_database(settings)
    versions = (pins_of(get_set(args.from_set)) if args.from_set else []) + entry_versions(_entries(args.entry))
    _print_recipe(create_recipe(cli_actor(), args.name, args.mode, args.description or "", args.group, versions))


def cmd_recipe_set(settings, args):
    open_database(settings)
    _print_recipe(change_entries(cli_actor(), get_recipe(args.name), _entries(args.entry), args.remove or []))


def cmd_recipe_apply(settings, args):
    open_database(settings)
    changed = apply_recipe(cli_actor(), get_recipe(args.name), args.comment or "")
    print(f"applied {args.name}: {len(changed)} configuration(s) activated")
    for item in changed:
        print(f"  {item['owner']} v{item['number']}")


def _print_set(config_set):
    d = config_set.to_dict()
    print(f"{d['name']} ({d['state']}) of {d['group'] or '-'}: {d['pins_count']} pin(s); created by {d['created_by']}"
          + (f"; proposed by {d['proposed_by']}" if d["proposed_by"] else "")
          + (f"; decided by {d['decided_by']}" if d["decided_by"] else ""))


def cmd_set_list(settings, args):
    open_database(settings)
    sets = list_sets(args.group, args.state)
    if not sets:
        print("No configuration sets.")
        return
    print_table([("NAME", "GROUP", "STATE", "PINS", "PROPOSED BY", "DECIDED BY")] + [
        (s.name, s.group.name if s.group_id else "-", s.state, str(s.pins.count()), s.proposed_by or "-",
         s.decided_by or "-") for s in sets])


def cmd_set_create(settings, args):
    open_database(settings)
    actor, _ = acting_as(args.as_user) if args.as_user else (cli_actor(), None)
    versions = versions_by_id(args.version or []) + snapshot(args.snapshot or [])
    _print_set(create_set(actor, args.name, versions, args.description or "", args.group))


def cmd_set_show(settings, args):
    open_database(settings)
    config_set = get_set(args.name)
    _print_set(config_set)
    print_table([("OWNER", "VERSION", "ID", "COMMENT")] + [
        (v.owner, f"v{v.number}", str(v.id), v.comment[:60]) for v in pins_of(config_set)])
    other = config_set.previous_approved()
    if other is not None:
        changes = diff(config_set, other)
        print(f"against {other.name}: {len(changes['added'])} added, {len(changes['removed'])} removed, "
              f"{len(changes['changed'])} changed, {changes['same']} the same")
        for item in changes["changed"]:
            print(f"  {item['owner']}: v{item['from']['number']} -> v{item['to']['number']}")
    for event in approval.history(config_set):
        print(f"  {event['time']} {event['from_state'] or '-'} -> {event['to_state']} by {event['actor']}"
              + (f": {event['comment']}" if event["comment"] else ""))


def cmd_set_pin(settings, args):
    open_database(settings)
    actor, principal = acting_as(args.as_user)
    _print_set(change_pins(actor, principal, get_set(args.name), args.add or [], args.remove or []))


def cmd_set_apply(settings, args):
    open_database(settings)
    changed = apply_set(cli_actor(), get_set(args.name), args.comment or "")
    print(f"applied {args.name}: {len(changed)} configuration(s) activated")


def register(commands):
    config = commands.add_parser("config", help="Configuration versions, recipes and configuration sets.",
                                 description=__doc__.split("\n\n")[0])
    sub = config.add_subparsers(dest="action", metavar="ACTION", required=True)
    fmt = {"choices": documents.FORMATS, "help": "json or yaml (default: from the file name, else json)"}
    show = add_command(sub, "show", cmd_show, "Print a configuration: the active version, --version N, or "
                                              "--effective (a device's, with its type default).")
    show.add_argument("owner", metavar="OWNER")
    show.add_argument("--version", type=int)
    show.add_argument("--effective", action="store_true")
    show.add_argument("--at", help="with --effective: as it was at this time (Unix seconds or ISO 8601)")
    show.add_argument("--format", **fmt)
    history = add_command(sub, "history", cmd_history, "List an owner's versions (and --activations).")
    history.add_argument("owner", metavar="OWNER")
    history.add_argument("--activations", action="store_true")
    save = add_command(sub, "save", cmd_save, "Save FILE (JSON or YAML; - for standard input) as a new version.")
    save.add_argument("owner", metavar="OWNER")
    save.add_argument("file", metavar="FILE")
    save.add_argument("--comment")
    save.add_argument("--activate", action="store_true", help="make it the active version now")
    save.add_argument("--base", type=int, help="the version you started from: refused if a newer one exists")
    save.add_argument("--format", **fmt)
    chk = add_command(sub, "check", cmd_check, "Check FILE against the owner's schema (exit 1 with the problems).")
    chk.add_argument("owner", metavar="OWNER")
    chk.add_argument("file", metavar="FILE")
    chk.add_argument("--format", **fmt)
    dif = add_command(sub, "diff", cmd_diff, "The changes from version A to version B (default: the latest).")
    dif.add_argument("owner", metavar="OWNER")
    dif.add_argument("a", type=int)
    dif.add_argument("b", type=int, nargs="?")
    for name, func, text in (("activate", cmd_activate, "Make version N the active one from now on."),
                             ("rollback", cmd_rollback, "Roll back to version N (a new version equal to it, "
                                                        "activated).")):
        parser = add_command(sub, name, func, text)
        parser.add_argument("owner", metavar="OWNER")
        parser.add_argument("version", type=int, metavar="N")
        parser.add_argument("--comment")
    live = add_command(sub, "live", cmd_live, "Compare a device's stored configuration with its live values (record "
                                              "them from FILE first, if given); exit 1 when they differ.")
    live.add_argument("owner", metavar="DEVICE")
    live.add_argument("file", nargs="?", metavar="FILE")
    live.add_argument("--all", action="store_true", help="list the matching parameters too")
    live.add_argument("--format", **fmt)
    exp = add_command(sub, "export", cmd_export, "Write the active configurations (and schemas) as JSON or YAML.")
    exp.add_argument("--device", action="append", help="a device to export (repeatable)")
    exp.add_argument("--subsystem")
    exp.add_argument("--type", action="append", help="a type to export (repeatable)")
    exp.add_argument("--output", "-o", help="the file to write (default: standard output)")
    exp.add_argument("--format", **fmt)
    imp = add_command(sub, "import", cmd_import, "Import an export: a new version for each configuration that "
                                                 "differs, all or nothing.")
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--activate", action="store_true")
    imp.add_argument("--dry-run", action="store_true", help="only say what would change")
    imp.add_argument("--schemas", action="store_true", help="also import the types' schemas")
    imp.add_argument("--format", **fmt)

    recipe = sub.add_parser("recipe", help="Run-mode recipes.", description="Run-mode recipes (PHYSICS, COSMICS, "
                                                                            "CALIBRATION): list, show, create, "
                                                                            "set entries, apply.")
    recipes = recipe.add_subparsers(dest="recipe_action", metavar="ACTION", required=True)
    add_command(recipes, "list", cmd_recipe_list, "List recipes.").add_argument("--mode", choices=MODES)
    add_command(recipes, "show", cmd_recipe_show, "Show a recipe's entries and what applying it would change.") \
        .add_argument("name")
    rcreate = add_command(recipes, "create", cmd_recipe_create, "Create a recipe.")
    rcreate.add_argument("name")
    rcreate.add_argument("--mode", required=True, choices=MODES)
    rcreate.add_argument("--group", required=True)
    rcreate.add_argument("--description")
    rcreate.add_argument("--entry", action="append", metavar="OWNER=N")
    rcreate.add_argument("--from-set", help="take the entries of a configuration set's pins")
    rset = add_command(recipes, "set", cmd_recipe_set, "Set or remove entries of a recipe.")
    rset.add_argument("name")
    rset.add_argument("--entry", action="append", metavar="OWNER=N")
    rset.add_argument("--remove", action="append", metavar="OWNER")
    rapply = add_command(recipes, "apply", cmd_recipe_apply, "Activate every entry of a recipe (all or nothing).")
    rapply.add_argument("name")
    rapply.add_argument("--comment")

    config_set = sub.add_parser("set", help="Configuration sets and their approval.",
                                description="\"Good\" configuration sets: create, pin, propose, approve, reject, "
                                            "revise, apply.")
    sets = config_set.add_subparsers(dest="set_action", metavar="ACTION", required=True)
    ls = add_command(sets, "list", cmd_set_list, "List configuration sets.")
    ls.add_argument("--group")
    ls.add_argument("--state", choices=approval.STATES)
    create = add_command(sets, "create", cmd_set_create, "Create a draft from version ids and/or the owners' active "
                                                         "versions.")
    create.add_argument("name")
    create.add_argument("--group", required=True)
    create.add_argument("--description")
    create.add_argument("--version", type=int, action="append", metavar="ID", help="a version id to pin")
    create.add_argument("--snapshot", nargs="+", metavar="OWNER", help="pin these owners' active versions")
    add_command(sets, "show", cmd_set_show, "Show a set's pins, its diff and history.").add_argument("name")
    pin = add_command(sets, "pin", cmd_set_pin, "Add or remove pins of a draft.")
    pin.add_argument("name")
    pin.add_argument("--add", type=int, action="append", metavar="ID")
    pin.add_argument("--remove", type=int, action="append", metavar="ID")
    add_as_user(create)
    add_as_user(pin)
    add_approval_commands(sets, get_set, revise, _print_set)
    sapply = add_command(sets, "apply", cmd_set_apply, "Activate every version an approved set pins.")
    sapply.add_argument("name")
    sapply.add_argument("--comment")
