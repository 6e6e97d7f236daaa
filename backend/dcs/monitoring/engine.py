"""The alert engine: once a second it judges new readings against limits, turns silence into missed
heartbeats, marks what is behind a controller that is down as suppressed, raises and returns alerts, queues
notifications and runs reactions.

It runs inside `dcs serve` (a thread) or alone (`dcs monitor`). With several processes, one holds the lease
in the database (a row renewed every tick) and the others wait until it lapses. The engine beats with every
tick; pages show "monitoring stalled" when the beat is older than a few seconds, so a dead engine cannot go
unnoticed. An error in a tick is logged and recorded with the lease, and the next tick runs as usual.
"""

import logging
import os
import socket
import threading
import time

from ..commands.modules import load as load_modules
from ..db import database, writing
from ..timeutil import NS, iso, now_ns
from ..topology.models import Device
from . import alerts, evaluate, notify, reactions, suppression
from .heartbeats import next_state
from .models import Alert, EngineLease, Notification, Parameter, Watch
from .retention import Retention

log = logging.getLogger(__name__)

LEASE_S = 10
STALLED_S = 5
HOLD_OFF_S = 300  # an alert that comes back or gets worse is told again only after this long
READ_CHUNK = 20_000  # readings judged per round at most; more wait for the next round
HOLDER = f"{socket.gethostname()}:{os.getpid()}"


# --- the lease -----------------------------------------------------------------------------------------

def take_lease(holder, now):
    """Hold or renew the lease: True when holder has it now."""
    with writing():
        taken = (EngineLease.update(holder=holder, acquired_ns=now, expires_ns=now + LEASE_S * NS)
                 .where(EngineLease.id == 1, (EngineLease.holder != holder), EngineLease.expires_ns < now)
                 .execute())
        if taken:
            log.info("the alert engine runs in %s", holder)
            return True
        return bool(EngineLease.update(expires_ns=now + LEASE_S * NS)
                    .where(EngineLease.id == 1, EngineLease.holder == holder).execute())


def beat(holder, now):
    """A round went through: the engine is alive and holds the lease a while longer."""
    EngineLease.update(beat_ns=now, ticks=EngineLease.ticks + 1, expires_ns=now + LEASE_S * NS).where(
        EngineLease.id == 1, EngineLease.holder == holder).execute()


def release(holder):
    EngineLease.update(expires_ns=0).where(EngineLease.id == 1, EngineLease.holder == holder).execute()


def status(now=None):
    """{holder, beat, ticks, stalled, last_error} for the pages' "monitoring stalled" banner."""
    now = now or now_ns()
    lease = EngineLease.get_or_none(EngineLease.id == 1)
    if lease is None or not lease.beat_ns:
        return {"holder": None, "beat": None, "ticks": 0, "stalled": True, "since_s": None,
                "last_error": None, "message": "The alert engine has never run: start `dcs serve` or `dcs monitor`."}
    since = (now - lease.beat_ns) / NS
    stalled = since > STALLED_S
    return {"holder": lease.holder, "beat": iso(lease.beat_ns), "ticks": lease.ticks, "stalled": stalled,
            "since_s": round(since, 1), "last_error": lease.last_error or None,
            "message": (f"Monitoring stalled: the alert engine last ran {since:.0f} s ago; alerts are not being "
                        "raised." if stalled else "The alert engine is running.")}


# --- the engine ----------------------------------------------------------------------------------------

class Parameters:
    """The parameters with their limits, reloaded when any of them changes."""

    def __init__(self):
        self.stamp = None
        self.by_id = {}

    def refresh(self):
        stamp = database.execute_sql("SELECT COUNT(*), COALESCE(MAX(updated_ns), 0) FROM parameters").fetchone()
        if stamp == self.stamp:
            return False
        rows = (Parameter.select(Parameter, Device.id, Device.name).join(Device, on=(Parameter.device == Device.id)))
        self.by_id = {p.id: (evaluate.Limits(p), p.name, p.unit, p.device_id, p.device.name, p.guidance,
                             tuple(p.limits().values()) + (p.deadband, p.delay_s, p.n_bad, p.m_window, p.latching),
                             (p.last_ns, p.last_value))
                      for p in rows}
        self.stamp = stamp
        return True


