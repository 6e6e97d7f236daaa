"""Monitoring and alerts in the browser: a heartbeat that stops raises an alert that shows on the alerts page
by itself, a viewer sees it but cannot acknowledge it, an operator does; the dashboard shows the silent device;
a parameter's plot is drawn from the server's series and zooms into more detail."""

import re
import time

import pytest
from playwright.sync_api import expect

from dcs.audit import Actor
from dcs.topology.devices import add_device

from ..conftest import PASSWORD
from ..server import HttpSession
from .conftest import shot
from .test_calibration_pages import api, other_page, sign_in

SETUP = Actor("test:setup")


@pytest.fixture
def admin(server):
    """The admin's own session on the server, for setting things up through the API."""
    session = HttpSession(server)
    session.login("ada", PASSWORD)
    return session


def call(session, method, path, body=None):
    status, answer = session.call(method, path, body)
    assert status < 300, (method, path, status, answer)
    return answer


@pytest.fixture
def silent_board(admin):
    """sipm-b01 of the ecal group (olaf operates it, vera views it) watched every second with a second of grace;
    it beats once and falls silent."""
    add_device(SETUP, "sipm-b01", "SiPM HV board 1", "ECal", group="ecal")
    add_device(SETUP, "sipm-b02", "SiPM HV board 2", "ECal", group="ecal")
    call(admin, "PUT", "/api/monitoring/devices/sipm-b01/heartbeat", {"period_s": 1, "grace_s": 1, "severity": "warning"})
    call(admin, "POST", "/api/heartbeats", {"device": "sipm-b01", "signal": "start", "status": "started"})
    return "sipm-b01"


@pytest.fixture
def measured_board(admin):
    """sipm-b03 with a temperature and its limits, read every 30 s for the last six hours."""
    add_device(SETUP, "sipm-b03", "SiPM HV board 3", "ECal", group="ecal")
    call(admin, "PUT", "/api/monitoring/devices/sipm-b03/parameters/temperature",
         {"unit": "degC", "nominal": 25, "warn_low": 15, "warn_high": 32, "alarm_high": 38})
    now = time.time()
    readings = [{"device": "sipm-b03", "parameter": "temperature", "t": now - 6 * 3600 + 30 * i,
                 "value": 25 + 3 * ((i % 240) / 240) + 0.2 * (i % 7)} for i in range(6 * 120)]
    call(admin, "POST", "/api/readings", {"readings": readings})
    return "sipm-b03"


def alert_row(page, device):
    return page.get_by_role("row").filter(has=page.get_by_role("link", name=device, exact=True))


def test_an_operator_acknowledges_the_alert_of_a_stopped_heartbeat_and_a_viewer_cannot(
        page, chromium, server, admin, silent_board):
    sign_in(page, "olaf")
    page.goto("/alerts")
    expect(page.get_by_role("heading", name="Alerts")).to_be_visible()
    page.evaluate("window.stillTheSamePage = true")

    # The engine notices the silence within a few seconds; the page shows the alert without a reload.
    row = alert_row(page, silent_board)
    expect(row).to_contain_text("No heartbeat from sipm-b01", timeout=15000)
    expect(row).to_contain_text("active, not acknowledged")
    assert page.evaluate("window.stillTheSamePage") is True
    alert_id = int(row.get_attribute("data-alert-id"))

    # The viewer sees the alert but has nothing to acknowledge it with, and the server refuses anyway.
    vera = other_page(chromium, server, "vera")
    vera.goto("/alerts")
    expect(alert_row(vera, silent_board)).to_contain_text("No heartbeat from sipm-b01")
    expect(vera.get_by_role("checkbox")).to_have_count(2)  # the two filter toggles only
    expect(vera.get_by_role("button", name=re.compile("Acknowledge"))).to_have_count(0)
    vera.keyboard.press("j")
    vera.keyboard.press("a")
    expect(vera.get_by_role("dialog")).to_have_count(0)
    refused = api(vera, "POST", "/api/alerts/acknowledge", {"ids": [alert_id], "comment": "me too"})
    assert refused["status"] == 403 and "operators" in refused["body"]["error"]
    shot(vera, "alerts-viewer")
    vera.context.close()

    # The operator selects it and acknowledges it from the keyboard: the comment has the focus, Enter sends.
    row.get_by_role("checkbox").check()
    shot(page, "alerts-selected")
    page.keyboard.press("a")
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading")).to_have_text("Acknowledge alert %d (sipm-b01)" % alert_id)
    expect(dialog.get_by_label("Comment")).to_be_focused()
    page.keyboard.type("controller rebooting, back in 5 min")
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_role("status")).to_have_text("Acknowledged 1 alert.")
    expect(row).not_to_contain_text("not acknowledged")
    expect(row).to_contain_text("acknowledged")
    expect(row).to_contain_text("user:olaf: “controller rebooting, back in 5 min”")
    shot(page, "alerts-acknowledged")

    # Its page has the whole history.
    row.get_by_role("link", name=re.compile("No heartbeat")).click()
    history = page.get_by_role("region", name="History")
    expect(history.get_by_role("row").filter(has_text="acknowledged")).to_contain_text("user:olaf")
    shot(page, "alert-page")
    answer = call(admin, "GET", f"/api/alerts/{alert_id}")["alert"]
    assert answer["state"] == "acknowledged" and answer["ack_comment"] == "controller rebooting, back in 5 min"


