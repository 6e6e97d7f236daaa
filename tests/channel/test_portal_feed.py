"""Readings for the portal wait while it is down, within a bound, and nothing blocks the raw data."""

from dcs.channel import portal
from dcs.channel.blocks import DeviceData
from dcs.channel.configfile import Portal
from tests.server import free_port


def feed(monkeypatch, waiting=5):
    monkeypatch.setattr(portal, "MAX_WAITING", waiting)
    target = Portal(url=f"http://127.0.0.1:{free_port()}", token="t", devices={"E:TOR101": "bmon-mimosa",
                                                                               "E:HADMDS": "bmon-timepix"})
    return portal.PortalFeed(target, status=lambda: "spill 1")


def test_readings_of_mapped_devices_wait_while_the_portal_is_down(monkeypatch):
    down = feed(monkeypatch)
    down.add((DeviceData("E:TOR101", 1_795_305_600, 248, (3.0e13,)), DeviceData("E:HADMDS", 1_795_305_600, 1,
                                                                                 (1.0, 2.0, 6.0)),
              DeviceData("M:OUTTMP", 1_795_305_600, 2, (50.0,))))
    down.flush()
    assert down.sent == 0 and not down.up
    assert [(r["device"], r["parameter"], r["value"]) for r in down.retry] == [
        ("bmon-mimosa", "E:TOR101", 3.0e13), ("bmon-timepix", "E:HADMDS", 3.0)]  # an array gives its mean
    assert down.retry[0]["t"] == "2026-11-22T00:00:00.248+00:00"


def test_at_most_so_many_readings_wait_and_the_oldest_go_first(monkeypatch):
    down = feed(monkeypatch, waiting=3)
    for second in range(5):
        down.add((DeviceData("E:TOR101", 1_795_305_600 + second, 0, (float(second),)),))
    assert down.dropped == 2 and [r["value"] for r in down.waiting] == [2.0, 3.0, 4.0]