class Engine:
    def __init__(self, settings, holder=HOLDER):
        self.settings, self.holder = settings, holder
        self.parameters = Parameters()
        self.retention = Retention(settings)
        self.suppressed = suppression.Suppression()
        self.recipients = None
        self.stopping = threading.Event()
        self.thread = None
        self.forget()
        load_modules(settings)  # the command modules' actions, for reactions

    def forget(self, last_reading=None):
        """Start over from the database: after an error in a tick, or on (re)taking the lease from another process,
        whose rounds this one did not see."""
        self.states, self.signatures, self.catch_up = {}, {}, []
        self.last_reading = last_reading
        self.parameters.stamp = None

    # one tick ---------------------------------------------------------------------------------------------

    def tick(self, now=None):
        """One round of judging; returns what changed: {"alerts": n, "readings": n}. If it fails, nothing of it
        counts: the next round judges the same readings again from what the database holds."""
        now = now or now_ns()
        mark = self.last_reading
        try:
            if self.parameters.refresh():
                self._reset_states()
            levels, readings = self._judge_readings()
            changes = 0
            self.recipients = notify.Recipients()
            with writing():
                watches = list(Watch.select(Watch, Device.id, Device.name)
                               .join(Device, on=(Watch.device == Device.id)))
                open_by_key = alerts.open_alerts()
                down = self._heartbeat_states(watches, now)
                suppressed = self.suppressed.update(down, now)
                changes += self._heartbeat_alerts(watches, down, open_by_key, suppressed, now)
                changes += self._limit_alerts(levels, open_by_key, suppressed, now)
                marked, lifted = self.suppressed.mark(open_by_key, now)
                changes += marked
                for alert in lifted + alerts.expire_shelving(now):
                    self._announce_late(alert, now)
                notify.queue_reminders(now)
        except Exception:
            self.forget(mark)
            raise
        reactions.run_due(now)
        self.retention.step(now)
        return {"alerts": changes, "readings": readings}

    def _reset_states(self):
        """Limits changed (or the engine starts): parameters whose limits are as they were keep their state; the
        others resume at the level their open alert stands at."""
        open_levels = {a.parameter_id: (2 if a.severity != "warning" else 1) for a in
                       Alert.select(Alert.parameter, Alert.severity)
                       .where(Alert.open_key.is_null(False), Alert.kind == "limit", Alert.bad == 1)}
        states, signatures = {}, {}
        for parameter_id, (limits, *_, signature, (last_ns, last_value)) in self.parameters.by_id.items():
            kept = self.states.get(parameter_id)
            if kept is not None and self.signatures.get(parameter_id) == signature:
                states[parameter_id] = kept
            else:
                condition = kept.condition if kept is not None else open_levels.get(parameter_id, 0)
                states[parameter_id] = evaluate.State.resumed(limits, condition, (last_ns or 0) - 1)
                if kept is not None and last_ns is not None:  # new limits: judge the value as it stands now
                    self.catch_up.append((0, parameter_id, last_ns, last_value))
            signatures[parameter_id] = signature
        self.states, self.signatures = states, signatures
        if self.last_reading is None:
            # Starting: judge readings that arrive from now on, and each parameter's latest value as it stands
            # (what happened while no engine ran is in the plots, not raised after the fact).
            self.last_reading = database.execute_sql("SELECT COALESCE(MAX(id), 0) FROM readings").fetchone()[0]
            self.catch_up = [(0, p, t, v) for p, t, v in Parameter.select(
                Parameter.id, Parameter.last_ns, Parameter.last_value).where(Parameter.last_ns.is_null(False)).tuples()]

    def _judge_readings(self):
        """[(parameter_id, level, value)] for every change of a parameter's condition, in order; how many
        readings were read. A reading older than the newest one judged (a late batch, a controller's buffer) is
        stored and plotted, but does not change the present."""
        rows = database.execute_sql(
            f"SELECT id, parameter_id, t_ns, value FROM readings WHERE id > {database.param} ORDER BY id LIMIT "
            f"{READ_CHUNK}", (self.last_reading,)).fetchall()
        if rows:
            self.last_reading = rows[-1][0]
        if self.catch_up:
            rows, self.catch_up = self.catch_up + rows, []
        changed, by_id, states, step = [], self.parameters.by_id, self.states, evaluate.step
        for _, parameter_id, t_ns, value in rows:
            state = states.get(parameter_id)
            if state is None or t_ns < state.last_t:
                continue
            state.last_t = t_ns
            before = state.condition
            after = step(by_id[parameter_id][0], state, t_ns, value)
            if after != before:
                changed.append((parameter_id, after, value))
        return changed, len(rows)

    def _heartbeat_states(self, watches, now):
        """Bring each watch's state to what silence made of it; {device_id: name} of the devices down."""
        down = {}
        for watch in watches:
            state, _ = next_state(watch, now)
            if state != watch.state:
                Watch.update(state=state, changed_ns=now).where(Watch.id == watch.id,
                                                                Watch.state == watch.state).execute()
                watch.state = state  # the watches were read in this transaction: nothing came in between
            if state == "down":
                down[watch.device_id] = watch.device.name
        return down

    def _heartbeat_alerts(self, watches, down, open_by_key, suppressed, now):
        changes = 0
        for watch in watches:
            key = Alert.key_for(watch.device_id, "heartbeat")
            found = open_by_key.get(key)
            if watch.state == "down":
                if found is not None and found.bad:
                    continue
                text = _silence_text(watch, now)
                alert, happened = alerts.condition_bad(found, key, watch.device_id, None, "heartbeat", watch.severity,
                                                       text, None, True, now, suppressed.get(watch.device_id, ""),
                                                       watch.guidance)
                open_by_key[key] = alert
                changes += self._after_bad(alert, happened, now)
            elif found is not None and found.bad and watch.state == "up":
                changes += self._after_normal(found, f"{watch.device.name} beats again", now)
            elif found is not None and found.bad and watch.state == "paused":  # maintenance: not a recovery
                changes += self._after_normal(found, f"{watch.device.name} is paused for maintenance", now,
                                              announce=False)
        return changes

    def _limit_alerts(self, levels, open_by_key, suppressed, now):
        changes = 0
        for parameter_id, level, value in levels:
            limits, name, unit, device_id, device_name, guidance, _, _ = self.parameters.by_id[parameter_id]
            key = Alert.key_for(device_id, "limit", parameter_id)
            found = open_by_key.get(key)
            if level:
                text = evaluate.message(limits, name, unit, device_name, value, level)
                alert, happened = alerts.condition_bad(found, key, device_id, parameter_id, "limit",
                                                       evaluate.severity_of(limits, level), text, value,
                                                       limits.latching, now, suppressed.get(device_id, ""), guidance)
                open_by_key[key] = alert
                changes += self._after_bad(alert, happened, now)
            elif found is not None and found.bad:
                unit_text = f" {unit}" if unit else ""
                changes += self._after_normal(found, f"{device_name} {name} is back to {value:g}{unit_text}", now)
        return changes

    def _after_bad(self, alert, happened, now):
        """Tell the subscribers of a new alert and of one that gets worse; of one that comes back only when they
        were not told about it within the hold-off (a value flapping around its limit sends one message, not
        fifty)."""
        muted = alert.suppressed_by or alert.shelved
        recent = alert.notified_ns and now - alert.notified_ns < HOLD_OFF_S * NS
        if not muted and (happened in ("raised", "escalated") or happened == "again" and not recent):
            notify.queue(alert, "raised", now, self.recipients)
        return 1 if happened else 0

    def _after_normal(self, alert, text, now, announce=True):
        alerts.condition_normal(alert, now, text)
        if announce and not alert.suppressed_by and not alert.shelved:  # muted: no recovery message either
            notify.queue(alert, "recovered", now, self.recipients)
        return 1

    def _announce_late(self, alert, now):
        """An alert that was raised while suppressed or shelved and is still active when that ends is told now."""
        if alert.state == "active" and alert.bad and not alert.shelved and not alert.suppressed_by and not \
                Notification.select().where(Notification.alert == alert.id, Notification.reason == "raised").exists():
            notify.queue(alert, "raised", now, self.recipients)

    # the thread -------------------------------------------------------------------------------------------

    def start(self):
        self.thread = threading.Thread(target=self.run, name="dcs-alert-engine", daemon=True)
        self.thread.start()
        return self

    def stop(self, timeout=10):
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(timeout)

    def run(self):
        """Tick once a second while holding the lease; otherwise try for it every two seconds."""
        database.connect(reuse_if_open=True)
        delivery = notify.Delivery(self.settings, self.stopping).start()
        holding = False
        try:
            while not self.stopping.is_set():
                started = time.monotonic()
                try:
                    now = now_ns()
                    if take_lease(self.holder, now):
                        if not holding:  # another process may have judged readings meanwhile
                            self.forget()
                        holding = True
                        delivery.active = True
                        self.tick(now)
                        beat(self.holder, now)
                    else:
                        holding = delivery.active = False
                        self.stopping.wait(2)
                        continue
                except Exception as error:  # a bad tick must not end the engine: log it, show it, go on
                    log.exception("alert engine tick failed")
                    _record_error(self.holder, error)
                    database.close()  # a lost connection is opened afresh for the next round
                    database.connect(reuse_if_open=True)
                self.stopping.wait(max(0.05, 1 - (time.monotonic() - started)))
        finally:
            if holding:
                release(self.holder)
            delivery.stop()
            database.close()


def _record_error(holder, error):
    """Keep the error for the pages; the beat does not move, so an engine failing every round shows as stalled."""
    try:
        now = now_ns()
        EngineLease.update(last_error=f"{iso(now)}: {type(error).__name__}: {error}"[:500]).where(
            EngineLease.id == 1, EngineLease.holder == holder).execute()
    except Exception:
        log.exception("could not record the engine's error")


def _silence_text(watch, now):
    name = watch.device.name
    if watch.last_signal == "fail":
        detail = f" (exit code {watch.exit_code})" if watch.exit_code not in (None, 0) else ""
        status = f": {watch.last_status}" if watch.last_status else ""
        return f"{name} reported a failure{detail}{status}"
    _, silent = next_state(watch, now)
    return (f"No heartbeat from {name} for {silent:.0f} s (it beats every {watch.period_s} s, "
            f"{watch.grace_s} s grace)")
