"""The SiPM module on the real sipm-ctl: replies read into values, limits refused before the board is touched,
a busy board reported, and its commands offered as emergency actions on alerts."""

import threading

import pytest

from dcs.commands import modules, runner
from dcs.commands.models import CommandRun
from dcs.monitoring import reactions

from ..conftest import refusal
from ..monitoring.conftest import ACTOR, engine, limits, plant, principal, read  # noqa: F401 (fixtures)


@pytest.fixture
def boards(settings, plant):
    modules.load(settings, reload=True)
    return settings


def run(settings, key, who="olaf", confirm=True, **arguments):
    (done,) = runner.start(settings, ACTOR, principal(who), key, ["sipm-hv01"], arguments, confirm, wait=True)
    return done


def test_the_status_of_a_board_is_read_into_its_channels(boards):
    found = run(boards, "sipm.status", who="vera")
    assert found.state == "done" and found.message == "0 of 32 channels on, 25.0 °C"
    result = found.to_dict()["result"]
    assert len(result["channels"]) == 32 and result["channels"][3] == {"ch": 3, "state": "off", "set_v": 0.0,
                                                                      "mon_v": 0.0, "i_ua": 0.0}


def test_setting_and_switching_a_channel_on_ramps_it(boards):
    assert run(boards, "sipm.set-hv", channel=3, volts=38.0).state == "done"
    assert run(boards, "sipm.hv-on", channel=3).state == "done"
    channel = run(boards, "sipm.status", who="vera").to_dict()["result"]["channels"][3]
    assert channel["state"] in ("ramp", "on") and channel["set_v"] == 38.0


def test_a_voltage_above_the_maximum_or_an_unknown_channel_is_refused_before_the_board_is_touched(boards):
    assert "volts must be at most 60 V (it is 75 V)" in refusal(lambda: run(boards, "sipm.set-hv", channel=3,
                                                                             volts=75)).message
    assert "channel must be at most 31 (it is 40)" in refusal(lambda: run(boards, "sipm.hv-on", channel=40)).message
    assert "channel is required" in refusal(lambda: run(boards, "sipm.hv-off")).message
    assert CommandRun.select().count() == 0


def test_a_busy_board_is_a_failed_run_with_its_reason(boards):
    assert refusal(lambda: run(boards, "sipm.power-cycle", who="olaf")).status == 403  # experts only
    assert run(boards, "sipm.power-cycle", who="erin").state == "done"
    busy = run(boards, "sipm.hv-on", channel=1)
    assert (busy.state, busy.exit_code) == ("failed", 3) and "board is booting" in busy.message


def test_a_command_is_offered_on_an_alert_and_an_operator_runs_it(boards, engine):
    erin = principal("erin")
    reactions.create(ACTOR, erin, "hv-off-3", "ecal", "sipm.hv-off", {"channel": 3}, "offer", kind="limit",
                     min_severity="warning")
    run(boards, "sipm.set-hv", channel=3, volts=38.0)
    run(boards, "sipm.hv-on", channel=3)
    engine.tick()
    read(limits("sipm-hv01", warn_high=30), 35)
    engine.tick()
    from dcs.monitoring.models import Alert

    alert = Alert.get()
    assert [o["name"] for o in reactions.offers(alert)] == ["hv-off-3"]
    done = reactions.run_offered(ACTOR, principal("olaf"), alert, reactions.get_reaction("hv-off-3"), True)
    assert done.state == "done" and done.result.startswith("started sipm.hv-off on sipm-hv01: run ")
    command_run = CommandRun.get_by_id(int(done.result.rsplit(" ", 1)[1]))
    for _ in range(200):  # bounded: the command runs in its own thread
        if CommandRun.get_by_id(command_run.id).state != "running":
            break
        threading.Event().wait(0.05)
    assert CommandRun.get_by_id(command_run.id).state == "done"
    channel = run(boards, "sipm.status", who="vera").to_dict()["result"]["channels"][3]
    assert channel["state"] in ("ramp", "off")
    assert refusal(lambda: reactions.create(ACTOR, erin, "bad-args", "ecal", "sipm.hv-off", {"channel": 99},
                                            "offer")).status == 400
