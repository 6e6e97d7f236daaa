"""One place for operations: run a command of a module on one device or many, from the UI, the API or the CLI.

Everything is checked before anything runs: the arguments against the command's schema, the devices' types,
the person's role in each device's group, the confirmation of a dangerous command, and that no other command
holds any of the devices (all devices are locked at once, or none). Each device gets a run in the run log (who,
when, arguments, exit code, output, duration) and an entry in the audit log; the lock is released however the
run ends. A running command can be cancelled: its utility is stopped.
"""

import json
import logging
import os
import secrets
import socket
import threading
import time
from pathlib import Path

import peewee

from ..audit import record
from ..db import database, writing
from ..errors import DcsError, bad_request, conflict, not_found
from ..jobs import worker_gone
from ..timeutil import NS, now_ns
from ..topology.devices import require_device_role
from ..topology.models import Device
from . import textutil
from .models import FINISHED, CommandRun, DeviceLock
from .modules import get_command

log = logging.getLogger(__name__)

MAX_DEVICES = 64  # a command goes to controllers: a detector has a few dozen
MAX_RUNNING = 64  # runs at once in one process (each is a thread and a utility)
KILL_WAIT_S = 10
_RUNNING = [0]
_CAPACITY_LOCK = threading.Lock()
LOCK_MARGIN_S = 60
WORKER = f"{socket.gethostname()}:{os.getpid()}"
_CANCELS = {}  # run id -> Event, for the runs of this process


class Context:
    """What a command's function gets: the device, a place for files of its own, and `run` for utilities."""

    def __init__(self, settings, module, device, run_id, deadline):
        self.settings, self.device, self.run_id, self.deadline = settings, device, run_id, deadline
        self.work_dir = Path(settings.command_state_dir) / module.name
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self._event = _CANCELS.setdefault(run_id, threading.Event())
        self._checked = 0.0

    def cancelled(self):
        if self._event.is_set():
            return True
        if time.monotonic() - self._checked > 1.0:  # asked from another process: the flag in the database
            self._checked = time.monotonic()
            if CommandRun.select(CommandRun.cancel_requested).where(CommandRun.id == self.run_id).scalar():
                self._event.set()
        return self._event.is_set()

    def run(self, argv, timeout_s=None, env=None):
        """Run a utility within what is left of the command's timeout."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise DcsError(504, "the command's time is up; nothing more was run")
        return textutil.run(argv, min(left, timeout_s or left), env=env, cancelled=self.cancelled)


class Outcome:
    """What a command's function may return instead of a bare Reply: values read from the reply, and a summary."""

    def __init__(self, reply, result=None, message=""):
        self.reply, self.result, self.message = reply, result or {}, message


def _devices(names, module, command, principal, authorized=False):
    if not isinstance(names, list) or not names or len(names) > MAX_DEVICES:
        raise bad_request(f"Name the devices to run {command.key} on: 1 to {MAX_DEVICES} of them.")
    devices = []
    for name in dict.fromkeys(names):
        device = Device.named(name)
        if not module.applies_to(device):
            raise bad_request(f"{device.name} is a {device.type.name}; the module {module.name} applies to "
                              f"{', '.join(module.device_types)}.")
        if not authorized:
            require_device_role(principal, device, command.role, f"Running {command.key} on {device.name}")
        devices.append(device)
    return devices


def _lock(devices, runs, timeout_s, now):
    """Lock every device for its run, or none: a 409 naming a device another command holds."""
    ids = [d.id for d in devices]
    DeviceLock.delete().where(DeviceLock.device.in_(ids), DeviceLock.until_ns < now).execute()  # lapsed
    held = {lock.device_id: lock for lock in DeviceLock.select().where(DeviceLock.device.in_(ids))}
    for device in devices:
        lock = held.get(device.id)
        if lock is not None:
            other = CommandRun.get_or_none(CommandRun.id == lock.run_id)
            what = f"{other.module}.{other.command} (run {other.id}, by {other.actor})" if other else "a command"
            raise conflict(f"{device.name} is busy with {what}; wait for it to end or cancel it.")
    try:
        DeviceLock.insert_many([{"device": run.device_id, "run_id": run.id, "since_ns": now,
                                 "until_ns": now + int((timeout_s + LOCK_MARGIN_S) * NS)} for run in runs]).execute()
    except peewee.IntegrityError:  # another process locked one of them a moment ago
        raise conflict("One of the devices was just taken by another command; try again when it ends.") from None


