"""Demo monitoring: heartbeat watches for the PADME controllers, parameters with limits and a day of
per-minute readings, an alert history (a temperature excursion acknowledged by the shift), notification
subscriptions and reactions. `dcs serve --demo-feed` then plays the controllers: heartbeats and readings
every few seconds, except for the SAC HV crate, which has stopped answering (so its heartbeat alert is raised,
and the SAC board behind it is shown as suppressed), and one ECal board running warm.
"""

import contextlib
import io
import math
import random
import threading
from pathlib import Path

from .audit import Actor
from .auth.models import User
from .auth.sessions import principal_for_user
from .config import Settings
from .db import database, writing
from .monitoring import alerts, heartbeats, notify, parameters, reactions
from .monitoring.models import Alert, Parameter, Watch
from .monitoring.readings import store_rows
from .timeutil import NS, now_ns
from .topology.models import Device

STOPPED = ("mainframe-sac", "sipm-sac01")  # the controllers that fell silent
SIMULATED = ("sipm-ecal01", "sipm-ecal02")  # boards played by sipm-ctl and read by the collector
WARM = "sipm-ecal07"
LIMITS = {
    "temp": dict(unit="°C", nominal=27.0, warn_high=35.0, alarm_high=40.0, deadband=0.3, delay_s=10,
                 guidance="Check the rack's cooling fans and the water flow; above 40 °C ramp the board's HV "
                          "down (reaction ecal-to-cosmics) and call the ECal on-call expert."),
    "hv_mean": dict(unit="V", nominal=38.0, alarm_low=37.0, warn_low=37.5, warn_high=38.5, alarm_high=39.0,
                    deadband=0.05, delay_s=5, alarm_severity="critical",
                    guidance="The board's mean SiPM bias left its band. Compare the live configuration on the "
                             "device page; if a channel tripped, re-apply the ECal physics recipe."),
    "current_ua": dict(unit="µA", nominal=2.0, warn_high=5.0, alarm_high=8.0, n_bad=3, m_window=5,
                       guidance="A rising leakage current often means a channel is breaking down: look at the "
                                "per-channel status and switch the channel off if it keeps rising."),
}
SILENT = {
    "mainframe": "Ping the crate (its address is on the device page). If it does not answer, power-cycle it from the "
                 "rack PDU; the boards behind it come back by themselves within a minute.",
    "sipm": "Check the crate in front of the board first (suppressed alerts point at it). If only this board is "
            "silent, reset it from the crate's web page.",
    "v1742": "Restart the digitizer's readout process on the DAQ host; if the board does not answer, call the DAQ "
             "expert.",
}
MINUTES = 24 * 60


def _boards():
    return [d.name for d in Device.select(Device.name).where(Device.name.startswith("sipm-")).order_by(Device.name)]


def _controllers():
    names = [d.name for d in Device.select(Device.name).where(
        Device.name.startswith("mainframe-") | Device.name.startswith("v1742-")
        | Device.name.in_(["switch-daq01", "trigger-main"])).order_by(Device.name)]
    return _boards() + names


def _value(name, parameter, t_s, rng):
    """A plausible reading: a daily temperature swing, a steady bias, a small current; one board runs warm."""
    phase = (hash(name) % 100) / 100 * 2 * math.pi
    if parameter == "temp":
        base = 26.0 + 1.5 * math.sin(2 * math.pi * t_s / 86400 + phase)
        if name == WARM:
            base += 10.5
        return round(base + rng.gauss(0, 0.15), 2)
    if parameter == "hv_mean":
        return round(38.0 + rng.gauss(0, 0.02), 3)
    return round(2.0 + 0.3 * math.sin(t_s / 3600 + phase) + rng.gauss(0, 0.05), 3)


def _simulated_boards(actor, settings):
    """Two ECal boards run on the sipm-ctl simulator: every channel at 38 V, each with its own voltage and current
    parameters, read by the collector (`dcs serve --demo-feed`, or `dcs cmd collect`)."""
    from .commands import sipm_ctl
    from .commands.sipm import module

    folder = Path(settings.command_state_dir) / module.name
    folder.mkdir(parents=True, exist_ok=True)
    for name in SIMULATED:
        state = str(folder / f"{name}.json")
        for channel in range(32):
            for step in (["set-hv", str(channel), "38.00"], ["hv-on", str(channel)]):
                with contextlib.redirect_stdout(io.StringIO()):
                    sipm_ctl.main(["--state", state, "--board", name, *step])
        device = Device.get(Device.name == name)
        for channel in range(32):
            parameters.define(actor, device, f"ch{channel:02d}_v", {"unit": "V", "nominal": 38.0, "alarm_low": 36.0,
                                                                   "alarm_high": 40.0, "delay_s": 30})
            parameters.define(actor, device, f"ch{channel:02d}_ua", {"unit": "µA", "warn_high": 5.0,
                                                                    "alarm_high": 8.0})


