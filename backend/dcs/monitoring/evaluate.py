"""Judging readings against limits, sample by sample: levels with a deadband, N bad of the last M, and a delay.

A sample's level is 0 (normal), 1 (outside the warn limits) or 2 (outside the alarm limits). Once at a level, a
value must come back inside that level's limit by the deadband before the level drops. The condition is the
highest level that at least N of the last M samples reach; it must last `delay_s` before it counts. This is
plain Python over tuples, cheap enough for ten thousand parameters a second.
"""

from collections import deque

from ..timeutil import NS

LEVEL_SEVERITY = {1: "warning"}  # level 2 takes the parameter's alarm severity
LEVEL_WORDS = {1: "warn", 2: "alarm"}


class Limits:
    __slots__ = ("alarm_low", "warn_low", "warn_high", "alarm_high", "deadband", "delay_ns", "n_bad", "m_window",
                 "alarm_severity", "latching")

    def __init__(self, row):
        for key in ("alarm_low", "warn_low", "warn_high", "alarm_high", "deadband", "n_bad", "m_window",
                    "alarm_severity", "latching"):
            setattr(self, key, getattr(row, key))
        self.delay_ns = int(row.delay_s * NS)

    def level(self, value, held):
        """The level of one sample, given the level held so far (for the deadband)."""
        band = self.deadband
        for level, low, high in ((2, self.alarm_low, self.alarm_high), (1, self.warn_low, self.warn_high)):
            margin = band if held >= level else 0.0
            if (low is not None and value < low + margin) or (high is not None and value > high - margin):
                return level
        return 0

    def limit_crossed(self, value, level):
        """Which limit a value at a level is past, for the alert's message."""
        low, high = (self.alarm_low, self.alarm_high) if level == 2 else (self.warn_low, self.warn_high)
        if high is not None and value > high - self.deadband:
            return "high", high
        return "low", low


class State:
    """What the engine remembers of one parameter between samples."""

    __slots__ = ("samples", "held", "pending", "since_ns", "condition", "value", "last_t")

    def __init__(self, window, condition=0, last_t=0):
        self.samples = deque(maxlen=window)
        self.held = self.pending = self.condition = condition  # held: after N of M; condition: it lasted the delay
        self.since_ns = 0 if condition else None
        self.value = None
        self.last_t = last_t  # the newest sample judged: older ones arriving late are stored, not judged

    @classmethod
    def resumed(cls, limits, condition, last_t):
        """The state of a parameter whose open alert says it stands at `condition` (after a restart, a lease
        handover or an edit of its limits): it met its N of M and its delay when it was raised."""
        state = cls(limits.m_window, condition, last_t)
        state.samples.extend([condition] * min(limits.n_bad, limits.m_window))
        return state


def step(limits, state, t_ns, value):
    """Feed one sample; returns the condition level after it (0, 1 or 2)."""
    state.value = value
    samples = state.samples
    samples.append(limits.level(value, state.held))
    if samples.maxlen == 1:
        held = samples[-1]
    else:
        need, held = limits.n_bad, 0
        for level in (2, 1):
            if sum(1 for s in samples if s >= level) >= need:
                held = level
                break
    state.held = held
    if held == 0:
        state.pending, state.since_ns, state.condition = 0, None, 0
        return 0
    if held != state.pending or state.since_ns is None:
        if held < state.condition:  # dropping a level (alarm to warn) needs no delay
            state.pending, state.since_ns, state.condition = held, t_ns, held
            return held
        state.pending, state.since_ns = held, t_ns
    if t_ns - state.since_ns >= limits.delay_ns:
        state.condition = held
    return state.condition


def severity_of(limits, level):
    return LEVEL_SEVERITY.get(level) or limits.alarm_severity


def message(limits, parameter_name, unit, device_name, value, level):
    side, limit = limits.limit_crossed(value, level)
    unit = f" {unit}" if unit else ""
    past = value > limit if side == "high" else value < limit
    where = f"{'above' if side == 'high' else 'below'} its" if past else \
        f"back within the {limits.deadband:g}{unit} deadband of its"  # held there until it is well inside
    return (f"{device_name} {parameter_name} is {value:g}{unit}, {where} {LEVEL_WORDS[level]} {side} limit of "
            f"{limit:g}{unit}")
