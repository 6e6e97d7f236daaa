"""Judging samples against limits: levels, the deadband, N bad of the last M, and the delay."""

from types import SimpleNamespace

from dcs.monitoring.evaluate import Limits, State, message, severity_of, step
from dcs.timeutil import NS


def limits(**values):
    row = dict(alarm_low=None, warn_low=None, warn_high=30.0, alarm_high=40.0, deadband=0.0, delay_s=0.0, n_bad=1,
               m_window=1, alarm_severity="alarm", latching=1)
    row.update(values)
    return Limits(SimpleNamespace(**row))


def run(lim, values, step_s=1):
    state = State(lim.m_window)
    return [step(lim, state, i * step_s * NS, v) for i, v in enumerate(values)]


def test_a_value_past_the_warn_limit_is_level_one_and_past_the_alarm_limit_level_two():
    assert run(limits(), [20, 31, 41, 29]) == [0, 1, 2, 0]


def test_low_limits_count_as_much_as_high_ones():
    assert run(limits(alarm_low=5.0, warn_low=10.0), [12, 9, 4, 11]) == [0, 1, 2, 0]


def test_the_deadband_keeps_the_level_until_the_value_is_well_inside_again():
    lim = limits(deadband=1.0)
    # 30.5 is past warn; 29.5 is inside the limit but within the deadband, so still warn; 28.9 is out of it.
    assert run(lim, [30.5, 29.5, 28.9]) == [1, 1, 0]
    # Without having been at the level, the deadband does not apply.
    assert run(lim, [29.5]) == [0]


def test_n_bad_of_m_needs_enough_bad_samples_in_the_window():
    lim = limits(n_bad=3, m_window=5)
    # The window holds the last five: at the fifth sample three are bad, one later only two are.
    assert run(lim, [31, 20, 31, 20, 31, 20, 20, 20]) == [0, 0, 0, 0, 1, 0, 0, 0]


def test_a_single_spike_does_not_raise_when_three_of_five_are_needed():
    assert run(limits(n_bad=3, m_window=5), [20, 45, 20, 20, 20]) == [0, 0, 0, 0, 0]


def test_the_delay_holds_a_level_back_until_it_has_lasted():
    lim = limits(delay_s=3.0)
    assert run(lim, [31, 31, 31, 31, 31, 20]) == [0, 0, 0, 1, 1, 0]


def test_a_bad_value_that_goes_away_within_the_delay_never_counts():
    assert run(limits(delay_s=5.0), [35, 35, 20, 35, 20]) == [0, 0, 0, 0, 0]


def test_dropping_from_alarm_to_warn_needs_no_delay_but_rising_does():
    lim = limits(delay_s=2.0)
    assert run(lim, [31, 31, 31, 45, 45, 45, 33]) == [0, 0, 1, 1, 1, 2, 1]


def test_messages_name_the_value_the_limit_and_the_side():
    lim = limits(alarm_low=1.0)
    assert message(lim, "temp", "C", "sipm-01", 41.5, 2) == "sipm-01 temp is 41.5 C, above its alarm high limit of 40 C"
    assert message(lim, "temp", "", "sipm-01", 0.5, 2) == "sipm-01 temp is 0.5, below its alarm low limit of 1"
    banded = limits(deadband=0.5)
    assert message(banded, "temp", "C", "sipm-01", 29.8, 1) == (
        "sipm-01 temp is 29.8 C, back within the 0.5 C deadband of its warn high limit of 30 C")
    assert severity_of(lim, 1) == "warning" and severity_of(limits(alarm_severity="critical"), 2) == "critical"
