"""`dcs calib ...`: the calibration store from the command line (any DCS_DATABASE_URL and DCS_CALIB_DIR).

Exit codes: 0 success, 1 failure, 2 bad usage, 3 when `get` finds no constants that apply.
"""

import sys
from pathlib import Path

import numpy as np

from ..console import UsageError, add_command, cli_actor, open_database, print_table
from ..errors import DcsError
from ..progress import Progress
from ..runs import run_validity
from ..timeutil import iso
from . import h5file
from ..topology.aliases import DetectorAlias, add_alias
from .exchange import diff, squeeze, transfer
from .psana_tree import export_tree, import_tree
from .models import CalibFile, CalibRange, CalibVersion
from .reindex import reindex
from .store import CalibStore, verify
from .workspace import parse_workspace

NOTHING_APPLIES = 3


def _store(settings):
    open_database(settings)
    return CalibStore(settings.calib_dir)


def load_array(path, ctype):
    """A .npy file (or, for geometry, a text file) -> what the store takes."""
    path = Path(path)
    if ctype == "geometry":
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise DcsError(400, f"Cannot read the geometry text {path}: {error}.") from None
    try:
        return np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise DcsError(404, f"There is no file {path}.") from None
    except (OSError, ValueError) as error:
        raise DcsError(400, f"{path} is not a valid .npy file: {error}.") from None


def validity_options(parser):
    parser.add_argument("--begin", help="start of validity: Unix seconds or ISO 8601")
    parser.add_argument("--end", help="end of validity (exclusive); open when absent")
    parser.add_argument("--runs", help="validity as a psana run range of --experiment: 12-34 or 56-end")
    parser.add_argument("--experiment", help="the experiment whose runs --runs names")


def validity_of(args):
    """(begin, end) from --begin/--end or from --runs with --experiment (after the store is opened)."""
    if args.runs:
        if args.begin is not None or args.end is not None or not args.experiment:
            raise UsageError("Give the validity either as --begin (and --end) or as --runs with --experiment.")
        return run_validity(args.experiment, args.runs)
    if args.begin is None:
        raise UsageError("Say when the constants are valid: --begin, or --runs with --experiment.")
    return args.begin, args.end


def cmd_put(settings, args):
    store = _store(settings)
    begin, end = validity_of(args)
    version = store.put(cli_actor(), args.detname, args.ctype, load_array(args.file, args.ctype), begin, end,
                        workspace=args.workspace, tsprod=args.tsprod, comment=args.comment or "", force=args.force,
                        allow_nonfinite=args.allow_nonfinite)
    print(f"stored {args.detname} {args.ctype} {version.range.name} version {version.versind} "
          f"(sha256 {version.sha256[:16]}...) in {args.workspace or 'repository'}")


def cmd_get(settings, args):
    store = _store(settings)
    if args.version is not None and args.versind is not None:
        raise UsageError("Give --version or --versind, not both.")
    array, version = store.get(args.detname, args.ctype, args.time, as_of=args.as_of, version=args.version,
                               versind=args.versind, set_name=args.set, workspace=args.workspace, follow=args.follow,
                               experiment=args.experiment)
    if version is None:
        print(f"dcs: no {args.ctype} constants of {args.detname} apply at {args.time}.", file=sys.stderr)
        return NOTHING_APPLIES
    if isinstance(array, str):
        Path(args.output).write_text(array, encoding="utf-8")
    else:
        np.save(args.output, array, allow_pickle=False)
    print(f"{args.detname} {args.ctype} {version.range.name} version {version.versind} "
          f"({version.dtype} {list(version.shape_tuple)})"
          + (f" pinned by the set {version.via_set}" if version.via_set else "") + f" -> {args.output}")
    return 0


def cmd_default(settings, args):
    store = _store(settings)
    range_ = store.set_default(cli_actor(), args.detname, args.ctype, *validity_of(args), args.versind,
                               args.workspace)
    print(f"the default of {args.detname} {args.ctype} {range_.name} is now version {args.versind}")


def cmd_ls(settings, args):
    _store(settings)
    query = (CalibVersion.with_file()
             .order_by(CalibFile.workspace, CalibFile.detname, CalibRange.ctype, CalibRange.begin_ns,
                       CalibVersion.versind))
    if args.detname:
        query = query.where(CalibFile.detname == args.detname)
    rows = [("WORKSPACE", "DETECTOR", "CTYPE", "RANGE", "V", "PRODUCED", "SHAPE", "STATE")]
    for v in query:
        rows.append((v.range.file.workspace, v.range.file.detname, v.range.ctype, v.range.name, str(v.versind),
                     iso(v.tsprod_ns)[:19], "x".join(map(str, v.shape_tuple)) or "text",
                     "deprecated" if v.deprecated_ns else "ok"))
    print_table(rows)


