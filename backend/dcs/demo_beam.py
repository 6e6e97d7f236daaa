"""Demo beam line: the beam monitors' ACNET devices as parameters with limits and a day of history, and, with
`dcs serve --demo-feed`, the simulated ACNET source and a beam channel that writes daily raw block files under
the data root and posts its readings and heartbeat back to this portal, as a site would run them."""

import os
import random
import socket
from pathlib import Path

from .auth.models import ApiToken, User
from .auth.tokens import create_token, revoke_token
from .channel.configfile import load
from .channel.source import Beam
from .db import writing
from .monitoring import heartbeats, parameters
from .monitoring.readings import store_rows
from .timeutil import NS, now_ns
from .topology.models import Device

CHANNEL_DEVICE = "bmon-mimosa"  # the channel reports its heartbeat as this device
TOKEN_NAME = "demo beam channel"
PARAMETERS = {
    "bmon-mimosa": {
        "E:TOR101": dict(unit="ppp", nominal=3.0e13, warn_low=1.5e13, n_bad=3, m_window=5,
                         guidance="Beam intensity low for several spills: check with the accelerator control room "
                                  "before touching the detector; the experiment only records it."),
        "E:HPTGT": dict(unit="mm", nominal=0.0, warn_low=-0.6, warn_high=0.6, alarm_low=-1.0, alarm_high=1.0,
                        n_bad=3, m_window=5,
                        guidance="The beam is off centre on the target. Call the beam line physicist; above 1 mm "
                                 "ask the control room to steer it back."),
        "E:VPTGT": dict(unit="mm", nominal=0.0, warn_low=-0.6, warn_high=0.6, alarm_low=-1.0, alarm_high=1.0,
                        n_bad=3, m_window=5,
                        guidance="The beam is off centre on the target. Call the beam line physicist; above 1 mm "
                                 "ask the control room to steer it back."),
        "E:HRNCUR": dict(unit="kA", nominal=185.0, warn_low=183.0, warn_high=187.0, alarm_low=180.0,
                         alarm_high=190.0, delay_s=5, guidance="The horn current left its band: tell the control "
                                                               "room; the neutrino flux changes with it."),
    },
    "bmon-timepix": {
        "E:HADMDS": dict(unit="pC", nominal=20.0, guidance="Mean charge per hadron monitor pixel."),
        "E:MM1CNT": dict(unit="counts", nominal=600.0, guidance="Mean ADC counts per muon monitor pixel."),
        "M:OUTTMP": dict(unit="degF", guidance="Outside air temperature, for the record."),
    },
}
CHANNEL_TOML = """# The demo's beam channel, written by `dcs serve --demo-feed` (docs/beam-channel.md explains every key).
mode = "mixed"

[source]
url = "{source}"
addresses = ["127.0.0.1"]
secret_file = "channel.secret"

[listener]
host = "127.0.0.1"
port = {listener}

[callback]
trigger = "E:SPILL"
devices = ["E:TOR101", "E:TORTGT", "E:HP121", "E:VP121", "E:HPTGT", "E:VPTGT", "E:HRNCUR", "E:HADMDS",
           "E:MM1CNT"]

[polling]
devices = ["M:OUTTMP", "E:HADMPD"]
after_spill_s = 0.9

[sink]
kind = "files"
directory = "blocks"
spool = "spool"

[portal]
url = "{portal}"
token_file = "channel.token"
heartbeat_device = "{heartbeat}"

[portal.devices]
{devices}
"""


def _mean(values):
    return sum(values) / len(values)


def seed(actor):
    """Parameters with limits for the beam devices, a day of per-minute history and the channel's watch."""
    now, rng = now_ns(), random.Random(8)
    beam, rows = Beam(rng), []
    ids = {}
    for device_name, wanted in PARAMETERS.items():
        device = Device.get(Device.name == device_name)
        for name, limits in wanted.items():
            ids[name] = parameters.define(actor, device, name, limits).id
    start = now - 24 * 3600 * NS
    for minute in range(24 * 60):
        beam.next_spill()
        t = start + minute * 60 * NS
        for name, parameter in ids.items():
            rows.append((parameter, t, _mean(beam.values(name, t / NS))))
    with writing():
        store_rows(rows)
    heartbeats.configure(actor, Device.get(Device.name == CHANNEL_DEVICE), period_s=10, grace_s=10,
                         guidance="The beam channel stopped reporting. Look at `dcs channel run`'s log on the DAQ "
                                  "host; restart it: it re-registers with ACNET and sends what it kept in its spool.")


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _token(actor):
    """A fresh heartbeat token of the first admin for the demo channel (the previous demo's is revoked)."""
    admin = User.select().where(User.is_admin == 1).order_by(User.id).first()
    for old in ApiToken.select().where((ApiToken.name == TOKEN_NAME) & ApiToken.revoked_ns.is_null()):
        revoke_token(actor, old)
    return create_token(actor, admin, TOKEN_NAME, ["heartbeat"])[1]


class BeamDemo:
    def __init__(self, settings, portal_url, actor):
        self.directory = Path(settings.data_root) / "beam-channel"
        self.portal_url, self.actor = portal_url, actor
        self.source = self.channel = None

    def start(self):
        from .channel.process import Channel
        from .channel.source import Source

        self.directory.mkdir(parents=True, exist_ok=True)
        for name, text in (("channel.token", _token(self.actor)), ("channel.secret", "demo-" + "%016x" % (
                random.SystemRandom().getrandbits(64)))):
            path = self.directory / name
            path.unlink(missing_ok=True)
            with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as handle:
                handle.write(text + "\n")  # readable by this account only, from the first byte
        self.source = Source(port=_free_port(), spill_period_s=1.87).start()
        devices = "\n".join(f'"{name}" = "{device}"' for device, wanted in PARAMETERS.items() for name in wanted)
        path = self.directory / "channel.toml"
        path.write_text(CHANNEL_TOML.format(source=self.source.url, listener=_free_port(), portal=self.portal_url,
                                            heartbeat=CHANNEL_DEVICE, devices=devices))
        self.channel = Channel(load(path)).start()
        return self

    def stop(self):
        if self.channel is not None:
            self.channel.stop()
        if self.source is not None:
            self.source.stop()

