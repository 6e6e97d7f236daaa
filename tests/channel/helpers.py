"""What the channel's tests share."""

import time

import pytest


def until(condition, what, seconds=20):
    """Wait (bounded) for a condition, failing the test with what was awaited."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {seconds} s")
        time.sleep(0.01)


def receive_exactly(sock, count, seconds=10):
    """Exactly count bytes from a socket (the peer closing first fails the test)."""
    sock.settimeout(seconds)
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        assert chunk, f"the peer closed after {len(data)} of {count} bytes"
        data += chunk
    return data
