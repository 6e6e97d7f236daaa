"""The alert engine: missed heartbeats, limits, the alert states, suppression behind a controller that is down,
the lease between processes, and an engine that survives its own errors."""

import threading

from dcs.monitoring import alerts, engine as engines
from dcs.monitoring.engine import Engine
from dcs.monitoring.models import Alert, AlertEvent, EngineLease, Watch
from dcs.timeutil import NS, now_ns
from dcs.topology.devices import get_device

from ..conftest import TEST_ACTOR
from .conftest import beat, later, limits, principal, read, watch


def open_alert(device, kind="heartbeat"):
    return Alert.get_or_none(Alert.device == get_device(device), Alert.kind == kind, Alert.open_key.is_null(False))


def events(alert):
    return [e.event for e in AlertEvent.select().where(AlertEvent.alert == alert.id).order_by(AlertEvent.id)]


def test_a_missed_heartbeat_raises_an_alert_once_the_period_and_grace_have_passed(engine):
    watch("sipm-hv01", period_s=10, grace_s=5)
    beat("sipm-hv01")
    engine.tick(later(9))
    assert open_alert("sipm-hv01") is None
    engine.tick(later(12))
    assert Watch.get().state == "late" and open_alert("sipm-hv01") is None
    engine.tick(later(16))
    alert = open_alert("sipm-hv01")
    assert alert.state == "active" and alert.severity == "alarm"
    assert "No heartbeat from sipm-hv01" in alert.message and "every 10 s" in alert.message


def test_the_heartbeat_alert_returns_when_the_device_beats_again_and_clears_on_acknowledgement(engine):
    watch("sipm-hv01", period_s=10, grace_s=5)
    beat("sipm-hv01")
    engine.tick(later(20))
    beat("sipm-hv01")
    engine.tick(later(1))
    alert = open_alert("sipm-hv01")
    assert alert.state == "returned" and not alert.bad
    alerts.acknowledge(TEST_ACTOR, principal("olaf"), [alert.id], "crate rebooted")
    alert = Alert.get_by_id(alert.id)
    assert alert.state == "cleared" and alert.ack_comment == "crate rebooted"
    assert events(alert) == ["raised", "returned", "acknowledged"]


def test_a_fail_signal_raises_at_once_with_the_exit_code_and_status(engine):
    watch("adc-01", period_s=60)
    beat("adc-01", exit_code=3, status="PLL lost lock")
    engine.tick(later(0.5))
    alert = open_alert("adc-01")
    assert alert.message == "adc-01 reported a failure (exit code 3): PLL lost lock"


def test_a_paused_device_raises_nothing_until_its_pause_ends(engine):
    from dcs.monitoring.heartbeats import pause

    watch("sipm-hv01", period_s=10, grace_s=5)
    beat("sipm-hv01")
    pause(TEST_ACTOR, get_device("sipm-hv01"), later(60), "replacing a fan")
    engine.tick(later(30))
    assert open_alert("sipm-hv01") is None and Watch.get().state == "paused"
    engine.tick(later(61 + 16))
    assert open_alert("sipm-hv01") is not None


def test_a_reading_past_a_limit_raises_and_acknowledging_then_returning_clears_it(engine):
    temp = limits("sipm-hv01", warn_high=30, alarm_high=40, guidance="Check the fans.")
    read(temp, 25, 42)
    engine.tick()
    alert = open_alert("sipm-hv01", "limit")
    assert (alert.state, alert.severity, alert.value) == ("active", "alarm", 42.0)
    assert alert.to_dict()["guidance"] == "Check the fans."
    alerts.acknowledge(TEST_ACTOR, principal("olaf"), [alert.id], "looking")
    read(temp, 20)
    engine.tick()
    alert = Alert.get_by_id(alert.id)
    assert alert.state == "cleared" and alert.open_key is None
    assert events(alert) == ["raised", "acknowledged", "cleared"]


def test_a_latching_alert_waits_for_acknowledgement_after_returning_and_a_non_latching_one_clears_itself(engine):
    latching = limits("sipm-hv01", "temp", warn_high=30)
    plain = limits("adc-01", "temp", warn_high=30, latching=False)
    read(latching, 35)
    read(plain, 35)
    engine.tick()
    read(latching, 20)
    read(plain, 20)
    engine.tick()
    assert open_alert("sipm-hv01", "limit").state == "returned"
    assert open_alert("adc-01", "limit") is None
    assert Alert.get(Alert.device == get_device("adc-01")).state == "cleared"


