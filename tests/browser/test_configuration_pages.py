"""Configuration pages in the browser: editing a device's configuration with the check as you type and the
diff preview, the approval of a configuration set by two people, and what a viewer may not do."""

import re

import pytest
from playwright.sync_api import expect

from dcs.audit import Actor
from dcs.auth.models import User
from dcs.configs.sets import create_set, snapshot
from dcs.configs.versions import owner_of, save_version, set_schema
from dcs.topology.devices import add_device, add_type

from .conftest import shot
from .test_calibration_pages import api, other_page, sign_in

SETUP = Actor("test:setup")
HV_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["enabled"],
    "properties": {
        "enabled": {"type": "boolean"},
        "ramp_rate": {"type": "number", "minimum": 0.1, "maximum": 10, "x-tolerance": "5%"},
        "channels": {"type": "array", "maxItems": 32, "items": {
            "type": "object", "additionalProperties": False, "required": ["voltage"],
            "properties": {"voltage": {"type": "number", "minimum": 0, "maximum": 60, "x-tolerance": 0.05}}}},
    },
}
DEVICE_CONFIG = {"channels": [{"voltage": 40.5}, {"voltage": 41.5}]}


def as_text(document):
    import json

    return json.dumps(document, indent=2)


@pytest.fixture
def hv_board(settings, server):
    """An HV board type of the ecal group with a schema and an active default, and one board with its own
    configuration (version 1, active)."""
    hvb = add_type(SETUP, "hvb", "HV board, 2 channels", group="ecal")
    set_schema(SETUP, hvb, HV_SCHEMA)
    save_version(SETUP, owner_of("type:hvb"), {"enabled": True, "ramp_rate": 1.5}, "defaults", activate=True)
    add_device(SETUP, "hvb-01", "HV board 1", subsystem="ECal", group="ecal")
    save_version(SETUP, owner_of("device:hvb-01"), DEVICE_CONFIG, "equalised voltages", activate=True)
    return "hvb-01"


@pytest.fixture
def draft_set(hv_board):
    """A draft configuration set of maya's pinning the active versions of the board and its type."""
    maya = Actor("user:maya", User.by_name("maya").id)
    create_set(maya, "hv-good-1", snapshot(["hvb-01", "type:hvb"]), "after the equalisation", "ecal")
    return "hv-good-1"


def test_a_member_edits_a_configuration_with_the_check_and_the_diff_preview(page, hv_board):
    sign_in(page, "maya")
    page.goto("/configurations/devices/hvb-01")
    edit = page.get_by_role("region", name="Edit")
    text = edit.get_by_label("Configuration (JSON)")
    expect(edit.get_by_role("status")).to_have_text(re.compile("Valid, and the same as version 1"))

    text.fill(as_text({"channels": [{"voltage": 75}, {"voltage": 41.5}]}))
    problems = edit.get_by_role("list", name="Problems")
    expect(problems).to_have_text(re.compile(r"channels\[0\]\.voltage\s+must be at most 60 \(it is 75\)"))
    expect(text).to_have_attribute("aria-invalid", "true")

    text.fill(as_text({"channels": [{"voltage": 42.25}, {"voltage": 41.5}]}))
    expect(edit.get_by_role("status")).to_have_text(re.compile("Valid: 1 change against version 1"))
    expect(problems).to_have_count(0)
    text.press("Control+Enter")
    review = edit.get_by_role("region", name="Changes against version 1")
    row = review.get_by_role("row").filter(has_text="channels[0].voltage")
    expect(row).to_have_count(1)
    expect(row.get_by_role("cell")).to_have_text(["changed", "40.5", "→ 42.25"])
    review.get_by_label("Comment").fill("channel 0 up after the gain scan")
    shot(page, "config-editor-review")
    review.get_by_role("button", name="Save version").click()

    expect(page.get_by_role("status").first).to_have_text("Version 2 saved.")
    versions = page.get_by_role("region", name="Versions")
    first = versions.get_by_role("row").nth(1)
    expect(first).to_contain_text("v2")
    expect(first).to_contain_text("channel 0 up after the gain scan")
    expect(first).to_contain_text("user:maya")
    shot(page, "config-editor-saved")

    stored = api(page, "GET", "/api/configs/devices/hvb-01/versions/2")["body"]["version"]
    assert stored["config"] == {"channels": [{"voltage": 42.25}, {"voltage": 41.5}]}
    assert stored["author"] == "user:maya" and stored["comment"] == "channel 0 up after the gain scan"
    assert api(page, "GET", "/api/configs/devices/hvb-01")["body"]["config"]["active"] == 1  # saved, not activated


def test_a_member_proposes_a_set_an_expert_approves_and_the_proposer_cannot(page, chromium, server, draft_set):
    sign_in(page, "maya")
    page.goto("/config-sets/hv-good-1")
    page.get_by_role("button", name="Propose").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Comment").fill("ready for the cosmics run")
    dialog.get_by_role("button", name="Propose").click()
    expect(page.get_by_role("button", name="Propose")).to_have_count(0)
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("hv-good-1 proposed"))
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)  # the proposer never approves
    refused = api(page, "POST", "/api/config-sets/hv-good-1/approve", {})
    assert refused["status"] == 403 and refused["body"]["ok"] is False

    erin = other_page(chromium, server, "erin")
    erin.goto("/config-sets/hv-good-1")
    expect(erin.get_by_role("region", name="Pins")).to_contain_text("hvb-01")
    erin.get_by_role("button", name="Approve").click()
    dialog = erin.get_by_role("dialog")
    dialog.get_by_label("Comment").fill("voltages checked on cosmics")
    dialog.get_by_role("button", name="Approve").click()
    expect(erin.get_by_role("heading", level=1)).to_have_text(re.compile("hv-good-1 approved"))
    expect(erin.get_by_role("button", name="Approve")).to_have_count(0)
    expect(erin.get_by_role("region", name="History")).to_contain_text("voltages checked on cosmics")
    shot(erin, "config-set-approved")
    erin.context.close()
    assert api(page, "GET", "/api/config-sets/hv-good-1")["body"]["set"]["state"] == "approved"


def test_a_viewer_reads_a_configuration_but_cannot_change_it(page, hv_board):
    sign_in(page, "vera")
    page.goto("/configurations/devices/hvb-01")
    expect(page.get_by_role("region", name="Latest version")).to_contain_text("40.5")
    expect(page.get_by_role("region", name="Edit")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("^(Activate|Roll back)"))).to_have_count(0)
    answer = api(page, "POST", "/api/configs/devices/hvb-01/versions", {"config": {"channels": []}, "base": 1})
    assert answer["status"] == 403 and answer["body"]["ok"] is False