def seed(settings):
    actor = Actor("system:demo")
    now = now_ns()
    rng = random.Random(6)
    rows = []
    for name in _controllers():
        device = Device.get(Device.name == name)
        heartbeats.configure(actor, device, period_s=10 if name.startswith("sipm-") else 30, grace_s=10,
                             guidance=SILENT.get(name.split("-")[0], ""))
        Watch.update(state="up", last_ns=now - (600 if name in STOPPED else 2) * NS, last_signal="beat",
                     beats=MINUTES, last_seq=MINUTES).where(Watch.device == device).execute()
        wanted = ("temp", "hv_mean", "current_ua") if name.startswith("sipm-") else ("temp",)
        for parameter in wanted:
            limits = dict(LIMITS["temp"], warn_high=45.0, alarm_high=55.0) if (
                parameter == "temp" and not name.startswith("sipm-")) else LIMITS[parameter]
            row = parameters.define(actor, device, parameter, limits)
            start = now - MINUTES * 60 * NS
            for minute in range(MINUTES):
                t = start + minute * 60 * NS
                value = _value(name, parameter, t / NS, rng)
                if name == "sipm-ecal12" and parameter == "temp" and 600 <= minute < 660:
                    value = round(36.0 + rng.gauss(0, 0.2), 2)  # the fan failure of this morning
                rows.append((row.id, t, value))
    with writing():
        for start in range(0, len(rows), 50_000):
            store_rows(rows[start:start + 50_000])
    _history(now)
    if settings is not None:  # the simulator keeps its boards in the settings' state directory
        _simulated_boards(actor, settings)
    _subscriptions(actor, settings or Settings())
    _reactions(actor)


def _history(now):
    """This morning's fan failure on sipm-ecal12: raised, acknowledged by the shift, cleared."""
    device = Device.get(Device.name == "sipm-ecal12")
    parameter = Parameter.get(Parameter.device == device, Parameter.name == "temp")
    raised = now - (MINUTES - 600) * 60 * NS
    alert = Alert.create(device=device, parameter=parameter, kind="limit", open_key=None, severity="warning",
                         guidance=parameter.guidance,
                         state="active", bad=1, latching=1, value=36.1, raised_ns=raised, changed_ns=raised,
                         message="sipm-ecal12 temp is 36.1 °C, above its warn high limit of 35 °C")
    alerts.event(alert, "raised", raised, comment=alert.message)
    acked = raised + 7 * 60 * NS
    alert.state, alert.acked_by, alert.acked_ns, alert.changed_ns = "acknowledged", "user:otto", acked, acked
    alert.ack_comment = "Rack fan 3 stopped; the technician is on the way."
    alerts.event(alert, "acknowledged", acked, "user:otto", alert.ack_comment)
    cleared = raised + 60 * 60 * NS
    alert.state, alert.bad, alert.cleared_ns, alert.changed_ns = "cleared", 0, cleared, cleared
    alert.save()
    alerts.event(alert, "cleared", cleared, comment="sipm-ecal12 temp is back to 27.9 °C", value=27.9)


def _subscriptions(actor, settings):
    notify.subscribe(actor, settings, User.by_name("otto"), "email", "otto@example.org", "alarm", remind_s=900)
    notify.subscribe(actor, settings, User.by_name("elena"), "email", "elena@example.org", "critical",
                     subsystem="ECal")


def _reactions(actor):
    elena = principal_for_user(User.by_name("elena"))
    reactions.create(actor, elena, "ecal-to-cosmics", "padme-ecal", "config.apply-recipe", {"recipe": "ecal-cosmics"},
                     "offer", subsystem="ECal", parameter="temp", min_severity="alarm",
                     confirm="Switch the whole ECal to the cosmics HV recipe (lower bias) now?")
    reactions.create(actor, elena, "ecal-hv-trip-safe", "padme-ecal", "config.apply-recipe",
                     {"recipe": "ecal-cosmics"}, "auto", subsystem="ECal", parameter="hv_mean", min_severity="critical",
                     delay_s=120)


class Feed:
    """The demo's device controllers: every few seconds a heartbeat and readings for each, but the stopped ones."""

    def __init__(self, settings, every_s=5):
        self.settings, self.every_s = settings, every_s
        self.stopping = threading.Event()
        self.rng = random.Random()

    def start(self):
        threading.Thread(target=self.run, name="dcs-demo-feed", daemon=True).start()
        return self

    def stop(self):
        self.stopping.set()

    def run(self):
        database.connect(reuse_if_open=True)
        try:
            admin = User.select().where(User.is_admin == 1).order_by(User.id).first()
            principal = principal_for_user(admin)
            actor = Actor("demo:controllers")
            while not self.stopping.wait(self.every_s):
                self.beat(principal, actor)
        finally:
            database.close()

    def beat(self, principal, actor):
        from .commands.collector import Collector

        Collector(self.settings, principal, SIMULATED).round()  # the simulated boards answer for themselves
        now = now_ns()
        names = [n for n in _controllers() if n not in STOPPED + SIMULATED]
        found = {(d, p): i for i, d, p in Parameter.select(Parameter.id, Device.name, Parameter.name)
                 .join(Device, on=(Parameter.device == Device.id)).where(Device.name.in_(names)).tuples()}
        heartbeats.receive(actor, principal, [{"device": n, "status": "ok"} for n in names], source=actor.label)
        with writing():
            store_rows([(i, now, _value(d, p, now / NS, self.rng)) for (d, p), i in found.items()])
