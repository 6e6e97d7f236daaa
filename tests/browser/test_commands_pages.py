"""Commands in the browser, on the demo (`dcs serve --demo`) with its SiPM boards played by the sipm-ctl simulator:
an operator sets a channel's voltage from the commands page, confirming it, sees the run end with its message, and
reads it back in the channel grid of the board's page; a voltage above 60 V is refused next to its field before
anything runs; someone without a role in the boards' group cannot run set-hv, and the pages say why."""

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from ..server import dcs_env, serving
from .conftest import shot
from .test_calibration_pages import api
from .test_login import sign_in


@dataclass
class Demo:
    url: str
    password: str  # the demo people's, printed once at the first start


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """One demo portal for the module: seeding it takes seconds. Each test uses a board or channel of its own."""
    with serving(dcs_env(tmp_path_factory.mktemp("demo")), "--demo") as process:
        printed = ""
        while "share the password" not in printed:
            line = process.stdout.readline()
            assert line, "dcs serve --demo printed no password for the demo people:\n" + printed
            printed += line
        yield Demo(process.base_url, re.search(r"share the password (\S+)", printed).group(1))


@pytest.fixture
def signed_in(chromium, demo):
    """signed_in("otto") -> a page of otto's own session on the dashboard."""
    contexts = []

    def open_page(person):
        context = chromium.new_context(base_url=demo.url, viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10000)
        sign_in(page, person, demo.password)
        expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
        return page

    yield open_page
    for context in contexts:
        context.close()


def fill_set_hv(page, device, channel, volts):
    page.goto("/commands")
    page.get_by_role("radio", name=re.compile(r"^set-hv")).check()
    page.locator(f'[data-device="{device}"]').get_by_role("checkbox").check()
    page.get_by_role("spinbutton", name="Channel").fill(str(channel))
    page.get_by_role("spinbutton", name="Volts (V)").fill(str(volts))


def runs_on(page, device):
    return api(page, "GET", f"/api/commands/runs?device={device}")["body"]["runs"]


def test_an_operator_sets_a_channel_confirming_it_and_reads_it_back_on_the_board_page(signed_in):
    page = signed_in("otto")
    fill_set_hv(page, "sipm-ecal01", 5, "41.25")
    expect(page.get_by_test_id("run-preview")).to_contain_text("Set channel 5 to 41.25 V on sipm-ecal01")
    page.get_by_role("button", name="Run on sipm-ecal01").click()

    # The confirmation repeats exactly what will happen; its yes has the focus, so Enter sends it.
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Set channel 5 to 41.25 V on sipm-ecal01.")
    expect(dialog.get_by_role("button", name="Set HV on sipm-ecal01")).to_be_focused()
    shot(page, "commands-confirm")
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog")).to_have_count(0)

    # The run follows the server until it ends: state, summary, exit code, and its output when opened.
    batch = page.get_by_role("region", name="This run")
    row = batch.locator('tr[data-device="sipm-ecal01"]')
    expect(row.get_by_test_id("run-state")).to_have_attribute("data-state", "done")
    expect(row.get_by_test_id("run-message")).to_have_text("channel 5 set to 41.25 V")
    expect(row.get_by_test_id("run-exit")).to_have_text("exit code 0")
    row.get_by_role("button", name=re.compile("^Output")).click()
    expect(batch.get_by_test_id("run-output")).to_contain_text("set_v 41.25")
    expect(page.get_by_role("region", name="Run log").locator('tr[data-device="sipm-ecal01"]').first).to_contain_text(
        "sipm.set-hv")
    shot(page, "commands-done")
    [run] = [r for r in runs_on(page, "sipm-ecal01") if r["command"] == "sipm.set-hv"]
    assert run["arguments"] == {"channel": 5, "volts": 41.25} and run["actor"] == "user:otto"

    # On the board's page, a status read shows the channel at its new voltage.
    row.get_by_role("link", name="sipm-ecal01").click()
    commands = page.get_by_role("region", name="Commands")
    commands.get_by_role("button", name="Read status").click()
    channel = commands.locator('[data-channel="5"]')
    expect(channel.get_by_test_id("set-v")).to_have_text("41.25 V")
    expect(commands.locator('[data-channel="4"]').get_by_test_id("set-v")).to_have_text("38 V")
    expect(commands.locator("[data-channel]")).to_have_count(32)
    shot(page, "device-commands")


def test_a_voltage_above_60_v_is_refused_next_to_its_field_and_nothing_runs(signed_in):
    page = signed_in("otto")
    before = len(runs_on(page, "sipm-ecal02"))
    fill_set_hv(page, "sipm-ecal02", 1, 75)
    page.keyboard.press("Control+Enter")
    volts = page.get_by_role("spinbutton", name="Volts (V)")
    expect(volts).to_have_attribute("aria-invalid", "true")
    error = page.locator(f"#{volts.get_attribute('id')}-error")
    expect(error).to_have_text("Volts must be at most 60 V (it is 75 V)")
    expect(page.get_by_role("dialog")).to_have_count(0)
    shot(page, "commands-refused")
    assert len(runs_on(page, "sipm-ecal02")) == before

    # The server says the same, should anything get past the page.
    refused = api(page, "POST", "/api/commands/runs", {"command": "sipm.set-hv", "devices": ["sipm-ecal02"],
                                                       "arguments": {"channel": 1, "volts": 75}, "confirm": True})
    assert refused["status"] == 400
    assert refused["body"]["errors"] == [{"field": "volts", "error": "must be at most 60 V (it is 75 V)"}]
    assert len(runs_on(page, "sipm-ecal02")) == before


def test_someone_without_a_role_on_the_boards_cannot_run_set_hv_and_the_pages_say_why(signed_in):
    page = signed_in("vik")  # a viewer of padme-beam and xpp-detectors, nothing in padme-ecal or padme-veto
    page.goto("/commands")
    set_hv = page.locator('[data-command="sipm.set-hv"]')
    expect(set_hv.get_by_role("radio")).to_be_disabled()
    expect(set_hv).to_contain_text("Not for you: operators and above of padme-ecal or padme-veto.")
    expect(page.get_by_test_id("none-allowed")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Run"))).to_have_count(0)

    page.goto("/devices/sipm-ecal03")
    commands = page.get_by_role("region", name="Commands")
    expect(commands.get_by_role("button", name="Set HV…")).to_be_disabled()
    expect(commands.get_by_test_id("commands-refused")).to_contain_text("You are not a member there.")
    shot(page, "device-commands-viewer")

    refused = api(page, "POST", "/api/commands/runs", {"command": "sipm.set-hv", "devices": ["sipm-ecal03"],
                                                       "arguments": {"channel": 1, "volts": 30}, "confirm": True})
    assert refused["status"] == 403
    assert refused["body"]["error"] == ("Running sipm.set-hv on sipm-ecal03 is for operators of padme-ecal and those "
                                        "above them.")
    assert runs_on(page, "sipm-ecal03") == []