def test_a_worse_severity_after_acknowledgement_needs_a_new_acknowledgement(engine):
    temp = limits("sipm-hv01", warn_high=30, alarm_high=40)
    read(temp, 33)
    engine.tick()
    alert = open_alert("sipm-hv01", "limit")
    alerts.acknowledge(TEST_ACTOR, principal("olaf"), [alert.id])
    read(temp, 45)
    engine.tick()
    alert = Alert.get_by_id(alert.id)
    assert (alert.state, alert.severity) == ("active", "alarm")
    assert events(alert) == ["raised", "acknowledged", "escalated"]


def test_a_condition_that_comes_back_while_returned_makes_the_alert_active_again(engine):
    temp = limits("sipm-hv01", warn_high=30)
    read(temp, 33)
    engine.tick()
    read(temp, 20)
    engine.tick()
    read(temp, 34)
    engine.tick()
    alert = open_alert("sipm-hv01", "limit")
    assert alert.state == "active" and events(alert) == ["raised", "returned", "again"]
    assert Alert.select().count() == 1


def test_an_excursion_inside_one_batch_is_still_in_the_history(engine):
    temp = limits("sipm-hv01", warn_high=30)
    engine.tick()
    read(temp, 20, 35, 20)
    engine.tick()
    alert = Alert.get()
    assert alert.state == "returned" and events(alert) == ["raised", "returned"]


def test_devices_behind_a_controller_that_is_down_are_suppressed_not_raised_again(engine):
    for name in ("switch-01", "sipm-hv01", "adc-01"):
        watch(name, period_s=10, grace_s=5)
    beat("switch-01", "sipm-hv01", "adc-01")
    temp = limits("bgo-0", warn_high=30)
    engine.tick(later(20))
    switch, board = open_alert("switch-01"), open_alert("sipm-hv01")
    assert switch.suppressed_by == "" and board.suppressed_by == "switch-01"
    read(temp, 35)
    engine.tick(later(21))
    assert open_alert("bgo-0", "limit").suppressed_by == "switch-01"
    # The switch comes back: what is behind it is no longer suppressed.
    beat("switch-01")
    engine.tick(later(0.5))
    assert open_alert("sipm-hv01").suppressed_by == ""
    assert "unsuppressed" in events(open_alert("sipm-hv01"))


def test_two_controllers_cabled_in_a_loop_do_not_hide_each_other(engine):
    from dcs.topology.connections import connect
    from dcs.topology.devices import add_device

    add_device(TEST_ACTOR, "switch-02", subsystem="DAQ", group="ecal")
    connect(TEST_ACTOR, "switch-01:p2", "switch-02:p0", "network")
    connect(TEST_ACTOR, "switch-02:p1", "switch-01:p3", "network")
    for name in ("switch-01", "switch-02", "adc-01"):
        watch(name, period_s=10, grace_s=5)
    beat("switch-01", "switch-02", "adc-01")
    engine.tick(later(20))
    assert open_alert("switch-01").suppressed_by == "" and open_alert("switch-02").suppressed_by == ""
    assert open_alert("adc-01").suppressed_by == "switch-01"


def test_alerts_and_their_history_survive_a_restart_of_the_engine(settings, engine):
    temp = limits("sipm-hv01", warn_high=30)
    read(temp, 35)
    engine.tick()
    alert = open_alert("sipm-hv01", "limit")
    alerts.acknowledge(TEST_ACTOR, principal("olaf"), [alert.id], "known")
    restarted = Engine(settings, holder="another")
    read(temp, 20)
    restarted.tick()
    alert = Alert.get_by_id(alert.id)
    assert alert.state == "cleared" and alert.ack_comment == "known"
    assert events(alert) == ["raised", "acknowledged", "cleared"]


def test_a_restarted_engine_judges_each_parameters_latest_value(settings, plant):
    temp = limits("sipm-hv01", warn_high=30)
    read(temp, 35)
    Engine(settings).tick()
    assert open_alert("sipm-hv01", "limit").state == "active"


def test_only_one_process_holds_the_lease_and_another_takes_over_when_it_lapses(db):
    now = now_ns()
    assert engines.take_lease("one", now)
    assert not engines.take_lease("two", now + NS)
    assert engines.take_lease("one", now + 2 * NS)
    assert engines.take_lease("two", now + (engines.LEASE_S + 3) * NS)
    assert EngineLease.get_by_id(1).holder == "two"


def test_the_status_says_stalled_when_the_engine_stops_beating(db):
    assert engines.status()["stalled"] and "never run" in engines.status()["message"]
    now = now_ns()
    engines.take_lease("one", now)
    engines.beat("one", now)
    assert not engines.status(now + NS)["stalled"]
    stalled = engines.status(now + 30 * NS)
    assert stalled["stalled"] and "Monitoring stalled" in stalled["message"]


