"""Running commands: arguments checked before anything runs, roles, confirmation, one command per device at a
time, utilities that hang, fail or print garbage reported clearly, cancellation, the run log and the audit log;
the device's lock released in every case."""

import json
import os
import textwrap
import threading

import pytest

from dcs.audit import AuditEntry
from dcs.commands import modules, runner
from dcs.commands.models import CommandRun, DeviceLock

from ..conftest import assert_error, refusal, snapshot
from ..monitoring.conftest import ACTOR, plant, principal  # noqa: F401 (plant: the fixture)

PROBE = textwrap.dedent('''
    import sys
    from dcs.commands.modules import Arg, Module
    from dcs.commands.runner import Outcome
    from dcs.commands.textutil import key_values

    module = Module("probe", "Utilities that behave well and badly", device_types=("sipm",))
    PY = sys.executable

    @module.command("echo", "Print a text", args=[Arg("text", "str"), Arg("times", "int", 1, 3, default=1)])
    def echo(ctx, text, times):
        return ctx.run([PY, "-c", "import sys; print(sys.argv[1] * int(sys.argv[2]))", text, str(times)])

    @module.command("hang", "Never answer", timeout_s=1)
    def hang(ctx):
        return ctx.run([PY, "-c", "import time; time.sleep(60)"])

    @module.command("fail", "Exit 3")
    def fail(ctx):
        return ctx.run([PY, "-c", "import sys; print('partial'); sys.exit('error: no such channel')"])

    @module.command("garbage", "Print bytes that are no reply")
    def garbage(ctx):
        reply = ctx.run([PY, "-c", "import os, sys; sys.stdout.buffer.write(os.urandom(4096))"])
        return Outcome(reply, key_values(reply.stdout, ("temp",)))

    @module.command("flood", "Print a megabyte")
    def flood(ctx):
        return ctx.run([PY, "-c", "print('x' * 1024 * 1024)"])

    @module.command("slow", "Take a while", timeout_s=60)
    def slow(ctx):
        return ctx.run([PY, "-c", "import time; time.sleep(30)"])

    @module.command("env", "Show the environment", role="viewer")
    def env(ctx):
        return ctx.run([PY, "-c", "import os; print(' '.join(sorted(os.environ)))"])

    @module.command("switch", "Change the hardware", danger="confirm")
    def switch(ctx):
        return "switched"
''')


@pytest.fixture
def probe(settings, plant):
    folder = settings.command_modules
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "probe.py"), "w") as out:
        out.write(PROBE)
    with open(os.path.join(folder, "broken.py"), "w") as out:
        out.write("raise RuntimeError('this module is broken')\n")
    modules.load(settings, reload=True)
    yield settings
    for thread in threading.enumerate():  # runs still ending write to this test's database, not the next one's
        if thread.name.startswith("dcs-command-"):
            thread.join(30)


def run(settings, key, devices=("sipm-hv01",), who="olaf", wait=True, confirm=False, **arguments):
    return runner.start(settings, ACTOR, principal(who), key, list(devices), arguments, confirm, wait=wait)


def test_a_command_runs_its_utility_and_the_run_log_keeps_who_what_and_how(probe):
    (done,) = run(probe, "probe.echo", text="ab", times=2)
    r = done.to_dict()
    assert (r["state"], r["exit_code"], r["output"], r["arguments"]) == ("done", 0, "abab\n", {"text": "ab", "times": 2})
    assert r["actor"] == "test:monitoring" and r["duration_s"] >= 0 and r["device"] == "sipm-hv01"
    assert DeviceLock.select().count() == 0
    actions = [e.action for e in AuditEntry.select().where(AuditEntry.object_type == "command")]
    assert actions == ["command.start", "command.end"]


