"""Time stamps: int64 nanoseconds since the Unix epoch inside, ISO 8601 for people.

Every interface accepts seconds (int, float or a numeric string) and ISO 8601 text; an ISO time
without an offset is read as UTC.
"""

import re
import time
from decimal import Decimal
from datetime import datetime, timezone

from .errors import DcsError, bad_request

NS = 1_000_000_000
_ISO_FRACTION = re.compile(r"\d{2}:\d{2}:\d{2}(?P<sep>[.,])(?P<frac>\d+)")
# Years 1678..2261 fit in int64 nanoseconds; we accept a comfortable part of that.
_MIN_NS = 0
_MAX_NS = int(datetime(2200, 1, 1, tzinfo=timezone.utc).timestamp()) * NS


def now_ns():
    return time.time_ns()


def to_ns(value, what="time", field=None):
    """Seconds (int/float/numeric text) or ISO 8601 text -> int nanoseconds; anything else is refused (naming
    field, when given, for forms that show the sentence next to it)."""
    try:
        return _to_ns(value, what)
    except DcsError as error:
        if field is None:
            raise
        raise bad_request(error.message, errors=[{"field": field, "error": error.message}]) from None


def _to_ns(value, what):
    if isinstance(value, bool) or value is None:
        raise bad_request(f"The {what} must be Unix seconds or an ISO 8601 time, not {value!r}.")
    if isinstance(value, int):
        ns = value * NS
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise bad_request(f"The {what} must be a finite number of seconds.")
        ns = int(Decimal(repr(value)) * NS)  # exact for what the float prints as: 0.25 s is 250000000 ns
    elif isinstance(value, str):
        ns = _parse_text(value.strip(), what)
    else:
        raise bad_request(f"The {what} must be Unix seconds or an ISO 8601 time, not {type(value).__name__}.")
    if not _MIN_NS <= ns < _MAX_NS:
        raise bad_request(f"The {what} {value!r} is outside 1970..2200.")
    return ns


def _parse_text(text, what):
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text) * NS
    if re.fullmatch(r"[+-]?(\d+\.\d*|\.\d+)([eE][+-]?\d+)?", text):
        return to_ns(float(text), what)
    # datetime keeps microseconds only: take the fraction (up to nanoseconds) apart first.
    fraction_ns = 0
    match = _ISO_FRACTION.search(text)
    if match:
        fraction_ns = int(match.group("frac")[:9].ljust(9, "0"))
        text = text[: match.start("sep")] + text[match.end("frac") :]
    try:
        parsed = datetime.fromisoformat(re.sub(r"[zZ]$", "+00:00", text))
    except ValueError:
        raise bad_request(
            f"The {what} {text!r} is neither Unix seconds nor an ISO 8601 time like 2016-10-27T14:05:00+02:00."
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return int(parsed.timestamp()) * NS + fraction_ns


def iso(ns):
    """int nanoseconds -> ISO 8601 in UTC, with as many fraction digits as the value needs."""
    if ns is None:
        return None
    seconds, rest = divmod(int(ns), NS)
    text = datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    if rest:
        frac = f"{rest:09d}"
        for width in (3, 6, 9):
            if not frac[width:].strip("0"):
                frac = frac[:width]
                break
        text += "." + frac
    return text + "+00:00"
