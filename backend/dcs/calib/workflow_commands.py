"""`dcs calib generate | compare | provenance | set ...`: the calibration workflow from the command line.

Approval actions act as a portal user (`--as NAME`), so the two-person rule and the group's roles
apply exactly as in the portal.
"""

import json
import sys

from .. import approval, jobs
from ..console import (UsageError, acting_as, add_approval_commands, add_as_user, add_command, cli_actor, open_database,
                       print_table)
from ..errors import DcsError
from ..progress import Progress
from . import bundle, darks, provenance
from .compare import compare
from .sets import change_pins, create_set, diff, get_set, list_sets, pins_of, revise, snapshot, \
    versions_by_id
from .store import CalibStore


def _thresholds(args):
    given = {"min_frames": args.min_frames, "rms_nsigma": args.rms_nsigma, "ped_nsigma": args.ped_nsigma}
    return {k: v for k, v in given.items() if v is not None}


def cmd_generate(settings, args):
    open_database(settings)
    job = darks.submit(cli_actor(), None, settings, args.experiment, args.run, args.detname, args.file,
                       args.workspace, args.runs, _thresholds(args), here=True)
    with Progress(f"job {job.id}: {args.detname} frames", 1) as bar:
        job = jobs.run(settings, job, bar=bar)
    if job.state != "done":
        print(f"dcs: job {job.id} {job.state}: {job.message}", file=sys.stderr)
        return 1
    for made in json.loads(job.result)["versions"]:
        print(f"stored {args.detname} {made['ctype']} version {made['versind']} (id {made['id']}, "
              f"sha256 {made['sha256'][:16]}...)")
    return 0


def _version(version_id):
    return versions_by_id([version_id])[0]


def _pair(store, args):
    """The versions to compare: by ids, or what two sets pin for one detector, ctype and time."""
    if args.sets:
        if args.a is not None or not (args.detname and args.ctype and args.time):
            raise UsageError("Comparing two sets needs --sets A B with --detname, --ctype and --time (and no ids).")
        found = [store.lookup(args.detname, args.ctype, args.time, set_name=name) for name in args.sets]
        for name, version in zip(args.sets, found):
            if version is None:
                raise DcsError(404, f"No {args.ctype} constants of {args.detname} apply at {args.time} with {name}.")
        return found
    if args.a is None:
        raise UsageError("Name a version id (and another, or none for its predecessor), or --sets A B.")
    return _version(args.a), _version(args.b) if args.b is not None else None


def cmd_compare(settings, args):
    open_database(settings)
    store = CalibStore(settings.calib_dir)
    a, b, result = compare(store, *_pair(store, args), args.threshold, args.bins)
    if args.json:
        print(json.dumps({"a": a.id, "b": b.id, **result}, indent=2))
        return 0
    print(f"b - a: version {b.id} ({b.range.file.detname} {b.range.ctype} v{b.versind}) minus version {a.id} "
          f"(v{a.versind}), shape {result['shape']}")
    rows = [("PANEL", "MEAN", "STD", "MIN", "MAX", f"CHANGED (>{args.threshold:g})")]
    for name, s in [("all", result["overall"])] + [(str(p["panel"]), p) for p in result["per_panel"]]:
        rows.append((name, *(f"{s[k]:.4g}" if s[k] is not None else "-" for k in ("mean", "std", "min", "max")),
                     f"{s['changed']}/{s['count']}"))
    print_table(rows)
    return 0


def cmd_provenance(settings, args):
    open_database(settings)
    graph = provenance.graph(_version(args.version))
    if args.json:
        print(json.dumps(graph, indent=2))
        return 0
    labels = {n["id"]: n["label"] for n in graph["nodes"]}
    print(labels[graph["root"]])
    for edge in graph["edges"]:
        print(f"  {labels[edge['to']]} <-{edge['kind']}- {labels[edge['from']]}")
    for node in graph["nodes"]:
        if node["kind"] == "file":
            print(f"  file {node['label']}: sha256 {node['detail']['sha256']}, {node['detail'].get('frames')} frames")
    return 0


def _print_set(calib_set):
    d = calib_set.to_dict()
    print(f"{d['name']} ({d['state']}) of {d['experiment'] or '-'}: {d['pins_count']} pin(s); created by "
          f"{d['created_by']} {d['created']}" + (f"; proposed by {d['proposed_by']}" if d["proposed_by"] else "")
          + (f"; decided by {d['decided_by']}" if d["decided_by"] else ""))


def cmd_set_list(settings, args):
    open_database(settings)
    sets = list_sets(args.experiment, args.state)
    if not sets:
        print("No calibration sets.")
        return
    print_table([("NAME", "EXPERIMENT", "STATE", "PINS", "PROPOSED BY", "DECIDED BY")] + [
        (s.name, s.experiment.name if s.experiment_id else "-", s.state, str(s.pins.count()), s.proposed_by or "-",
         s.decided_by or "-") for s in sets])


def cmd_set_create(settings, args):
    open_database(settings)
    versions = versions_by_id(args.version or [])
    if args.snapshot:
        versions += snapshot(args.snapshot, args.workspace or f"experiment:{args.experiment}")
    _print_set(create_set(cli_actor(), args.name, versions, args.description or "", args.experiment))


