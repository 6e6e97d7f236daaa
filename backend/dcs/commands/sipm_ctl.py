"""`sipm-ctl`: a simulator of a SiPM high-voltage controller board, as a text utility.

The board lives in a JSON state file, so it behaves like one device across calls: each call takes a lock on
`FILE.lock`, reads the file, works out where every ramp has got to from when it started and the ramp rate (no
daemon), and writes the file back atomically if anything changed. Standard library only; no network, no shell.
"""

import argparse
import fcntl
import json
import math
import os
import random
import re
import sys
import time
from contextlib import contextmanager, suppress
from pathlib import Path

CHANNELS = 32
MAX_VOLTS = 60.0
FIRMWARE = "3.2"
RAMP_V_PER_S = 2.0
BOOT_S = 3.0
BASE_TEMP_C = 25.0
TEMP_PER_FULL_CHANNEL_C = 0.1
MICROAMPS_PER_VOLT = 0.055
VOLTS_NOISE = 0.01
MICROAMPS_NOISE = 0.02
TEMP_NOISE_C = 0.05
NOISE_TICKS_PER_S = 4
WAIT_STEP_S = 0.05
FORMAT = "sipm-ctl state 1"
BOARD_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
GARBAGE_BYTES = 64 * 1024

DESCRIPTION = f"""\
Simulate a SiPM high-voltage controller board ({CHANNELS} channels, 0 to {MAX_VOLTS:.2f} V each).
The board is kept in the state file, which is created as a fresh board (all channels off at 0 V) when missing;
voltages ramp at ramp_v_per_s (default {RAMP_V_PER_S} V/s, a key of the state file) across calls."""

EPILOG = f"""\
exit codes:
  0  ok
  1  refused by the device (a tripped channel, an unreadable state file)
  2  bad usage (unknown command or channel, a voltage out of range, missing arguments)
  3  busy: the board is booting ({BOOT_S} s after a power-cycle; only status answers)
Errors are one line on stderr starting with "error:".

environment:
  SIPM_CTL_STATE     the state file, when --state is not given
  SIPM_CTL_SIMULATE  fault injection, for testing the wrapper:
                       hang     sleep forever without printing
                       garbage  print {GARBAGE_BYTES // 1024} KiB of random non-UTF-8 bytes, exit 0
                       exit=N   print "error: simulated failure", exit N"""


class CtlError(Exception):
    """Refused by the device: exit 1."""
    code = 1


class UsageError(CtlError):
    code = 2


class Busy(CtlError):
    code = 3


class StateError(CtlError):
    def __init__(self, path, reason):
        super().__init__(f"state file {path} is not a sipm-ctl state ({reason})")


def _noise(*key):
    """A value in [-1, 1] that looks random but is the same for the same key (a board, a channel, a time tick)."""
    return random.Random(":".join(map(str, key))).uniform(-1.0, 1.0)


def _tick(now):
    return int(now * NOISE_TICKS_PER_S)


# --- the board ------------------------------------------------------------------------------------------

CHANNEL_FIELDS = (("set_v", float), ("hv", bool), ("tripped", bool), ("fault", bool), ("ramp_start_v", float),
                  ("ramp_target_v", float), ("ramp_start_time", float))


