"""The SiPM collector: a board's status becomes its heartbeat and its readings, channel by channel; a board that
cannot be read says so with a failure heartbeat."""

from pathlib import Path

import pytest

from dcs.commands import modules, runner
from dcs.commands.collector import Collector
from dcs.monitoring.models import Parameter, Watch
from dcs.topology.devices import get_device

from ..monitoring.conftest import ACTOR, limits, plant, principal  # noqa: F401 (plant: the fixture)


@pytest.fixture
def board(settings, plant):
    modules.load(settings, reload=True)
    for name in ("temp", "hv_mean", "ch03_v", "ch03_ua"):
        limits("sipm-hv01", name)
    for key, arguments in (("sipm.set-hv", {"channel": 3, "volts": 38.0}), ("sipm.hv-on", {"channel": 3})):
        runner.start(settings, ACTOR, principal("olaf"), key, ["sipm-hv01"], arguments, True, wait=True)
    return settings


def test_a_round_turns_the_status_into_a_heartbeat_and_readings(board):
    states = Collector(board, principal("maya"), ["sipm-hv01"]).round()
    assert states == {"sipm-hv01": "up"}
    watch = Watch.get(Watch.device == get_device("sipm-hv01"))
    assert watch.last_status in ("0 of 32 channels on", "1 of 32 channels on")
    read = {p.name: p.last_value for p in Parameter.select()}
    assert 24 < read["temp"] < 30 and read["ch03_v"] > 0 and read["ch03_ua"] >= 0


def test_a_board_that_cannot_be_read_sends_a_failure_with_the_reason(board):
    state = Path(board.command_state_dir) / "sipm" / "sipm-hv01.json"
    assert state.is_file()
    state.write_text("{not json")
    assert Collector(board, principal("maya"), ["sipm-hv01"]).round() == {"sipm-hv01": "down"}
    watch = Watch.get(Watch.device == get_device("sipm-hv01"))
    assert watch.last_signal == "fail" and "not a sipm-ctl state" in watch.last_status