@pytest.mark.parametrize("arguments, words", [
    ({}, ["text is required"]),
    ({"text": "a", "times": 9}, ["times must be at most 3"]),
    ({"text": "a", "times": "two"}, ["times must be a whole number"]),
    ({"text": "a", "times": 1.5}, ["whole number"]),
    ({"text": "a", "channel": 3}, ["channel is not an argument of probe.echo"]),
    ({"text": "line\nBcc: x"}, ["one line"]),
])
def test_bad_arguments_are_refused_before_anything_runs(probe, arguments, words):
    error = refusal(lambda: run(probe, "probe.echo", **arguments))
    assert error.status == 400 and all(w in error.message for w in words), error.message


def test_the_role_the_device_type_and_the_confirmation_are_checked_first(probe):
    assert refusal(lambda: run(probe, "probe.echo", who="vera", text="a")).status == 403
    assert "is a bgo" in refusal(lambda: run(probe, "probe.echo", devices=("bgo-0",), text="a")).message
    assert "confirm" in refusal(lambda: run(probe, "probe.switch")).message
    assert run(probe, "probe.switch", confirm=True)[0].state == "done"
    assert "no command module 'nope'" in refusal(lambda: run(probe, "nope.echo")).message
    assert "has no command 'launch'" in refusal(lambda: run(probe, "probe.launch")).message


def test_a_utility_that_hangs_is_stopped_at_the_timeout_and_the_device_is_free_again(probe):
    (hung,) = run(probe, "probe.hang")
    assert hung.state == "timeout" and "did not answer within" in hung.message
    assert DeviceLock.select().count() == 0
    assert run(probe, "probe.echo", text="next")[0].state == "done"


def test_a_utility_that_fails_is_reported_with_its_exit_code_and_message(probe):
    (failed,) = run(probe, "probe.fail")
    assert (failed.state, failed.exit_code) == ("failed", 1)
    assert failed.message.endswith("exited with 1: error: no such channel") and failed.output == "partial\n"
    assert DeviceLock.select().count() == 0


def test_garbage_from_a_utility_is_a_failure_that_says_so(probe):
    (garbled,) = run(probe, "probe.garbage")
    assert garbled.state == "failed" and garbled.message.startswith("the reply could not be read")
    assert DeviceLock.select().count() == 0


def test_output_is_kept_up_to_64_kib(probe):
    (flooded,) = run(probe, "probe.flood")
    assert len(flooded.output) == 64 * 1024 and "cut" in flooded.message


def test_the_utility_sees_only_an_allow_listed_environment(probe, monkeypatch):
    monkeypatch.setenv("DCS_SECRET_KEY", "do-not-leak-this-" + "x" * 20)
    (shown,) = run(probe, "probe.env", who="vera")
    assert "DCS_SECRET_KEY" not in shown.output and set(shown.output.split()) <= set(runner.textutil.ENVIRONMENT)


def test_two_commands_never_run_on_one_device_at_once_and_a_running_one_can_be_cancelled(probe):
    (slow,) = run(probe, "probe.slow", wait=False)
    busy = refusal(lambda: run(probe, "probe.echo", text="a"))
    assert busy.status == 409 and f"busy with probe.slow (run {slow.id}" in busy.message
    runner.cancel(ACTOR, principal("olaf"), slow)
    for _ in range(300):  # bounded: the runner notices within 50 ms
        if CommandRun.get_by_id(slow.id).state != "running":
            break
        threading.Event().wait(0.05)
    assert CommandRun.get_by_id(slow.id).state == "cancelled"
    assert DeviceLock.select().count() == 0
    assert refusal(lambda: runner.cancel(ACTOR, principal("olaf"), CommandRun.get_by_id(slow.id))).status == 409


def test_a_command_on_many_devices_locks_all_or_none(probe):
    from dcs.topology.devices import add_device

    add_device(ACTOR, "sipm-hv02", subsystem="ECal", group="ecal")
    (slow,) = run(probe, "probe.slow", devices=("sipm-hv02",), wait=False)
    before = snapshot()
    refusal(lambda: run(probe, "probe.echo", devices=("sipm-hv01", "sipm-hv02"), text="a"))
    assert snapshot() == before  # sipm-hv01 was not locked or run either
    runner.cancel(ACTOR, principal("olaf"), slow)
    both = run(probe, "probe.echo", devices=("sipm-hv01",), text="a")
    assert [r.state for r in both] == ["done"]