def start(settings, actor, principal, key, device_names, arguments, confirm=False, wait=False, authorized=False):
    """Check, lock and start a command on devices: the runs (finished when wait, else running in threads).
    authorized: a reaction rule whose maker's role was checked runs it (principal None)."""
    module, command = get_command(settings, key)
    clean = command.check_args(arguments if arguments is not None else {})
    devices = _devices(device_names, module, command, principal, authorized)
    if command.danger == "confirm" and not confirm:
        raise bad_request(f"{command.key} changes the hardware: confirm it (confirm: true, or --yes).",
                          errors=[{"field": "confirm", "error": "is required"}])
    with _CAPACITY_LOCK:
        if _RUNNING[0] + len(devices) > MAX_RUNNING:
            raise DcsError(503, f"{_RUNNING[0]} commands are running in this process, at most {MAX_RUNNING} at "
                                "once; try again when some have ended.")
        _RUNNING[0] += len(devices)  # given back as each run ends (or here, if it never starts)
    try:
        runs = _begin(actor, module, command, clean, devices)
    except BaseException:
        _done(len(devices))
        raise
    threads = [threading.Thread(target=_in_thread, args=(settings, actor, module, command, clean, run, device),
                                name=f"dcs-command-{run.id}", daemon=True) for run, device in zip(runs, devices)]
    for index, thread in enumerate(threads):
        try:
            thread.start()
        except RuntimeError:  # no thread to be had: the runs not started end here, and free their devices
            for run, device in list(zip(runs, devices))[index:]:
                _finish(actor, command, run, device, "failed", None, "", "",
                        "the portal could not start the command (no thread free)", {})
            _done(len(threads) - index)
            raise DcsError(503, "The portal could not start the command now; try again.") from None
    if wait:
        try:
            for thread in threads:
                thread.join()
        except KeyboardInterrupt:  # the CLI is interrupted: stop the utilities, let the runs record it
            for run in runs:
                _CANCELS.setdefault(run.id, threading.Event()).set()
            for thread in threads:
                thread.join(KILL_WAIT_S)
            raise
    return [CommandRun.get_by_id(run.id) for run in runs]


def _done(count):
    with _CAPACITY_LOCK:
        _RUNNING[0] -= count


def _begin(actor, module, command, clean, devices):
    """The runs, created with their devices locked, in one transaction."""
    now = now_ns()
    batch = secrets.token_hex(8)
    with writing():
        runs = [CommandRun.create(batch=batch, module=module.name, command=command.name, device=device.id,
                                  arguments=json.dumps(clean, sort_keys=True), actor=actor.label, state="running",
                                  started_ns=now, worker=WORKER) for device in devices]
        if command.conflicts:
            _lock(devices, runs, command.timeout_s, now)
        record(actor, "command.start", "command", command.key,
               f"started {command.key} on {', '.join(d.name for d in devices)}",
               after={"arguments": clean, "runs": [r.id for r in runs]})
    return runs


def _in_thread(*args):
    database.connect(reuse_if_open=True)
    try:
        _execute(*args)
    finally:
        database.close()