class Channel:
    """One HV channel: its setting, whether it is on or tripped, and its present ramp (from a voltage at a time
    toward a target, at the board's rate); the voltage at any moment follows from these."""

    def __init__(self, set_v=0.0, hv=False, tripped=False, fault=False, ramp_start_v=0.0, ramp_target_v=0.0,
                 ramp_start_time=0.0):
        self.set_v = set_v
        self.hv = hv  # switched on (by hv-on, until hv-off, a trip or a power-cycle)
        self.tripped = tripped
        self.fault = fault  # the hidden over-current fault: a channel with HV on trips at once
        self.ramp_start_v, self.ramp_target_v, self.ramp_start_time = ramp_start_v, ramp_target_v, ramp_start_time

    def to_json(self):
        return {name: getattr(self, name) for name, _ in CHANNEL_FIELDS}

    def voltage(self, now, rate):
        """Where the ramp has got to: the real output voltage."""
        distance = self.ramp_target_v - self.ramp_start_v
        moved = rate * max(0.0, now - self.ramp_start_time)
        if moved >= abs(distance):
            return self.ramp_target_v
        return self.ramp_start_v + math.copysign(moved, distance)

    def state(self, now, rate):
        if self.tripped:
            return "trip"
        if self.voltage(now, rate) != self.ramp_target_v:
            return "ramp"
        return "on" if self.hv else "off"

    def ramp_to(self, target, now, rate):
        """Start ramping from the present voltage to `target`; the seconds it will take."""
        start = self.voltage(now, rate)
        self.ramp_start_v, self.ramp_target_v, self.ramp_start_time = start, target, now
        return abs(target - start) / rate

    def drop(self, now):
        """HV to 0 at once (a trip, a power-cycle)."""
        self.hv = False
        self.ramp_start_v = self.ramp_target_v = 0.0
        self.ramp_start_time = now