def test_a_broken_module_file_is_left_out_and_the_others_load(probe):
    assert "probe" in modules.load(probe) and "broken" not in modules.load(probe)


def test_the_api_runs_a_command_and_follows_it(probe, login):
    operator, viewer = login("olaf"), login("vera")
    answer = operator.post("/api/commands/runs", {"command": "probe.echo", "devices": ["sipm-hv01"],
                                                  "arguments": {"text": "hi"}})
    assert answer.status_int == 202
    run_id = answer.json["runs"][0]["id"]
    for _ in range(200):
        found = viewer.get(f"/api/commands/runs/{run_id}").json["run"]
        if found["state"] != "running":
            break
        threading.Event().wait(0.05)
    assert found["state"] == "done" and found["output"] == "hi\n"
    listed = viewer.get("/api/commands/runs?device=sipm-hv01").json["runs"]
    assert [r["id"] for r in listed] == [run_id]
    assert [r["id"] for r in viewer.get("/api/commands/runs?command=probe.echo&state=done").json["runs"]] == [run_id]
    assert viewer.get("/api/commands/runs?command=probe.slow").json["runs"] == []
    assert_error(viewer.get("/api/commands/runs?device=nope"), 404, "no device named 'nope'")
    assert_error(viewer.get("/api/commands/runs?state=finished"), 400, "state must be one of")
    names = {c["key"] for m in viewer.get("/api/commands").json["modules"] for c in m["commands"]}
    assert {"probe.echo", "sipm.set-hv"} <= names
    assert_error(viewer.post("/api/commands/runs", {"command": "probe.echo", "devices": ["sipm-hv01"],
                                                    "arguments": {"text": "hi"}}), 403, "operators of ecal")
    assert_error(operator.post("/api/commands/runs", {"command": "probe.echo", "devices": [],
                                                      "arguments": {"text": "hi"}}), 400, "1 to 64")
    body = assert_error(operator.post("/api/commands/runs", {"command": "probe.echo", "devices": ["sipm-hv01"],
                                                             "arguments": {"times": 7}}), 400, "was not run")
    assert {e["field"] for e in body["errors"]} == {"text", "times"}
    assert json.loads(json.dumps(body))  # the error shape, serialisable


def test_a_run_left_by_a_process_that_died_is_failed_and_its_device_freed(probe):
    import socket
    import subprocess
    import sys

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (slow,) = run(probe, "probe.slow", wait=False)
    runner.cancel(ACTOR, principal("olaf"), slow)
    for _ in range(300):
        if CommandRun.get_by_id(slow.id).state != "running":
            break
        threading.Event().wait(0.05)
    # As a crashed server leaves them: a run still "running" for a process that is gone, holding its device.
    CommandRun.update(state="running", finished_ns=None, worker=f"{socket.gethostname()}:{gone.stdout.strip()}") \
        .where(CommandRun.id == slow.id).execute()
    DeviceLock.insert(device=slow.device_id, run_id=slow.id, since_ns=0, until_ns=2**62).execute()
    runner.recover_abandoned()
    found = CommandRun.get_by_id(slow.id)
    assert found.state == "failed" and "stopped while the command ran" in found.message
    assert DeviceLock.select().count() == 0


def test_a_nul_from_a_utility_is_dropped_and_a_huge_number_is_refused(probe):
    import sys

    from dcs.commands.modules import Arg

    ctx_module = modules.load(probe)["probe"]

    @ctx_module.command("nul", "Print a NUL byte")
    def nul(ctx):
        return ctx.run([sys.executable, "-c", "import sys; sys.stdout.buffer.write(b'a\\x00b')"])

    (found,) = run(probe, "probe.nul")
    assert found.state == "done" and found.output == "ab"
    assert "finite" in refusal(lambda: run(probe, "probe.echo", text="a", times=10**400)).message
    assert "must not start with '-'" in refusal(lambda: run(probe, "probe.echo", text="--state=/etc")).message
    assert Arg("x", "int").check("7") == 7