def cmd_verify(settings, args):
    store = _store(settings)
    with Progress("verifying", 1) as bar:
        problems = verify(store, progress=lambda done, total: bar.update(done, total))
    for problem in problems:
        print(problem)
    count = CalibVersion.select().count()
    if problems:
        raise DcsError(500, f"{len(problems)} of {count} version(s) failed verification.")
    print(f"all {count} version(s) match their checksums")


def cmd_reindex(settings, args):
    store = _store(settings)
    with Progress("reindexing", 1) as bar:
        added = reindex(store.root, progress=lambda done, total: bar.update(done, total))
    print(f"index rebuilt from the files: added {added['files']} file(s), {added['ranges']} range(s), "
          f"{added['versions']} version(s)")


def cmd_squeeze(settings, args):
    store = _store(settings)
    source = parse_workspace(args.workspace).file_for(store.root, args.detname)
    if not source.is_file():
        raise DcsError(404, f"There is no calibration file {source}.")
    count = squeeze(source, args.output, args.begin, args.end)
    print(f"wrote {args.output} with {count} range(s) of {args.detname}")


def cmd_transfer(settings, args):
    store = _store(settings)
    copies = transfer(store, cli_actor(), args.detname, args.ctype, args.source, args.target, args.begin, args.end,
                      args.versind, args.force)
    for copy in copies:
        print(f"copied to {args.target}: {args.ctype} {copy.range.name} version {copy.versind}")


def cmd_diff(settings, args):
    result = diff(args.a, args.b, args.threshold)
    for side in ("only_in_a", "only_in_b"):
        for path in result[side]:
            print(f"{'<' if side == 'only_in_a' else '>'} {path}")
    for change in result["changed"]:
        if change["comparable"]:
            print(f"~ {change['version']}: {change['changed']} of {change['pixels']} values differ "
                  f"(mean {change['mean']:.4g}, std {change['std']:.4g}, min {change['min']:.4g}, "
                  f"max {change['max']:.4g})")
        else:
            print(f"~ {change['version']}: shapes differ {change['shapes']}")
    return 0 if not any(result.values()) else 1


def cmd_export_psana(settings, args):
    store = _store(settings)
    written = export_tree(store, args.experiment, args.out)
    print(f"wrote {len(written)} psana file(s) under {args.out}")


def cmd_import_psana(settings, args):
    store = _store(settings)
    stored, skipped = import_tree(store, cli_actor(), args.dir, args.experiment, args.workspace)
    for reason in skipped:
        print(f"skipped {reason}", file=sys.stderr)
    print(f"imported {len(stored)} version(s) into {args.workspace or 'experiment:' + args.experiment}")


def cmd_alias(settings, args):
    _store(settings)
    if args.detname:
        if args.alias is None or args.begin is None:
            raise UsageError("Give the alias, the detector and from when it holds: ALIAS DETNAME --begin T.")
        row = add_alias(cli_actor(), args.alias, args.detname, args.begin, args.end)
        print(f"{row.alias} names {row.detname} from {iso(row.begin_ns)} to {iso(row.end_ns) or 'the end'}")
        return 0
    rows = [("ALIAS", "DETECTOR", "FROM", "TO")]
    query = DetectorAlias.select().order_by(DetectorAlias.alias, DetectorAlias.begin_ns)
    if args.alias is not None:
        query = query.where(DetectorAlias.alias == args.alias)
    for a in query:
        rows.append((a.alias, a.detname, iso(a.begin_ns)[:19], (iso(a.end_ns) or "end")[:19]))
    print_table(rows)
    return 0


def _open_file(settings, args):
    store = _store(settings)
    path = parse_workspace(args.workspace).file_for(store.root, args.detname)
    if not path.is_file():
        raise DcsError(404, f"There is no calibration file {path}.")
    return path


def cmd_show(settings, args):
    path = _open_file(settings, args)
    with h5file.reading(path) as h5:
        print(f"{h5.attrs['detname']}  ({path})")
        for key in ("predecessor", "successor"):
            if h5.attrs.get(key):
                print(f"  {key}: {h5.attrs[key]}")
        for ctype, group in h5.items():
            print(f"  {ctype}")
            for rname, rgroup in group.items():
                default = rgroup.attrs.get("defaultv", "")
                print(f"    {rname}" + (f"  (default {default})" if default else ""))
                for vname, vgroup in rgroup.items():
                    pars = h5file.read_json_attr(vgroup, "dictpars")
                    state = "  deprecated" if "deprecated" in vgroup.attrs else ""
                    print(f"      v{vgroup.attrs['versind']} {vname}  {pars.get('dtype')} {pars.get('shape')}  "
                          f"{pars.get('comment', '')}{state}")


def cmd_history(settings, args):
    path = _open_file(settings, args)
    where = "/".join(p for p in (args.ctype, args.range, args.version) if p)
    with h5file.reading(path) as h5:
        if where and where not in h5:
            raise DcsError(404, f"{path.name} holds no {where}.")
        for stamp, text in sorted(h5file.read_json_attr(h5[where] if where else h5, "history").items()):
            print(f"{stamp}  {text}")