class Board:
    """The board as the state file holds it: name, firmware, when it was last powered on, ramp rate, channels."""

    def __init__(self, name, firmware=FIRMWARE, boot_time=0.0, ramp_v_per_s=RAMP_V_PER_S, channels=None):
        self.name, self.firmware, self.boot_time, self.ramp_v_per_s = name, firmware, boot_time, ramp_v_per_s
        self.channels = channels or [Channel() for _ in range(CHANNELS)]

    @classmethod
    def fresh(cls, name, now):
        board = cls(name, boot_time=now - BOOT_S)  # booted a while ago: ready to answer
        for channel in board.channels:
            channel.ramp_start_time = now
        return board

    def booting(self, now):
        return now - self.boot_time < BOOT_S

    def uptime(self, now):
        return 0 if self.booting(now) else int(now - self.boot_time)

    def voltage(self, ch, now):
        return self.channels[ch].voltage(now, self.ramp_v_per_s)

    def state(self, ch, now):
        return self.channels[ch].state(now, self.ramp_v_per_s)

    def ramp_to(self, ch, target, now):
        return self.channels[ch].ramp_to(target, now, self.ramp_v_per_s)

    def settle(self, now):
        """Latch what the hardware would have done by now: a faulty channel with HV on has tripped."""
        for channel in self.channels:
            if channel.fault and channel.hv and not channel.tripped:
                channel.tripped = True
                channel.drop(now)

    def monitored(self, ch, now):
        """(mon_v, i_ua): the read-back voltage and the current, with a little noise while there is voltage."""
        volts = self.voltage(ch, now)
        if volts <= 0:
            return 0.0, 0.0
        tick = _tick(now)
        mon_v = max(0.0, volts + VOLTS_NOISE * _noise(self.name, ch, "v", tick))
        i_ua = max(0.0, MICROAMPS_PER_VOLT * mon_v + MICROAMPS_NOISE * _noise(self.name, ch, "i", tick))
        return mon_v, i_ua

    def temperature(self, now):
        load = sum(self.voltage(ch, now) / MAX_VOLTS for ch in range(CHANNELS))
        return BASE_TEMP_C + TEMP_PER_FULL_CHANNEL_C * load + TEMP_NOISE_C * _noise(self.name, "temp", _tick(now))

    def to_json(self):
        return {"format": FORMAT, "board": self.name, "firmware": self.firmware, "boot_time": self.boot_time,
                "ramp_v_per_s": self.ramp_v_per_s, "channels": [c.to_json() for c in self.channels]}

    @classmethod
    def from_json(cls, data):
        """A board from the state file's JSON; ValueError saying what is wrong with it."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"no \"format\": \"{FORMAT}\"")
        name, firmware = data.get("board"), data.get("firmware")
        if not isinstance(name, str) or not BOARD_NAME.fullmatch(name):
            raise ValueError("the board name is missing or not a name")
        if not isinstance(firmware, str) or not firmware or any(c.isspace() for c in firmware):
            raise ValueError("the firmware version is missing or not a word")
        boot_time = _number(data, "boot_time")
        rate = _number(data, "ramp_v_per_s")
        if rate <= 0:
            raise ValueError("ramp_v_per_s is not above 0")
        rows = data.get("channels")
        if not isinstance(rows, list) or len(rows) != CHANNELS:
            raise ValueError(f"channels is not a list of {CHANNELS}")
        return cls(name, firmware, boot_time, rate, [_channel(row, ch) for ch, row in enumerate(rows)])


def _number(data, key, where=""):
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{where}{key} is missing or not a finite number")
    return float(value)


def _channel(row, ch):
    if not isinstance(row, dict):
        raise ValueError(f"channel {ch} is not an object")
    values = {}
    for name, kind in CHANNEL_FIELDS:
        if kind is bool:
            if not isinstance(row.get(name), bool):
                raise ValueError(f"channel {ch}: {name} is missing or not true/false")
            values[name] = row[name]
        else:
            values[name] = _number(row, name, f"channel {ch}: ")
            if name != "ramp_start_time" and not 0 <= values[name] <= MAX_VOLTS:
                raise ValueError(f"channel {ch}: {name} is not within 0-{MAX_VOLTS:.2f} V")
    return Channel(**values)


# --- the state file ---------------------------------------------------------------------------------------

@contextmanager
def _locked(path):
    lock_path = path.with_name(path.name + ".lock")
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise CtlError(f"cannot open the lock file {lock_path}: {e.strerror}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # and with it the lock


def _load(path, board_name, now):
    """(board, the JSON it was read from, or None for a fresh board)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        name = board_name or path.stem
        if not BOARD_NAME.fullmatch(name):
            raise UsageError(f"{name!r} is not a board name; give one with --board") from None
        return Board.fresh(name, now), None
    except OSError as e:
        raise StateError(path, e.strerror or str(e)) from None
    try:
        data = json.loads(raw)
        board = Board.from_json(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise StateError(path, f"not JSON: {e}") from None
    except (ValueError, RecursionError) as e:
        raise StateError(path, str(e)) from None
    if board_name and board_name != board.name:
        raise UsageError(f"state file {path} holds board {board.name}, not {board_name}")
    return board, data


def _save(path, board):
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # one writer at a time: we hold the lock
    try:
        with open(temp, "w") as f:
            json.dump(board.to_json(), f, indent=1)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(temp)
        raise


def transact(path, board_name, action, while_booting=False):
    """Run `action(board, now)` on the board under the lock; write the board back if it changed."""
    with _locked(path):
        now = time.time()
        board, before = _load(path, board_name, now)
        board.settle(now)
        if board.booting(now) and not while_booting:
            raise Busy("board is booting")
        result = action(board, now)
        if board.to_json() != before:
            try:
                _save(path, board)
            except OSError as e:
                raise CtlError(f"cannot write the state file {path}: {e.strerror or e}") from None
        return result


# --- arguments ------------------------------------------------------------------------------------------

def channel_number(text, allow_all=False):
    if allow_all and text == "all":
        return "all"
    if re.fullmatch(r"[0-9]{1,3}", text) and int(text) < CHANNELS:
        return int(text)
    raise UsageError(f"no channel {text} (channels 0-{CHANNELS - 1})")


def volts_value(ch, text):
    try:
        volts = float(text)
    except ValueError:
        volts = math.nan
    if not math.isfinite(volts):
        raise UsageError(f"ch {ch}: {text!r} is not a voltage")
    volts = round(volts, 2) + 0.0  # the DAC's 10 mV steps; no -0.0
    if volts > MAX_VOLTS:
        raise UsageError(f"ch {ch}: {volts:.2f} V is above the maximum {MAX_VOLTS:.2f} V")
    if volts < 0:
        raise UsageError(f"ch {ch}: {volts:.2f} V is below the minimum 0.00 V")
    return volts


# --- commands -------------------------------------------------------------------------------------------

def cmd_status(args):
    def read(board, now):
        lines = [f"board {board.name} firmware {board.firmware} uptime {board.uptime(now)}",
                 f"temp {board.temperature(now):.1f}",
                 "ch state set_v mon_v i_ua"]
        for ch, channel in enumerate(board.channels):
            mon_v, i_ua = board.monitored(ch, now)
            lines.append(f"{ch} {board.state(ch, now)} {channel.set_v:.2f} {mon_v:.2f} {i_ua:.2f}")
        return lines

    return transact(args.state, args.board, read, while_booting=True)


def cmd_set_hv(args):
    ch = channel_number(args.ch)
    volts = volts_value(ch, args.volts)

    def set_hv(board, now):
        channel = board.channels[ch]
        channel.set_v = volts
        return board.ramp_to(ch, volts, now) if channel.hv else 0.0

    ramp_s = transact(args.state, args.board, set_hv)
    print(f"ok ch {ch} set_v {volts:.2f} ramp {ramp_s:.1f} s", flush=True)
    if not args.wait:
        return []
    return [_wait_for_ramp(args, ch, ramp_s)]


def _wait_for_ramp(args, ch, ramp_s):
    deadline = time.monotonic() + ramp_s + 1.0
    while True:
        state, mon_v = transact(args.state, args.board,
                                lambda board, now: (board.state(ch, now), board.monitored(ch, now)[0]))
        if state == "trip":
            raise CtlError(f"ch {ch} tripped during the ramp")
        if state != "ramp":
            return f"ok ch {ch} mon_v {mon_v:.2f}"
        left = deadline - time.monotonic()
        if left <= 0:
            raise CtlError(f"ch {ch} is still ramping after {ramp_s + 1.0:.1f} s")
        time.sleep(min(WAIT_STEP_S, left))


def cmd_hv_on(args):
    ch = channel_number(args.ch)

    def hv_on(board, now):
        channel = board.channels[ch]
        if channel.tripped:
            raise CtlError(f"ch {ch} is tripped; hv-off first")
        channel.hv = True
        return board.ramp_to(ch, channel.set_v, now)

    ramp_s = transact(args.state, args.board, hv_on)
    return [f"ok ch {ch} on ramp {ramp_s:.1f} s"]


def cmd_hv_off(args):
    which = channel_number(args.ch, allow_all=True)
    chs = range(CHANNELS) if which == "all" else [which]

    def hv_off(board, now):
        lines = []
        for ch in chs:
            channel = board.channels[ch]
            channel.hv = channel.tripped = False
            lines.append(f"ok ch {ch} off ramp {board.ramp_to(ch, 0.0, now):.1f} s")
        return lines

    return transact(args.state, args.board, hv_off)


def cmd_read_temp(args):
    return transact(args.state, args.board, lambda board, now: [f"temp {board.temperature(now):.1f}"])


def cmd_power_cycle(args):
    def power_cycle(board, now):
        for channel in board.channels:
            channel.tripped = False
            channel.drop(now)
        board.boot_time = now

    transact(args.state, args.board, power_cycle)
    return [f"ok power-cycle booting {BOOT_S:.1f} s"]


def cmd_fault(args):
    ch = channel_number(args.ch)

    def fault(board, now):
        board.channels[ch].fault = args.kind == "trip"
        board.settle(now)

    transact(args.state, args.board, fault)
    return [f"ok ch {ch} fault {args.kind}"]


# --- the program ----------------------------------------------------------------------------------------

class Parser(argparse.ArgumentParser):
    """argparse that reports bad usage as a UsageError (one line, exit 2) instead of printing usage."""

    def error(self, message):
        raise UsageError(" ".join(message.split()))

    def _parse_optional(self, arg_string):
        """Take '-inf' and '-1e3' for values, as argparse already does '-5', so VOLTS gets to say what is wrong."""
        with suppress(ValueError):
            float(arg_string)
            return None
        return super()._parse_optional(arg_string)


def build_parser():
    parser = Parser(prog="sipm-ctl", description=DESCRIPTION, epilog=EPILOG,
                    formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--state", metavar="FILE", help="the board's state file (default: $SIPM_CTL_STATE)")
    parser.add_argument("--board", metavar="NAME",
                        help="the board's name: names a fresh board (default: the file's stem); "
                             "refused if the state file holds another board")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name, func, summary, description=None):
        sub = commands.add_parser(name, help=summary, description=description or summary)
        sub.set_defaults(func=func)
        return sub

    command("status", cmd_status, "the board line, the temperature and one line per channel",
            "Print 'board NAME firmware X uptime S', 'temp C', then 'ch state set_v mon_v i_ua' and one line per "
            "channel; state is off, on, ramp (moving toward set_v) or trip (over-current: 0 V until hv-off).")
    sub = command("set-hv", cmd_set_hv, "set a channel's target voltage",
                  f"Set a channel's target voltage (0 to {MAX_VOLTS:.2f} V). A channel that is on ramps there; "
                  "an off channel keeps it for hv-on. Prints 'ok ch CH set_v V ramp S s'.")
    sub.add_argument("ch", metavar="CH", help=f"channel, 0-{CHANNELS - 1}")
    sub.add_argument("volts", metavar="VOLTS", help=f"target voltage, 0 to {MAX_VOLTS:.2f}")
    sub.add_argument("--wait", action="store_true",
                     help="block until the ramp is done, then also print 'ok ch CH mon_v V'")
    sub = command("hv-on", cmd_hv_on, "switch a channel on: it ramps to its set voltage",
                  "Switch a channel on; it ramps from its present voltage to set_v. Refused for a tripped channel.")
    sub.add_argument("ch", metavar="CH", help=f"channel, 0-{CHANNELS - 1}")
    sub = command("hv-off", cmd_hv_off, "ramp a channel down to 0 V and off (clears a trip)",
                  "Ramp a channel down to 0 V and switch it off; clears a trip. With 'all', one line per channel.")
    sub.add_argument("ch", metavar="CH", help=f"channel, 0-{CHANNELS - 1}, or all")
    command("read-temp", cmd_read_temp, "print the board temperature in °C")
    command("power-cycle", cmd_power_cycle, "switch the board off and on: all channels off at 0 V",
            f"All channels off at 0 V at once; the board then boots for {BOOT_S} s, answering only status.")
    sub = command("fault", cmd_fault, "maintenance, for tests and demos: set or clear a channel's fault",
                  "Maintenance command for tests and demos: set ('trip') or clear ('none') a channel's hidden "
                  "over-current fault. A faulty channel trips as soon as its HV is on.")
    sub.add_argument("ch", metavar="CH", help=f"channel, 0-{CHANNELS - 1}")
    sub.add_argument("kind", choices=("trip", "none"), help="trip or none")
    return parser


def _simulate(how):
    if how == "hang":
        while True:
            time.sleep(3600)
    if how == "garbage":
        noise = bytes(b | 0x80 for b in os.urandom(GARBAGE_BYTES - 1))
        sys.stdout.buffer.write(b"\xff" + noise)  # 0xff never occurs in UTF-8
        sys.stdout.buffer.flush()
        return 0
    code = how.removeprefix("exit=")
    if how.startswith("exit=") and code.isdigit() and int(code) <= 255:
        print("error: simulated failure", file=sys.stderr)
        return int(code)
    print(f"error: SIPM_CTL_SIMULATE={how} is not hang, garbage or exit=N", file=sys.stderr)
    return 2


def main(argv=None):
    simulate = os.environ.get("SIPM_CTL_SIMULATE")
    if simulate:
        return _simulate(simulate)
    try:
        args = build_parser().parse_args(argv)
        state = args.state or os.environ.get("SIPM_CTL_STATE")
        if not state:
            raise UsageError("--state FILE is required (or set SIPM_CTL_STATE)")
        args.state = Path(state)
        lines = args.func(args)
    except CtlError as e:
        print(f"error: {e}", file=sys.stderr)
        return e.code
    if lines:
        print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
