"""`sipm-ctl`, the simulated SiPM HV board, run as the real executable the way the command module runs it."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

SIPM_CTL = Path(sys.executable).with_name("sipm-ctl")
STATE_NAMES = {"off", "on", "ramp", "trip"}


def environment(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIPM_CTL_")}
    env.update(extra)
    return env


def ctl(state, *args, env=None):
    argv = [str(SIPM_CTL), *(["--state", str(state)] if state else []), *args]
    return subprocess.run(argv, check=False, capture_output=True, text=True, timeout=15, env=env or environment())


def ok(state, *args):
    done = ctl(state, *args)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return done.stdout


def refused(state, *args, code):
    """The one `error:` line on stderr of a call that exits with `code`."""
    done = ctl(state, *args)
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    assert done.stdout == ""
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1, done.stderr
    return done.stderr.rstrip("\n")


def status(state):
    """The status reply, checked line by line against its layout."""
    lines = ok(state, "status").splitlines()
    board = re.fullmatch(r"board (\S+) firmware (\S+) uptime (\d+)", lines[0])
    temp = re.fullmatch(r"temp (\d+\.\d)", lines[1])
    assert board and temp, lines[:2]
    assert lines[2].split() == ["ch", "state", "set_v", "mon_v", "i_ua"]
    channels = []
    for n, line in enumerate(lines[3:]):
        row = re.fullmatch(r"(\d+) (\w+) (\d+\.\d\d) (\d+\.\d\d) (\d+\.\d\d)", line)
        assert row and int(row[1]) == n and row[2] in STATE_NAMES, line
        channels.append({"state": row[2], "set_v": float(row[3]), "mon_v": float(row[4]), "i_ua": float(row[5])})
    assert len(channels) == 32
    return {"board": board[1], "firmware": board[2], "uptime": int(board[3]), "temp": float(temp[1]),
            "channels": channels}


def edit(state, change):
    data = json.loads(state.read_text())
    change(data)
    state.write_text(json.dumps(data))


def finish_ramps(data):
    for channel in data["channels"]:
        channel["ramp_start_time"] -= 100


def finish_booting(data):
    data["boot_time"] -= 3.0


def switched_on(state, ch, volts):
    ok(state, "set-hv", str(ch), str(volts))
    ok(state, "hv-on", str(ch))
    edit(state, finish_ramps)


@pytest.fixture
def state(tmp_path):
    return tmp_path / "sipm-ecal07.json"


def test_a_fresh_board_has_32_channels_off_at_zero_volts_named_after_its_file(state):
    found = status(state)
    assert found["board"] == "sipm-ecal07" and found["firmware"] == "3.2"
    assert 24.9 <= found["temp"] <= 25.1
    assert all(c == {"state": "off", "set_v": 0.0, "mon_v": 0.0, "i_ua": 0.0} for c in found["channels"])
    assert json.loads(state.read_text())["ramp_v_per_s"] == 2.0


def test_the_board_option_names_a_fresh_board_and_must_match_an_existing_one(state):
    assert ok(state, "--board", "sipm-hcal01", "status").startswith("board sipm-hcal01 firmware 3.2 uptime ")
    assert refused(state, "--board", "other", "status", code=2) == \
        f"error: state file {state} holds board sipm-hcal01, not other"


def test_the_state_file_may_come_from_the_environment(state):
    done = ctl(None, "read-temp", env=environment(SIPM_CTL_STATE=str(state)))
    assert done.returncode == 0 and re.fullmatch(r"temp \d+\.\d\n", done.stdout)
    assert state.exists()
    assert refused(None, "status", code=2) == "error: --state FILE is required (or set SIPM_CTL_STATE)"


def test_an_off_channel_keeps_its_set_voltage_and_hv_on_ramps_there(state):
    assert ok(state, "set-hv", "3", "38") == "ok ch 3 set_v 38.00 ramp 0.0 s\n"
    assert status(state)["channels"][3] == {"state": "off", "set_v": 38.0, "mon_v": 0.0, "i_ua": 0.0}
    assert ok(state, "hv-on", "3") == "ok ch 3 on ramp 19.0 s\n"
    ramping = status(state)["channels"][3]
    assert ramping["state"] == "ramp" and ramping["set_v"] == 38.0 and ramping["mon_v"] < 38.0
    edit(state, finish_ramps)
    arrived = status(state)["channels"][3]
    assert arrived["state"] == "on" and abs(arrived["mon_v"] - 38.0) <= 0.011
    assert abs(arrived["i_ua"] - 0.055 * 38.0) <= 0.05


def test_a_channel_that_is_on_ramps_to_a_new_set_voltage_at_the_ramp_rate(state):
    switched_on(state, 5, 38)
    assert ok(state, "set-hv", "5", "30") == "ok ch 5 set_v 30.00 ramp 4.0 s\n"
    assert status(state)["channels"][5]["state"] == "ramp"
    edit(state, lambda data: data.update(ramp_v_per_s=1000.0))
    assert status(state)["channels"][5]["state"] == "on"


def test_set_hv_wait_returns_once_the_ramp_is_done(state):
    ok(state, "status")
    edit(state, lambda data: data.update(ramp_v_per_s=50.0))
    ok(state, "hv-on", "7")
    first, done = ok(state, "set-hv", "7", "10", "--wait").splitlines()
    assert first == "ok ch 7 set_v 10.00 ramp 0.2 s"
    assert re.fullmatch(r"ok ch 7 mon_v (\d+\.\d\d)", done) and abs(float(done.split()[-1]) - 10.0) <= 0.011
    assert status(state)["channels"][7]["state"] == "on"


def test_hv_off_ramps_down_to_zero_then_the_channel_is_off(state):
    switched_on(state, 3, 38)
    assert ok(state, "hv-off", "3") == "ok ch 3 off ramp 19.0 s\n"
    assert status(state)["channels"][3]["state"] == "ramp"
    edit(state, finish_ramps)
    assert status(state)["channels"][3] == {"state": "off", "set_v": 38.0, "mon_v": 0.0, "i_ua": 0.0}


def test_hv_off_all_answers_for_every_channel(state):
    switched_on(state, 0, 10)
    lines = ok(state, "hv-off", "all").splitlines()
    assert lines == ["ok ch 0 off ramp 5.0 s"] + [f"ok ch {ch} off ramp 0.0 s" for ch in range(1, 32)]


def test_a_faulty_channel_trips_stays_at_zero_and_hv_off_clears_the_trip(state):
    switched_on(state, 3, 38)
    assert ok(state, "fault", "3", "trip") == "ok ch 3 fault trip\n"
    assert status(state)["channels"][3] == {"state": "trip", "set_v": 38.0, "mon_v": 0.0, "i_ua": 0.0}
    assert refused(state, "hv-on", "3", code=1) == "error: ch 3 is tripped; hv-off first"
    ok(state, "fault", "3", "none")
    assert status(state)["channels"][3]["state"] == "trip"
    assert ok(state, "hv-off", "3") == "ok ch 3 off ramp 0.0 s\n"
    assert status(state)["channels"][3]["state"] == "off"
    assert ok(state, "hv-on", "3") == "ok ch 3 on ramp 19.0 s\n"


def test_hv_on_with_a_fault_set_trips_the_channel(state):
    ok(state, "set-hv", "4", "20")
    ok(state, "fault", "4", "trip")
    assert ok(state, "hv-on", "4") == "ok ch 4 on ramp 10.0 s\n"
    assert status(state)["channels"][4]["state"] == "trip"


def test_a_power_cycle_drops_every_channel_and_the_board_is_busy_while_booting(state):
    switched_on(state, 3, 38)
    ok(state, "fault", "9", "trip")
    switched_on(state, 9, 20)
    assert ok(state, "power-cycle") == "ok power-cycle booting 3.0 s\n"
    booting = status(state)
    assert booting["uptime"] == 0
    assert [c["state"] for c in booting["channels"]] == ["off"] * 32
    assert all(c["mon_v"] == 0.0 for c in booting["channels"])
    for args in (["hv-on", "3"], ["set-hv", "3", "10"], ["hv-off", "all"], ["read-temp"], ["power-cycle"],
                 ["fault", "3", "none"]):
        assert refused(state, *args, code=3) == "error: board is booting"
    edit(state, finish_booting)
    assert status(state)["uptime"] >= 3
    assert ok(state, "hv-on", "3") == "ok ch 3 on ramp 19.0 s\n"


def test_the_temperature_rises_with_the_voltage_on_the_board(state):
    assert 24.9 <= float(ok(state, "read-temp").split()[1]) <= 25.1

    def all_at_full_voltage(data):
        for channel in data["channels"]:
            channel.update(set_v=60.0, hv=True, ramp_start_v=60.0, ramp_target_v=60.0)

    edit(state, all_at_full_voltage)
    assert re.fullmatch(r"temp \d+\.\d\n", ok(state, "read-temp"))
    assert 28.1 <= float(ok(state, "read-temp").split()[1]) <= 28.3


@pytest.mark.parametrize("args, message", [
    (["set-hv", "3", "75"], "error: ch 3: 75.00 V is above the maximum 60.00 V"),
    (["set-hv", "3", "60.01"], "error: ch 3: 60.01 V is above the maximum 60.00 V"),
    (["set-hv", "3", "-5"], "error: ch 3: -5.00 V is below the minimum 0.00 V"),
    (["set-hv", "3", "nan"], "error: ch 3: 'nan' is not a voltage"),
    (["set-hv", "3", "-inf"], "error: ch 3: '-inf' is not a voltage"),
    (["set-hv", "3", "1e400"], "error: ch 3: '1e400' is not a voltage"),
    (["set-hv", "3", "many"], "error: ch 3: 'many' is not a voltage"),
    (["set-hv", "40", "10"], "error: no channel 40 (channels 0-31)"),
    (["hv-on", "x"], "error: no channel x (channels 0-31)"),
    (["hv-on", "all"], "error: no channel all (channels 0-31)"),
    (["hv-off", "-1"], "error: no channel -1 (channels 0-31)"),
    (["set-hv", "3"], "error: the following arguments are required: VOLTS"),
    (["hv-on"], "error: the following arguments are required: CH"),
    ([], "error: the following arguments are required: COMMAND"),
    (["fault", "3", "melt"], None),
    (["frobnicate"], None),
])
def test_bad_usage_is_refused_with_exit_2_and_one_line_before_the_board_is_touched(state, args, message):
    line = refused(state, *args, code=2)
    assert line == message if message else line.startswith("error: argument ")
    assert not state.exists()


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe", b"", b'{"format": "sipm-ctl state 1"}',
                                     b'{"format": "something else", "channels": []}'])
def test_a_corrupt_state_file_is_refused_and_left_as_it_is(state, content):
    state.write_bytes(content)
    for args in (["status"], ["set-hv", "1", "10"]):
        line = refused(state, *args, code=1)
        assert line.startswith(f"error: state file {state} is not a sipm-ctl state (") and line.endswith(")")
    assert state.read_bytes() == content


def test_a_state_file_with_a_voltage_out_of_range_is_refused(state):
    ok(state, "status")
    edit(state, lambda data: data["channels"][2].update(set_v=99.0))
    assert refused(state, "status", code=1).startswith(f"error: state file {state} is not a sipm-ctl state (")


def test_concurrent_calls_on_different_channels_all_land(state):
    calls = [subprocess.Popen([str(SIPM_CTL), "--state", str(state), "set-hv", str(ch), f"{ch + 0.5:.2f}"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment())
             for ch in range(20)]  # ten pairs at once, on a board none of them finds yet
    for call in calls:
        _, err = call.communicate(timeout=15)
        assert call.returncode == 0, err
    assert [c["set_v"] for c in status(state)["channels"][:20]] == [ch + 0.5 for ch in range(20)]
    assert sorted(p.name for p in state.parent.iterdir()) == [state.name, state.name + ".lock"]


def test_a_simulated_hang_prints_nothing_until_it_is_killed(state):
    call = subprocess.Popen([str(SIPM_CTL), "--state", str(state), "status"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=environment(SIPM_CTL_SIMULATE="hang"))
    with pytest.raises(subprocess.TimeoutExpired):
        call.communicate(timeout=1)
    call.kill()
    out, err = call.communicate()
    assert out == b"" and err == b""


def test_simulated_garbage_is_64_kib_of_bytes_that_are_not_utf8(state):
    done = subprocess.run([str(SIPM_CTL), "--state", str(state), "status"], check=False, capture_output=True,
                          timeout=15, env=environment(SIPM_CTL_SIMULATE="garbage"))
    assert done.returncode == 0 and len(done.stdout) == 64 * 1024
    with pytest.raises(UnicodeDecodeError):
        done.stdout.decode("utf-8")


def test_a_simulated_failure_exits_with_the_code_asked_for(state):
    done = ctl(state, "status", env=environment(SIPM_CTL_SIMULATE="exit=4"))
    assert (done.returncode, done.stdout, done.stderr) == (4, "", "error: simulated failure\n")


def test_help_describes_the_program_every_command_and_the_testing_hooks():
    text = ok(None, "--help")
    for word in ("status", "set-hv", "hv-on", "hv-off", "read-temp", "power-cycle", "fault", "SIPM_CTL_STATE",
                 "SIPM_CTL_SIMULATE", "for testing the wrapper", "maintenance"):
        assert word in text
    for command in ("status", "set-hv", "hv-on", "hv-off", "read-temp", "power-cycle", "fault"):
        assert ok(None, command, "--help").startswith(f"usage: sipm-ctl {command}")
    assert "--wait" in ok(None, "set-hv", "--help")
