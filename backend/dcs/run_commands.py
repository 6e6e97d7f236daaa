"""`dcs experiment ...` and `dcs run ...`: experiments, runs, dark-run tags, the e-log and data files.

The CLI acts as the operator at the server (audited as cli:<login>); the group checks of the API
do not apply to it.
"""

from .calib.darks import auto_generate
from .console import add_command, cli_actor, open_database, print_table
from .runs import (DARK_REASONS, DATA_TYPES, Experiment, add_experiment, add_note, add_run, details_of, end_run,
                   experiment_dict, get_experiment, get_run, register_file, runs_of, set_dark_detectors, tag_dark,
                   untag_dark)
from .timeutil import iso


def _started(settings, run):
    for job in auto_generate(cli_actor(), settings, run):
        p = job.parameters
        print(f"queued job {job.id}: constants of {p['detname']} from run {p['run']} (a running `dcs serve` takes it)")


def cmd_experiment_add(settings, args):
    open_database(settings)
    experiment = add_experiment(cli_actor(), args.name, args.instrument or "", args.group)
    print(f"created experiment {experiment.name}")


def cmd_experiment_list(settings, args):
    open_database(settings)
    rows = [experiment_dict(e) for e in Experiment.select().order_by(Experiment.name)]
    print_table([("NAME", "INSTRUMENT", "GROUP", "RUNS", "DARK", "DARK DETECTORS")] + [
        (e["name"], e["instrument"], e["group"] or "-", str(e["runs"]), str(e["dark_runs"]),
         ",".join(e["dark_detectors"]) or "-") for e in rows])


def cmd_experiment_darks(settings, args):
    open_database(settings)
    experiment = set_dark_detectors(cli_actor(), get_experiment(args.name), args.detectors)
    print(f"{experiment.name}: constants are generated from dark runs for "
          + (", ".join(args.detectors) or "no detector"))


def cmd_run_add(settings, args):
    open_database(settings)
    dark = {"reason": args.dark, "reason_text": args.reason_text or "", "notes": args.notes or ""} if args.dark \
        else None
    run = add_run(cli_actor(), args.experiment, args.number, args.begin, args.end, args.data_type, dark)
    print(f"recorded run {run.number} of {args.experiment}" + (" (dark)" if dark else ""))


def cmd_run_end(settings, args):
    open_database(settings)
    run = end_run(cli_actor(), get_run(args.experiment, args.number), args.end)
    print(f"run {run.number} of {args.experiment} ended at {iso(run.end_ns)}")


def cmd_run_list(settings, args):
    open_database(settings)
    runs = details_of(runs_of(args.experiment, dark_only=args.dark))
    if not runs:
        print(f"{args.experiment} has no {'dark ' if args.dark else ''}runs.")
        return
    print_table([("RUN", "BEGIN", "END", "TYPE", "DARK REASON", "FILES")] + [
        (str(r["number"]), r["begin"], r["end"] or "-", r["data_type"],
         (r["dark"]["reason_label"] + (f": {r['dark']['reason_text']}" if r["dark"]["reason_text"] else ""))
         if r["dark"] else "-", ",".join(f["detname"] for f in r["files"]) or "-") for r in runs])


def cmd_run_tag(settings, args):
    open_database(settings)
    run = tag_dark(cli_actor(), get_run(args.experiment, args.number), args.reason, args.reason_text or "",
                   args.notes or "")
    print(f"run {run.number} of {args.experiment} is tagged dark: {DARK_REASONS[args.reason]}")
    _started(settings, run)


def cmd_run_untag(settings, args):
    open_database(settings)
    run = untag_dark(cli_actor(), get_run(args.experiment, args.number), args.comment or "")
    print(f"run {run.number} of {args.experiment} is no longer dark (data type {run.data_type})")


def cmd_run_note(settings, args):
    open_database(settings)
    add_note(cli_actor(), get_run(args.experiment, args.number), args.text)
    print(f"noted in the e-log of run {args.number} of {args.experiment}")


def cmd_run_file(settings, args):
    open_database(settings)
    run = get_run(args.experiment, args.number)
    entry = register_file(cli_actor(), run, args.detname, args.path, settings.data_root)
    print(f"registered {entry.path} ({entry.size} bytes) for {entry.detname} in run {run.number}")
    _started(settings, run)


def _run_arguments(parser):
    parser.add_argument("experiment")
    parser.add_argument("number", type=int)


def register(commands):
    experiment = commands.add_parser("experiment", help="Manage experiments.",
                                     description="Experiments: their group and the detectors calibrated from "
                                                 "their dark runs.")
    experiments = experiment.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = add_command(experiments, "add", cmd_experiment_add, "Create an experiment.")
    add.add_argument("name")
    add.add_argument("--instrument")
    add.add_argument("--group", help="the group whose members write in its work-space and approve its sets")
    add_command(experiments, "list", cmd_experiment_list, "List experiments with run counts.")
    darks = add_command(experiments, "darks", cmd_experiment_darks,
                        "Set the detectors whose constants are generated by themselves from dark runs.")
    darks.add_argument("name")
    darks.add_argument("detectors", nargs="*", metavar="DETNAME")

    run = commands.add_parser("run", help="Record runs, tag dark runs, keep the e-log.",
                              description="Runs of an experiment: record, end, list, tag dark, notes, data files.")
    runs = run.add_subparsers(dest="action", metavar="ACTION", required=True)
    radd = add_command(runs, "add", cmd_run_add, "Record a run (--dark REASON tags it dark at its start).")
    _run_arguments(radd)
    radd.add_argument("--begin", required=True, help="Unix seconds or ISO 8601")
    radd.add_argument("--end")
    radd.add_argument("--data-type", default="physics", choices=DATA_TYPES)
    radd.add_argument("--dark", choices=tuple(DARK_REASONS), metavar="REASON",
                      help=f"tag it dark: {', '.join(DARK_REASONS)}")
    radd.add_argument("--reason-text", help="what the reason other means")
    radd.add_argument("--notes")
    rend = add_command(runs, "end", cmd_run_end, "Set the end time of a run.")
    _run_arguments(rend)
    rend.add_argument("end")
    rlist = add_command(runs, "list", cmd_run_list, "List an experiment's runs.")
    rlist.add_argument("experiment")
    rlist.add_argument("--dark", action="store_true", help="dark runs only")
    tag = add_command(runs, "tag", cmd_run_tag, "Tag a run dark, with a reason (may start generation).")
    _run_arguments(tag)
    tag.add_argument("--reason", required=True, choices=tuple(DARK_REASONS))
    tag.add_argument("--reason-text", help="what the reason other means")
    tag.add_argument("--notes")
    untag = add_command(runs, "untag", cmd_run_untag, "Remove a run's dark tag.")
    _run_arguments(untag)
    untag.add_argument("--comment")
    note = add_command(runs, "note", cmd_run_note, "Add a note to a run's e-log.")
    _run_arguments(note)
    note.add_argument("text")
    rfile = add_command(runs, "file", cmd_run_file,
                        "Register a run's raw data file for a detector (a path under DCS_DATA_ROOT).")
    _run_arguments(rfile)
    rfile.add_argument("detname")
    rfile.add_argument("path")
