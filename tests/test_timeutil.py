"""Times: seconds or ISO 8601 in, int64 nanoseconds inside, ISO 8601 out."""

import pytest

from dcs.errors import DcsError
from dcs.timeutil import iso, to_ns


@pytest.mark.parametrize("value, ns", [
    (1477569900, 1477569900 * 10**9),
    (1477569900.25, 1477569900_250_000_000),
    ("1477569900", 1477569900 * 10**9),
    ("2016-10-27T14:05:00+02:00", 1477569900 * 10**9),
    ("2016-10-27T12:05:00Z", 1477569900 * 10**9),
    ("2016-10-27T12:05:00.123456789Z", 1477569900_123_456_789),
    ("2016-10-27 12:05", 1477569900 * 10**9),
])
def test_seconds_and_iso_times_become_nanoseconds(value, ns):
    assert to_ns(value) == ns


def test_iso_output_keeps_nanoseconds_and_says_utc():
    assert iso(1477569900_123_456_789) == "2016-10-27T12:05:00.123456789+00:00"
    assert iso(1477569900_500_000_000) == "2016-10-27T12:05:00.500+00:00"
    assert iso(1477569900 * 10**9) == "2016-10-27T12:05:00+00:00"
    assert to_ns(iso(1477569900_123_456_789)) == 1477569900_123_456_789


@pytest.mark.parametrize("value", ["yesterday", "", "2016-13-45", True, None, float("nan"), float("inf"), -1,
                                   "2300-01-01", [2016], "1e400"])
def test_anything_else_is_refused_with_a_sentence(value):
    with pytest.raises(DcsError) as error:
        to_ns(value, "begin time")
    assert error.value.status == 400 and "begin time" in error.value.message