def _execute(settings, actor, module, command, arguments, run, device):
    """Run one command on one device and record how it went; the lock is released whatever happens."""
    deadline = time.monotonic() + command.timeout_s
    state, exit_code, output, errors, message, result = "failed", None, "", "", "", {}
    try:
        ctx = Context(settings, module, device, run.id, deadline)
        outcome = command.run(ctx, **arguments)
        if isinstance(outcome, textutil.Reply):
            outcome = Outcome(outcome)
        if isinstance(outcome, Outcome):
            reply = outcome.reply
            exit_code, output, errors = reply.exit_code, reply.stdout, reply.stderr
            state = "timeout" if reply.timed_out else "cancelled" if reply.cancelled else \
                "done" if reply.ok else "failed"
            message = outcome.message if reply.ok else reply.why()
            result = outcome.result if reply.ok else {}
            if reply.truncated:
                message += " (the output was longer than 64 KiB and is cut)"
        else:
            state, message = "done", str(outcome or "")
    except textutil.ReplyError as error:
        message = f"the reply could not be read: {error}"
    except DcsError as error:
        message = error.message
    except Exception as error:  # noqa: BLE001 - a module's bug is the run's failure, not the portal's
        log.exception("command %s on %s failed", command.key, device.name)
        message = f"{type(error).__name__}: {error}"
    finally:
        _finish(actor, command, run, device, state, exit_code, output, errors, message, result)
        _CANCELS.pop(run.id, None)
        _done(1)


def _clean(text):
    return text.replace("\x00", "")  # a NUL from a utility is no text for the database


def _finish(actor, command, run, device, state, exit_code, output, errors, message, result):
    """Record how a run ended and free its device; if that fails, at least end the run and free the device."""
    try:
        with writing():
            CommandRun.update(state=state, exit_code=exit_code, output=_clean(output), errors=_clean(errors),
                              message=_clean(message)[:2000], result=json.dumps(result),
                              finished_ns=now_ns()).where(CommandRun.id == run.id).execute()
            DeviceLock.delete().where(DeviceLock.device == device.id, DeviceLock.run_id == run.id).execute()
            record(actor, "command.end", "command", command.key, f"{command.key} on {device.name}: {state}",
                   after={"run": run.id, "exit_code": exit_code, "message": _clean(message)[:500]})
    except Exception:  # noqa: BLE001 - the device must not stay locked because the log could not be written
        log.exception("recording the end of run %s failed", run.id)
        with writing():
            CommandRun.update(state="failed", finished_ns=now_ns(),
                              message="the run ended but its output could not be recorded").where(
                CommandRun.id == run.id).execute()
            DeviceLock.delete().where(DeviceLock.run_id == run.id).execute()


def get_run(run_id):
    found = CommandRun.get_or_none(CommandRun.id == run_id) if 0 < run_id < 2**62 else None
    if found is None:
        raise not_found(f"There is no command run {run_id}.")
    return found


def cancel(actor, principal, run):
    """Ask a running command to stop (its utility is killed); a 409 when it has ended."""
    if run.actor != actor.label:  # one's own run may always be stopped
        require_device_role(principal, run.device, "operator", f"Cancelling run {run.id}")
    with writing():
        run = CommandRun.get_by_id(run.id)
        if run.state in FINISHED:
            raise conflict(f"Run {run.id} has already ended ({run.state}).")
        run.cancel_requested = 1
        run.save()
        record(actor, "command.cancel", "command", f"{run.module}.{run.command}", f"asked to cancel run {run.id}")
    event = _CANCELS.get(run.id)
    if event is not None:
        event.set()
    return run


def list_runs(device=None, batch=None, limit=100, command=None, state=None):
    query = (CommandRun.select(CommandRun, Device).join(Device, on=(CommandRun.device == Device.id))
             .order_by(CommandRun.started_ns.desc(), CommandRun.id.desc()).limit(limit))
    if device is not None:
        query = query.where(CommandRun.device == device)
    if batch:
        query = query.where(CommandRun.batch == batch)
    if command:
        module, _, name = command.partition(".")
        query = query.where(CommandRun.module == module, CommandRun.command == name)
    if state:
        query = query.where(CommandRun.state == state)
    return list(query)


def recover_abandoned():
    """Runs that this host's dead processes left running are failed and their devices freed: they will not end
    by themselves (called when `dcs serve` starts)."""
    for run in CommandRun.select().where(CommandRun.state == "running", CommandRun.worker.startswith(
            f"{socket.gethostname()}:")):
        if worker_gone(run.worker):
            with writing():
                CommandRun.update(state="failed", finished_ns=now_ns(),
                                  message="the portal stopped while the command ran; check the device").where(
                    CommandRun.id == run.id, CommandRun.state == "running").execute()
                DeviceLock.delete().where(DeviceLock.run_id == run.id).execute()