class Faulty(Engine):
    """An engine whose first tick fails, as a bug or a lost connection would make it."""

    def __init__(self, settings):
        super().__init__(settings, holder="faulty")
        self.ticks = 0
        self.ticked_again = threading.Event()

    def tick(self, now=None):
        self.ticks += 1
        if self.ticks == 1:
            raise RuntimeError("the database went away")
        self.ticked_again.set()
        return super().tick(now)


def test_an_error_in_a_tick_is_recorded_and_the_engine_goes_on(settings, plant):
    engine = Faulty(settings).start()
    try:
        assert engine.ticked_again.wait(10), "the engine stopped after its error"
    finally:
        engine.stop()
    lease = EngineLease.get_by_id(1)
    assert engine.ticks >= 2 and "RuntimeError: the database went away" in lease.last_error


def test_an_engine_restarted_under_an_open_alarm_goes_on_judging_and_raising(settings, engine):
    temp = limits("sipm-hv01", warn_high=30, alarm_high=40, delay_s=5)
    watch("adc-01", period_s=10, grace_s=5)
    beat("adc-01")
    engine.tick()
    start = now_ns()
    read(temp, *[45] * 7, start_ns=start)
    engine.tick(start + 7 * NS)
    assert open_alert("sipm-hv01", "limit").state == "active"
    restarted = Engine(settings, holder="after-restart")
    read(temp, 46, start_ns=start + 8 * NS)
    restarted.tick(start + 8 * NS)
    restarted.tick(later(20))  # the silent digitizer is still noticed
    assert open_alert("adc-01") is not None
    assert events(open_alert("sipm-hv01", "limit")) == ["raised"]  # not falsely returned and raised again


def test_a_late_reading_from_the_past_is_stored_but_does_not_change_the_present(engine):
    temp = limits("sipm-hv01", warn_high=30, latching=False)
    engine.tick()
    read(temp, 35)
    engine.tick()
    read(temp, 20, start_ns=now_ns() - 3600 * NS)  # a controller's buffer from an hour ago
    engine.tick()
    assert open_alert("sipm-hv01", "limit").state == "active"


def test_a_tick_that_fails_is_judged_again_and_an_engine_failing_every_round_shows_as_stalled(settings, engine):
    from dcs.monitoring.engine import _record_error

    temp = limits("sipm-hv01", warn_high=30)
    engine.tick()
    read(temp, 35)
    engine.forget(engine.last_reading - 1 if engine.last_reading else 0)  # what a failed round leaves behind
    engine.tick()
    assert open_alert("sipm-hv01", "limit").state == "active"
    now = now_ns()
    engines.take_lease("test-engine", now)
    engines.beat("test-engine", now)
    for _ in range(3):
        _record_error("test-engine", RuntimeError("disk full"))
    stalled = engines.status(now + 10 * NS)
    assert stalled["stalled"] and "RuntimeError: disk full" in stalled["last_error"]


def test_an_alert_raised_while_suppressed_is_told_when_the_controller_comes_back(settings, engine, login):
    from dcs.monitoring.models import Notification

    login("olaf").post("/api/subscriptions", {"channel": "email", "target": "olaf@example.org"})
    watch("switch-01", period_s=10, grace_s=5)
    beat("switch-01")
    temp = limits("sipm-hv01", warn_high=30, alarm_high=40)
    engine.tick()
    engine.tick(later(20))
    read(temp, 45)
    engine.tick(later(21))
    alert = open_alert("sipm-hv01", "limit")
    assert alert.suppressed_by == "switch-01"
    told = Notification.select().where(Notification.alert == alert.id)
    assert told.count() == 0
    beat("switch-01")
    engine.tick(later(1))
    assert [n.reason for n in told] == ["raised"]


def test_a_value_flapping_around_its_limit_is_told_once_within_the_hold_off(engine, login):
    from dcs.monitoring.models import Notification

    login("olaf").post("/api/subscriptions", {"channel": "email", "target": "olaf@example.org",
                                              "min_severity": "warning", "on_recovery": False})
    temp = limits("sipm-hv01", warn_high=30)
    engine.tick()
    for value in (31, 29, 31, 29, 31):
        read(temp, value)
        engine.tick()
    assert events(open_alert("sipm-hv01", "limit")).count("again") == 2
    assert Notification.select().where(Notification.reason == "raised").count() == 1


def test_tightening_a_limit_judges_the_value_as_it_stands(engine):
    temp = limits("sipm-hv01", warn_high=40)
    engine.tick()
    read(temp, 35)
    engine.tick()
    assert open_alert("sipm-hv01", "limit") is None
    limits("sipm-hv01", warn_high=30)
    engine.tick()
    assert open_alert("sipm-hv01", "limit").severity == "warning"
