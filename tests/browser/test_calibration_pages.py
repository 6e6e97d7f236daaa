"""Calibration pages in the browser: tagging a dark run, the approval of a set by two people, what a
viewer sees, and the array heatmap actually drawn."""

import re

import numpy as np
import pytest
from playwright.sync_api import expect

from dcs.calib.sets import create_set
from dcs.calib.store import CalibStore
from dcs.runs import add_experiment, add_run

from ..calib.darkdata import MEMBER, write_frames
from .conftest import shot
from .test_login import sign_in as start_sign_in


def sign_in(page, person):
    """Sign in and wait for the dashboard, so the session is settled before the test goes on."""
    start_sign_in(page, person)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


@pytest.fixture
def calibrations(settings, server):
    """An experiment of the ecal group with a run, a cspad pedestal version and a draft set of maya's."""
    add_experiment(MEMBER, "xpp1", "XPP", "ecal")
    add_run(MEMBER, "xpp1", 7, "2026-11-20T10:00:00Z", "2026-11-20T10:50:00Z")
    rng = np.random.default_rng(5)
    pedestals = (1500 + 30 * rng.standard_normal((32, 1, 1)) + rng.normal(0, 4, (32, 185, 388))).astype("f4")
    version = CalibStore(settings.calib_dir).put(MEMBER, "cspad-0001", "pedestals", pedestals,
                                                 "2026-11-20T10:00:00Z", workspace="experiment:xpp1")
    from dcs.audit import Actor
    from dcs.auth.models import User
    create_set(Actor("user:maya", User.by_name("maya").id), "good-1", [version], "first shift", "xpp1")
    return version


def other_page(chromium, server, person):
    context = chromium.new_context(base_url=server, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10000)
    sign_in(page, person)
    return page


def api(page, method, path, body=None):
    """A call from the page itself, with its session and CSRF token, as the SPA would make it."""
    return page.evaluate("""async ([method, path, body]) => {
        const me = await (await fetch('/api/auth/me')).json()
        const answer = await fetch(path, {method, headers: {'Content-Type': 'application/json',
            'X-CSRF-Token': me.csrf_token}, body: body === null ? undefined : JSON.stringify(body)})
        return {status: answer.status, body: await answer.json()}
    }""", [method, path, body])


def test_a_member_tags_a_run_dark_with_a_reason_and_notes(page, calibrations):
    sign_in(page, "maya")
    page.goto("/runs?experiment=xpp1")
    page.get_by_role("button", name=re.compile("Tag as dark")).click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Reason", exact=True).select_option("temperature_changed")
    dialog.get_by_label("Notes").fill("chiller set point moved by 2 K")
    shot(page, "runs-tag-dialog")
    dialog.get_by_role("button", name="Tag as dark", exact=True).click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="7", exact=True))
    expect(row).to_contain_text("Detector temperature changed")
    assert api(page, "GET", "/api/experiments/xpp1/runs/7")["body"]["run"]["dark"]["notes"] == \
        "chiller set point moved by 2 K"


def test_a_member_proposes_an_expert_approves_and_the_proposer_cannot(page, chromium, server, calibrations):
    sign_in(page, "maya")
    page.goto("/calibrations/sets/good-1")
    page.get_by_role("button", name="Propose").click()
    expect(page.get_by_role("button", name="Propose")).to_have_count(0)  # gone once the set is proposed
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)  # the proposer never approves
    assert api(page, "POST", "/api/calib/sets/good-1/approve", {})["status"] == 403

    erin = other_page(chromium, server, "erin")
    erin.goto("/calibrations/sets/good-1")
    erin.get_by_role("button", name="Approve").click()
    dialog = erin.get_by_role("dialog")
    dialog.get_by_label("Comment").fill("pedestal maps look right")
    dialog.get_by_role("button", name="Approve").click()
    expect(erin.get_by_role("button", name="Approve")).to_have_count(0)
    expect(erin.get_by_role("region", name="History")).to_contain_text("pedestal maps look right")
    shot(erin, "calib-set-approved")
    erin.context.close()
    page.reload()
    expect(page.get_by_role("button", name="Propose")).to_have_count(0)


def test_a_viewer_sees_no_action_buttons_and_the_api_refuses_them(page, calibrations):
    sign_in(page, "maya")
    proposed = api(page, "POST", "/api/calib/sets/good-1/propose", {})
    assert proposed["status"] == 200, proposed
    page.context.clear_cookies()
    sign_in(page, "vera")
    page.goto("/calibrations/sets/good-1")
    expect(page.get_by_role("heading", name=re.compile("good-1"))).to_be_visible()
    for name in ("Propose", "Approve", "Reject", "Make a new draft"):
        expect(page.get_by_role("button", name=name)).to_have_count(0)
    answer = api(page, "POST", "/api/calib/sets/good-1/approve", {"comment": "me too"})
    assert answer["status"] == 403 and answer["body"]["ok"] is False
    assert api(page, "GET", "/api/calib/sets/good-1")["body"]["set"]["state"] == "proposed"


def test_the_heatmap_of_a_32_panel_cspad_array_is_drawn(page, calibrations):
    sign_in(page, "vera")
    page.goto(f"/calibrations/versions/{calibrations.id}")
    canvas = page.get_by_test_id("heatmap")
    expect(canvas).to_be_visible()
    expect(page.get_by_text("32 × 185 × 388").first).to_be_visible()
    colours = canvas.evaluate("""c => {
        const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data
        const seen = new Set()
        for (let i = 0; i < data.length; i += 4 * 97) seen.add(data[i] << 16 | data[i + 1] << 8 | data[i + 2])
        return seen.size
    }""")
    assert colours > 20, f"the heatmap shows only {colours} colour(s)"
    page.get_by_label("Panel", exact=True).select_option(label="Panel 5")
    expect(canvas).to_be_visible()
    shot(page, "calib-version-heatmap")


def test_a_member_uploads_dark_frames_and_watches_the_job_make_the_constants(page, calibrations, tmp_path):
    write_frames(tmp_path / "upload" / "r7.h5", "andor-0001")
    sign_in(page, "maya")
    page.goto("/runs/xpp1/7")
    form = page.get_by_role("region", name="Generate constants")
    form.get_by_label("Detector").fill("andor-0001")
    form.get_by_label("Upload frames").set_input_files(str(tmp_path / "upload" / "r7.h5"))
    form.get_by_role("button", name="Generate").click()
    expect(page.get_by_role("link", name=re.compile("pixel_status, version 1"))).to_be_visible(timeout=30000)
    shot(page, "run-generated-from-upload")
    job = api(page, "GET", "/api/jobs")["body"]["jobs"][0]
    assert job["state"] == "done" and job["params"]["path"].startswith("_uploads/xpp1/run7/")
