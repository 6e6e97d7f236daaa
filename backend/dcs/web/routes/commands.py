"""Commands: the modules and their commands, running one on devices (checked, locked, logged), the run log,
one run, and cancelling a running one."""

from bottle import response

from ...commands import runner
from ...commands.modules import load
from ...commands.models import RUN_STATES
from ...errors import bad_request
from ...topology.models import Device
from .. import query
from ..fields import Bool, Body, Dict, List, Str

RUN = Body(command=Str(min_len=3, max_len=81, description="module.command, e.g. sipm.set-hv"),
           devices=List(Str(min_len=3, max_len=200), max_items=runner.MAX_DEVICES),
           arguments=Dict(max_bytes=4000, default={}), confirm=Bool(default=False))


LISTED_OUTPUT = 4096


def _listed(run):
    """A run in a list: its output and errors cut to their first 4 KiB (the run itself has them whole)."""
    for key in ("output", "errors"):
        if len(run[key]) > LISTED_OUTPUT:
            run[key] = run[key][:LISTED_OUTPUT] + "\n… (cut; the run's own page has all of it)"
    return run


def register(api):
    @api.route("/commands", "GET", perm="read", tag="commands")
    def modules(settings):
        """The command modules, their commands with argument schemas, roles, danger and timeouts."""
        return {"ok": True, "modules": [m.to_dict() for m in load(settings).values()]}

    @api.route("/commands/runs", "POST", perm="commands.run", body=RUN, tag="commands")
    def run_command(settings, principal, actor, body):
        """Run a command on one or many devices; answers 202 with the runs, which the run log then follows."""
        runs = runner.start(settings, actor, principal, body["command"], body["devices"], body["arguments"],
                            body["confirm"])
        response.status = 202
        return {"ok": True, "runs": [r.to_dict() for r in runs]}

    @api.route("/commands/runs", "GET", perm="read", tag="commands",
               query=(("device", "one device's runs"), ("batch", "the runs started together"),
                      ("command", "one command's runs, e.g. sipm.status"), ("state", "running, done, failed, ..."),
                      ("limit", "how many (default 100, at most 1000)")))
    def runs():
        """The run log, newest first: who ran what, when, with which arguments, and how it went."""
        device = Device.named(query.text("device")) if query.text("device") else None
        state = query.text("state")
        if state and state not in RUN_STATES:
            raise bad_request(f"The state must be one of {', '.join(RUN_STATES)}.")
        found = runner.list_runs(device, query.text("batch"), min(query.whole("limit", 100, digits=4), 1000),
                                 query.text("command"), state)
        return {"ok": True, "runs": [_listed(r.to_dict()) for r in found]}

    @api.route("/commands/runs/<run_id:int>", "GET", perm="read", tag="commands")
    def one_run(run_id):
        """One run with its full output."""
        return {"ok": True, "run": runner.get_run(run_id).to_dict()}

    @api.route("/commands/runs/<run_id:int>/cancel", "POST", perm="commands.run", tag="commands")
    def cancel_run(run_id, principal, actor):
        """Stop a running command (its utility is killed); operators of the device's group."""
        return {"ok": True, "run": runner.cancel(actor, principal, runner.get_run(run_id)).to_dict()}