def test_the_dashboard_shows_the_silent_device_as_down(page, silent_board):
    sign_in(page, "vera")
    page.goto("/monitoring")
    tile = page.locator('.health-tile[data-device="sipm-b01"]')
    expect(tile).to_have_attribute("data-health", "down", timeout=15000)
    expect(tile).to_have_attribute("title", re.compile(r"^sipm-b01: down"))
    expect(page.locator('.health-tile[data-device="sipm-b02"]')).to_have_attribute("data-health", "unknown")
    heartbeats = page.get_by_role("region", name="Heartbeats")
    expect(heartbeats.get_by_role("row").filter(has_text="sipm-b01")).to_contain_text("down")
    tile.hover()
    expect(page.get_by_test_id("health-pointed")).to_contain_text("sipm-b01 · ECal · down")
    shot(page, "monitoring-dashboard")
    tile.click()
    expect(page.get_by_role("heading", name="Device sipm-b01")).to_be_visible()
    expect(page.get_by_role("region", name="Health").get_by_test_id("heartbeat-state")).to_contain_text("down")


def test_a_parameter_page_draws_the_series_and_zooms_into_more_detail(page, measured_board):
    sign_in(page, "erin")
    path = "/api/monitoring/devices/sipm-b03/parameters/temperature/series"
    with page.expect_response(lambda r: r.url.split("?")[0].endswith(path)) as first:
        page.goto("/monitoring/devices/sipm-b03/temperature")
    series = first.value.json()
    assert len(series["t"]) > 100 and series["source"] in ("raw", "minute")
    plot = page.get_by_test_id("series-plot")
    expect(plot.locator("canvas")).to_have_count(1)
    expect(plot).to_have_attribute("data-points", str(len(series["t"])))
    expect(plot).to_have_attribute("aria-label", re.compile("warn high 32 degC"))
    expect(page.get_by_role("link", name="CSV")).to_have_attribute("href", re.compile(r"/export\?format=csv&from=\d+&to=\d+"))
    shot(page, "parameter-plot")

    # Dragging across the middle of the plot asks the server for that window only.
    box = plot.locator(".u-over").bounding_box()
    y = box["y"] + box["height"] / 2
    with page.expect_response(lambda r: r.url.split("?")[0].endswith(path)) as zoomed:
        page.mouse.move(box["x"] + box["width"] * 0.85, y)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] * 0.875, y, steps=5)
        page.mouse.move(box["x"] + box["width"] * 0.9, y, steps=5)
        page.mouse.up()
    window = zoomed.value.json()
    assert 1800 < _seconds(window["to"]) - _seconds(window["from"]) < 2 * 3600  # a twentieth of the day
    expect(page.get_by_role("button", name="Reset zoom")).to_be_visible()

    # The expert's limits editor puts the server's sentence beside the field it refuses.
    limits = page.get_by_role("region", name="Limits")
    limits.get_by_label("Warn high").fill("12")
    limits.get_by_label("Warn high").press("Control+Enter")
    expect(limits.get_by_role("alert")).to_contain_text("The limits are not valid")
    expect(limits.get_by_label("Warn high")).to_have_attribute("aria-invalid", "true")


def _seconds(iso):
    from dcs.timeutil import NS, to_ns
    return to_ns(iso) / NS
