"""Topology and device pages in the browser: a device clicked in the graph opens its page (and Back
comes back to it), an expert connects two ports from a device page, and a viewer sees no write buttons."""

import re

import pytest
from playwright.sync_api import expect

from dcs.audit import Actor
from dcs.topology.connections import connect
from dcs.topology.devices import add_device, get_device
from dcs.topology.placements import add_placement

from .conftest import shot
from .test_calibration_pages import api, sign_in

SETUP = Actor("test:setup")


@pytest.fixture
def topology(settings, server):
    """An ECal corner of the ecal group: a crate, an HV board feeding four crystals, a digitizer reading
    three of them (the fourth crystal's signal port is free), all placed in padme-run3."""
    cell = [{"name": "hv", "kind": "HV"}, {"name": "signal", "kind": "readout"}]
    add_device(SETUP, "mainframe-hv01", "HV crate", "ECal", group="ecal",
               ports=[{"name": "slot01", "kind": "network"}, {"name": "slot02", "kind": "network"}])
    add_device(SETUP, "sipm-b01", "SiPM HV board 1", "ECal", group="ecal",
               ports=[{"name": f"ch{c:02d}", "kind": "HV"} for c in range(4)] + [{"name": "bus", "kind": "network"}])
    add_device(SETUP, "v1742-a01", "Digitizer 1", "ECal", group="ecal",
               ports=[{"name": f"in{c:02d}", "kind": "readout"} for c in range(4)])
    for i in range(4):
        add_device(SETUP, f"bgo-{i:03d}", f"BGO crystal {i}", "ECal", group="ecal", ports=cell)
    connect(SETUP, "mainframe-hv01:slot01", "sipm-b01:bus", "network")
    for i in range(4):
        connect(SETUP, f"sipm-b01:ch{i:02d}", f"bgo-{i:03d}:hv", "HV")
    for i in range(3):
        connect(SETUP, f"bgo-{i:03d}:signal", f"v1742-a01:in{i:02d}", "readout")
    for name in ("mainframe-hv01", "sipm-b01", "v1742-a01", "bgo-000", "bgo-001", "bgo-002", "bgo-003"):
        add_placement(SETUP, get_device(name), "2026-11-01T00:00:00Z", instrument="BTF", experiment="padme-run3")


def canvas_centre(page):
    """The middle of the canvas, once it has taken the size of its box (the side panel changes it)."""
    page.wait_for_function("""() => {
        const canvas = document.querySelector('[data-testid="topology-canvas"]')
        return canvas && canvas.style.width === `${canvas.parentElement.clientWidth}px`
    }""")
    box = page.get_by_test_id("topology-canvas").bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_clicking_a_device_in_the_topology_opens_its_page(page, topology):
    sign_in(page, "vera")
    page.goto("/topology")
    expect(page.get_by_test_id("topology-count")).to_have_text("7 devices, 8 connections")
    selected = page.get_by_role("complementary")

    # Finding a device puts it in the middle of the canvas; clear the selection, then click it there.
    page.get_by_label("Find a device").fill("sipm-b01")
    page.get_by_role("button", name="Find").click()
    expect(selected.get_by_role("heading", name="sipm-b01")).to_be_visible()
    selected.get_by_role("button", name="Clear selection").click()
    expect(selected).to_have_count(0)
    x, y = canvas_centre(page)
    page.mouse.move(x, y)
    expect(page.get_by_test_id("topology-tip")).to_contain_text("sipm-b01")
    page.mouse.click(x, y)
    expect(selected.get_by_role("heading", name="sipm-b01")).to_be_visible()
    expect(selected).to_contain_text("Feeds (4)")
    expect(selected).to_contain_text("Fed by (1)")
    shot(page, "topology-selected")

    assert canvas_centre(page) != (x, y)  # the canvas is narrower beside the panel; the device did not move
    page.mouse.dblclick(x, y)
    expect(page.get_by_role("heading", name="Device sipm-b01")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/devices/sipm-b01$"))
    ports = page.get_by_role("region", name="Ports and connections")
    expect(ports.get_by_role("link", name="bgo-003")).to_be_visible()

    page.go_back()  # the same device is still selected
    expect(page.get_by_role("complementary").get_by_role("heading", name="sipm-b01")).to_be_visible()


def test_an_expert_connects_two_ports_from_the_device_page(page, topology):
    sign_in(page, "erin")
    page.goto("/devices/bgo-003")
    ports = page.get_by_role("region", name="Ports and connections")
    signal = ports.get_by_role("row").filter(has=page.get_by_role("rowheader", name="signal"))
    expect(signal).to_contain_text("free")
    signal.get_by_role("button", name=re.compile("Connect")).click()

    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("From (device:port)")).to_have_value("bgo-003:signal")
    expect(dialog.get_by_label("Kind")).to_have_value("readout")
    dialog.get_by_label("To (device:port)").fill("v1742-a01:in00")  # taken by bgo-000 already
    dialog.get_by_role("button", name="Connect", exact=True).click()
    expect(dialog.get_by_role("alert")).to_contain_text("is connected already")
    dialog.get_by_label("To (device:port)").fill("v1742-a01:in03")
    shot(page, "device-connect-dialog")
    dialog.get_by_role("button", name="Connect", exact=True).click()

    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_role("status")).to_have_text("Connected bgo-003:signal → v1742-a01:in03 (readout).")
    expect(signal.get_by_role("link", name="v1742-a01")).to_be_visible()
    expect(signal).to_contain_text("→ to")
    shot(page, "device-connected")
    listed = api(page, "GET", "/api/connections?device=v1742-a01")["body"]["connections"]
    assert {"from": "bgo-003:signal", "to": "v1742-a01:in03"}.items() <= next(
        c for c in listed if c["to"] == "v1742-a01:in03").items()

    # Disconnecting asks first.
    signal.get_by_role("button", name=re.compile("Disconnect")).click()
    page.get_by_role("dialog").get_by_role("button", name="Disconnect").click()
    expect(page.get_by_role("status")).to_have_text("Disconnected bgo-003:signal → v1742-a01:in03.")
    expect(signal).to_contain_text("free")


def test_a_viewer_sees_no_write_buttons_on_a_device_page(page, topology):
    sign_in(page, "vera")
    page.goto("/devices/sipm-b01")
    expect(page.get_by_role("heading", name="Device sipm-b01")).to_be_visible()
    expect(page.get_by_role("region", name="Behind this device")).to_contain_text("5 devices hang off this device")
    main = page.get_by_role("main")
    # Reading commands (a board's status) are a viewer's too; nothing that writes is offered.
    expect(main.locator("button:not(.device-commands button)")).to_have_count(0)
    answer = api(page, "POST", "/api/connections", {"from": "sipm-b01:bus", "to": "mainframe-hv01:slot02",
                                                    "kind": "network"})
    assert answer["status"] == 403 and answer["body"]["ok"] is False