def register(commands, *more):
    """The `dcs calib` actions; more: functions adding further actions to the same sub-parsers."""
    calib = commands.add_parser("calib", help="The calibration-constants store and its workflow.",
                                description="The calibration-constants store (put, get, list, verify) and its "
                                            "workflow (generate from dark runs, compare, provenance, sets).")
    sub = calib.add_subparsers(dest="action", metavar="ACTION", required=True)
    for add in more:
        add(sub)

    def lookup_options(parser):
        parser.add_argument("--workspace", help="repository (default), experiment:<exp> or sandbox:<exp>:<user>")

    put = add_command(sub, "put", cmd_put, "Store an array (.npy; geometry: a text file) as a new version.")
    put.add_argument("detname")
    put.add_argument("ctype")
    put.add_argument("file")
    validity_options(put)
    put.add_argument("--comment")
    put.add_argument("--tsprod", help="production time, for importing historical constants")
    put.add_argument("--force", action="store_true", help="accept a shape or dtype other than the established one")
    put.add_argument("--allow-nonfinite", action="store_true", help="accept NaN and infinite values")
    lookup_options(put)

    get = add_command(sub, "get", cmd_get, "Write the constants that apply at a time to a .npy file (exit 3: none).")
    get.add_argument("detname")
    get.add_argument("ctype")
    get.add_argument("--time", required=True)
    get.add_argument("--as-of", help="time travel: only what existed then")
    get.add_argument("--version", help="a version by its name")
    get.add_argument("--versind", type=int, help="a version by its index in the range (1, 2, 3 ...)")
    get.add_argument("--set", help="a named calibration set (none: no set)")
    get.add_argument("--experiment", help="the experiment whose latest approved set applies")
    get.add_argument("--follow", action="store_true", help="when nothing applies, try the predecessor and successor")
    get.add_argument("-o", "--output", required=True)
    lookup_options(get)

    show = add_command(sub, "show", cmd_show, "Show one detector's file: types, ranges, versions, defaults.")
    show.add_argument("detname")
    lookup_options(show)
    history = add_command(sub, "history", cmd_history, "Print the history records of a file, type, range or version.")
    history.add_argument("detname")
    history.add_argument("ctype", nargs="?")
    history.add_argument("--range", help="a range name, e.g. 1000-end")
    history.add_argument("--version", help="a version name")
    lookup_options(history)
    alias = add_command(sub, "alias", cmd_alias,
                        "Name a detector by an alias from a time on (ALIAS DETNAME --begin T), or list them.")
    alias.add_argument("alias", nargs="?")
    alias.add_argument("detname", nargs="?")
    alias.add_argument("--begin")
    alias.add_argument("--end")
    default = add_command(sub, "default", cmd_default, "Set the default version of a validity range.")
    default.add_argument("detname")
    default.add_argument("ctype")
    validity_options(default)
    default.add_argument("--versind", type=int, required=True, help="the version index; 0 clears the default")
    lookup_options(default)

    ls = add_command(sub, "ls", cmd_ls, "List the versions in the store.")
    ls.add_argument("detname", nargs="?")
    sq = add_command(sub, "squeeze", cmd_squeeze, "Write a self-contained file of the ranges a time window needs.")
    sq.add_argument("detname")
    sq.add_argument("--begin", required=True)
    sq.add_argument("--end")
    sq.add_argument("-o", "--output", required=True)
    lookup_options(sq)
    tr = add_command(sub, "transfer", cmd_transfer, "Copy versions between work-spaces, keeping their history.")
    tr.add_argument("detname")
    tr.add_argument("ctype")
    tr.add_argument("--from", dest="source", required=True, help="work-space to copy from")
    tr.add_argument("--to", dest="target", required=True, help="work-space to copy to")
    tr.add_argument("--begin", help="only the range that begins here")
    tr.add_argument("--end", help="only the range that ends here")
    tr.add_argument("--versind", type=int, help="only this version of the range")
    tr.add_argument("--force", action="store_true", help="accept a shape other than the destination's")
    df = add_command(sub, "diff", cmd_diff, "List what differs between two calibration files (exit 1 if anything).")
    df.add_argument("a")
    df.add_argument("b")
    df.add_argument("--threshold", type=float, default=0.0, help="count values differing by more than this")
    ex = add_command(sub, "export-psana", cmd_export_psana,
                     "Write psana's calib/<Group>/<source>/<ctype>/<runs>.data tree for an experiment's runs.")
    ex.add_argument("out")
    ex.add_argument("--experiment", required=True)
    im = add_command(sub, "import-psana", cmd_import_psana,
                     "Store a psana calibration tree's files as versions valid for their runs.")
    im.add_argument("dir")
    im.add_argument("--experiment", required=True)
    lookup_options(im)
    add_command(sub, "reindex", cmd_reindex, "Rebuild the index from the HDF5 files alone (ids and set pins kept).")
    add_command(sub, "verify", cmd_verify, "Check every version against its checksum (rolls back broken writes).")
