"""The SiPM HV controller module: it wraps the `sipm-ctl` utility (status, set-hv, hv-on, hv-off, read-temp,
power-cycle), one state file per board, and reads its replies into values the portal keeps. The collector
(`collect`) turns a board's status into a heartbeat and readings, so the monitoring pages follow every channel."""

import shutil
import sys
from pathlib import Path

from .modules import Arg, Module
from .runner import Outcome
from .textutil import ReplyError, key_values, number, table

CHANNELS = 32
MAX_VOLTS = 60.0
STATUS_HEADER = ("ch", "state", "set_v", "mon_v", "i_ua")
CHANNEL = Arg("channel", "int", minimum=0, maximum=CHANNELS - 1, help="channel number, 0 to 31")

module = Module("sipm", "SiPM high-voltage controller boards (32 channels up to 60 V), through sipm-ctl",
                device_types=("sipm",))


def utility():
    """The sipm-ctl next to the running Python (the portal's own), else the one on PATH."""
    beside = Path(sys.executable).with_name("sipm-ctl")
    return str(beside) if beside.exists() else (shutil.which("sipm-ctl") or "sipm-ctl")


def state_file(ctx):
    """The simulated board's state file (other modules talking to the same board use it too)."""
    folder = Path(ctx.settings.command_state_dir) / module.name
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{ctx.device.name}.json"


def _ctl(ctx, *args, timeout_s=None):
    return ctx.run([utility(), "--state", str(state_file(ctx)), "--board", ctx.device.name, *args],
                   timeout_s=timeout_s)


def read_status(text):
    """{board, firmware, uptime_s, temp_c, channels: [{ch, state, set_v, mon_v, i_ua}]} from `sipm-ctl status`."""
    head = key_values(text, ("board", "temp"))
    board = head["board"].split()
    if len(board) < 5 or board[1] != "firmware" or board[3] != "uptime":
        raise ReplyError(f"the board line is not 'board NAME firmware X uptime S': {head['board'][:80]!r}")
    channels = []
    for row in table(text, STATUS_HEADER):
        if row["state"] not in ("off", "on", "ramp", "trip"):
            raise ReplyError(f"channel {row['ch']} has an unknown state {row['state'][:20]!r}")
        channels.append({"ch": int(number(row["ch"], "a channel number")), "state": row["state"],
                         "set_v": number(row["set_v"], "set_v"), "mon_v": number(row["mon_v"], "mon_v"),
                         "i_ua": number(row["i_ua"], "i_ua")})
    if len(channels) != CHANNELS:
        raise ReplyError(f"the status lists {len(channels)} channels, not {CHANNELS}")
    return {"board": board[0], "firmware": board[2], "uptime_s": number(board[4], "uptime"),
            "temp_c": number(head["temp"], "temp"), "channels": channels}


@module.command("status", "Read the board: temperature and every channel's state, voltages and current",
                role="viewer", timeout_s=10, conflicts=False)
def status(ctx):
    reply = _ctl(ctx, "status")
    if not reply.ok:
        return reply
    found = read_status(reply.stdout)
    on = sum(1 for c in found["channels"] if c["state"] == "on")
    tripped = [c["ch"] for c in found["channels"] if c["state"] == "trip"]
    message = f"{on} of {CHANNELS} channels on, {found['temp_c']:.1f} °C" + (
        f"; tripped: {', '.join(map(str, tripped))}" if tripped else "")
    return Outcome(reply, found, message)


@module.command("set-hv", "Set a channel's bias voltage (it ramps there if the channel is on)", role="operator",
                danger="confirm", timeout_s=30,
                args=[CHANNEL, Arg("volts", "float", minimum=0, maximum=MAX_VOLTS, unit="V",
                                   help="target bias, at most 60 V")])
def set_hv(ctx, channel, volts):
    reply = _ctl(ctx, "set-hv", str(channel), f"{volts:.2f}")
    return Outcome(reply, {"channel": channel, "set_v": volts}, f"channel {channel} set to {volts:.2f} V")


@module.command("hv-on", "Switch a channel's high voltage on (it ramps to its set voltage)", role="operator",
                danger="confirm", timeout_s=30, args=[CHANNEL])
def hv_on(ctx, channel):
    return Outcome(_ctl(ctx, "hv-on", str(channel)), {"channel": channel}, f"channel {channel} switched on")


@module.command("hv-off", "Ramp a channel's high voltage down and switch it off (clears a trip)", role="operator",
                timeout_s=30, args=[CHANNEL])
def hv_off(ctx, channel):
    return Outcome(_ctl(ctx, "hv-off", str(channel)), {"channel": channel}, f"channel {channel} switched off")


@module.command("read-temp", "Read the board's temperature", role="viewer", timeout_s=10, conflicts=False)
def read_temp(ctx):
    reply = _ctl(ctx, "read-temp")
    if not reply.ok:
        return reply
    temp = number(key_values(reply.stdout, ("temp",))["temp"], "temp")
    return Outcome(reply, {"temp_c": temp}, f"{temp:.1f} °C")


@module.command("power-cycle", "Switch the board off and on: every channel goes to 0 V", role="expert",
                danger="confirm", timeout_s=20)
def power_cycle(ctx):
    return Outcome(_ctl(ctx, "power-cycle"), {}, "the board is rebooting; channels are off")