def cmd_set_show(settings, args):
    open_database(settings)
    calib_set = get_set(args.name)
    _print_set(calib_set)
    rows = [("DETECTOR", "CTYPE", "RANGE", "VERSION", "ID", "WORK-SPACE")]
    rows += [(v.range.file.detname, v.range.ctype, v.range.name, str(v.versind), str(v.id), v.range.file.workspace)
             for v in pins_of(calib_set)]
    print_table(rows)
    other = calib_set.previous_approved()
    if other is not None:
        changes = diff(calib_set, other)
        print(f"against {other.name}: {len(changes['added'])} added, {len(changes['removed'])} removed, "
              f"{len(changes['changed'])} changed, {changes['same']} the same")
    for event in approval.history(calib_set):
        print(f"  {event['time']} {event['from_state'] or '-'} -> {event['to_state']} by {event['actor']}"
              + (f": {event['comment']}" if event["comment"] else ""))


def cmd_set_pin(settings, args):
    open_database(settings)
    calib_set = change_pins(cli_actor(), acting_as(args.as_user)[1], get_set(args.name), args.add or [],
                            args.remove or [])
    _print_set(calib_set)


def cmd_set_export(settings, args):
    open_database(settings)
    calib_set, store = get_set(args.name), CalibStore(settings.calib_dir)
    if not args.h5 and not args.psana:
        raise UsageError("Say what to write: --h5 FILE and/or --psana FILE.tar.gz.")
    if args.h5:
        print(f"wrote {bundle.write_bundle(store, calib_set, args.h5)} version(s) to {args.h5}")
    if args.psana:
        data, count = bundle.psana_tar(store, calib_set)
        with open(args.psana, "wb") as out:
            out.write(data)
        print(f"wrote {count} psana file(s) to {args.psana}")


def register(sub):
    gen = add_command(sub, "generate", cmd_generate,
                      "Generate pedestals, pixel_rms and pixel_status from a dark run's frames (with progress).")
    gen.add_argument("experiment")
    gen.add_argument("run", type=int)
    gen.add_argument("detname")
    gen.add_argument("--file", help="the frames file, relative to DCS_DATA_ROOT (default: the run's registered file)")
    gen.add_argument("--workspace", help="experiment:<exp> (default) or sandbox:<exp>:<user>")
    gen.add_argument("--runs", help="validity as a psana run range (12-34, 56-end); default: from the run's begin")
    gen.add_argument("--min-frames", type=int, help="fewest frames accepted (default DCS_DARK_MIN_FRAMES)")
    gen.add_argument("--rms-nsigma", type=float, help="rms outlier threshold (default DCS_DARK_RMS_NSIGMA)")
    gen.add_argument("--ped-nsigma", type=float, help="pedestal outlier threshold (default DCS_DARK_PED_NSIGMA)")

    cmp = add_command(sub, "compare", cmd_compare,
                      "Statistics of the difference of two versions (by id), overall and per panel.")
    cmp.add_argument("a", type=int, nargs="?", help="a version id (alone: compared with its predecessor)")
    cmp.add_argument("b", type=int, nargs="?")
    cmp.add_argument("--sets", nargs=2, metavar=("A", "B"), help="compare what two sets pin (with --detname, "
                                                               "--ctype and --time)")
    cmp.add_argument("--detname")
    cmp.add_argument("--ctype")
    cmp.add_argument("--time", help="Unix seconds or ISO 8601")
    cmp.add_argument("--threshold", type=float, default=0.0, help="a pixel changed when |b - a| is above this")
    cmp.add_argument("--bins", type=int, default=50)
    cmp.add_argument("--json", action="store_true")
    prov = add_command(sub, "provenance", cmd_provenance, "What made a version: runs, files, parents, software.")
    prov.add_argument("version", type=int, help="a version id")
    prov.add_argument("--json", action="store_true")

    calib_set = sub.add_parser("set", help="Calibration sets and their approval.",
                               description="Calibration sets: create, pin, propose, approve, reject, export.")
    sets = calib_set.add_subparsers(dest="set_action", metavar="ACTION", required=True)
    ls = add_command(sets, "list", cmd_set_list, "List sets.")
    ls.add_argument("--experiment")
    ls.add_argument("--state", choices=approval.STATES)
    create = add_command(sets, "create", cmd_set_create, "Create a draft from version ids and/or a snapshot.")
    create.add_argument("name")
    create.add_argument("--experiment", required=True)
    create.add_argument("--description")
    create.add_argument("--version", type=int, action="append", help="a version id to pin (repeatable)")
    create.add_argument("--snapshot", nargs="+", metavar="DETNAME", help="pin what lookups pick now for these")
    create.add_argument("--workspace", help="where the snapshot looks (default: the experiment's work-space)")
    add_command(sets, "show", cmd_set_show, "Show a set's pins, diff and history.").add_argument("name")
    pin = add_command(sets, "pin", cmd_set_pin, "Add or remove pins of a draft.")
    pin.add_argument("name")
    pin.add_argument("--add", type=int, action="append", metavar="ID")
    pin.add_argument("--remove", type=int, action="append", metavar="ID")
    add_approval_commands(sets, get_set, revise, _print_set)
    export = add_command(sets, "export", cmd_set_export, "Write an approved set as an HDF5 bundle and/or psana tree.")
    export.add_argument("name")
    export.add_argument("--h5", help="the HDF5 bundle to write")
    export.add_argument("--psana", help="the psana tree to write, as .tar.gz")
    add_as_user(pin)
