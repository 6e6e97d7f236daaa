"""The SiPM collector: reads each board's `sipm-ctl status` and turns it into a heartbeat and readings, so the
monitoring pages follow the boards and every channel end to end (the board's temperature, the mean bias of the
channels that are on, the total current, and each channel's voltage and current where the board has those
parameters: `ch03_v`, `ch03_ua`). A board that does not answer sends a failure heartbeat with the reason."""

import logging
import threading

from ..audit import Actor
from ..monitoring import heartbeats
from ..monitoring.models import Parameter
from ..monitoring.readings import store_rows
from ..db import writing
from ..timeutil import now_ns
from ..topology.models import Device, DeviceType
from . import sipm, textutil

log = logging.getLogger(__name__)
ACTOR = Actor("collector:sipm")


class _Ctx:
    """Enough of a command's context to call the utility outside a command run (reading changes nothing)."""

    def __init__(self, settings, device, timeout_s=10):
        self.settings, self.device, self.timeout_s = settings, device, timeout_s

    def run(self, argv, timeout_s=None, env=None):
        return textutil.run(argv, timeout_s or self.timeout_s, env=env)


def values_of(status):
    """{parameter name: value} from a parsed status."""
    channels = status["channels"]
    on = [c for c in channels if c["state"] == "on"]
    found = {"temp": status["temp_c"], "current_ua": round(sum(c["i_ua"] for c in channels), 3)}
    if on:
        found["hv_mean"] = round(sum(c["mon_v"] for c in on) / len(on), 3)
    for c in channels:
        found[f"ch{c['ch']:02d}_v"] = c["mon_v"]
        found[f"ch{c['ch']:02d}_ua"] = c["i_ua"]
    return found


def collect(settings, principal, device):
    """One round for one board: its heartbeat and readings; the heartbeat's state."""
    ctx = _Ctx(settings, device)
    try:
        reply = sipm._ctl(ctx, "status")
        if not reply.ok:
            raise textutil.ReplyError(reply.why())
        status = sipm.read_status(reply.stdout)
    except Exception as error:  # noqa: BLE001 - whatever went wrong is the board's state
        message = str(getattr(error, "message", error))[:200]
        return heartbeats.receive(ACTOR, principal, [{"device": device.name, "signal": "fail",
                                                      "status": " ".join(message.split())}])[0]["state"]
    values = values_of(status)
    known = {name: pid for pid, name in Parameter.select(Parameter.id, Parameter.name)
             .where(Parameter.device == device).tuples()}
    now = now_ns()
    rows = [(known[name], now, float(value)) for name, value in values.items() if name in known]
    on = sum(1 for c in status["channels"] if c["state"] == "on")
    state = heartbeats.receive(ACTOR, principal, [{"device": device.name, "status": f"{on} of 32 channels on",
                                                   "signal": "beat"}])[0]["state"]
    if rows:
        with writing():
            store_rows(rows)
    return state


def boards(names=None):
    query = Device.select(Device, DeviceType).join(DeviceType).where(DeviceType.name.in_(sipm.module.device_types))
    if names:
        query = query.where(Device.name.in_(list(names)))
    return list(query.order_by(Device.name))


class Collector:
    """Collects every `every_s` seconds from the boards named (all SiPM boards when none), in a thread."""

    def __init__(self, settings, principal, names=None, every_s=10):
        self.settings, self.principal, self.names, self.every_s = settings, principal, names, every_s
        self.stopping = threading.Event()

    def round(self):
        return {device.name: collect(self.settings, self.principal, device) for device in boards(self.names)}

    def run(self, rounds=None):
        from ..db import database

        database.connect(reuse_if_open=True)
        done = 0
        while not self.stopping.is_set() and (rounds is None or done < rounds):
            try:
                self.round()
            except Exception:  # noqa: BLE001 - the next round tries again
                log.exception("collecting from the SiPM boards failed")
            done += 1
            if rounds is None or done < rounds:
                self.stopping.wait(self.every_s)

    def start(self):
        threading.Thread(target=self.run, name="dcs-sipm-collector", daemon=True).start()
        return self

    def stop(self):
        self.stopping.set()
