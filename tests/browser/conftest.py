"""Browser tests: Debian's Chromium driven by Playwright against a real `dcs serve` on a free port."""

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from ..server import dcs_env, serving

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
SHOTS = Path(__file__).resolve().parents[2] / "test-results"


@pytest.fixture(scope="session")
def chromium():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def server(tmp_path, people):
    """The test's database (with its people) served by a real `dcs serve` subprocess."""
    with serving(dcs_env(tmp_path)) as process:
        yield process.base_url


@pytest.fixture
def page(chromium, server):
    context = chromium.new_context(base_url=server, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10000)
    yield page
    context.close()


def shot(page, name):
    """Keep a screenshot of what the person saw, to look at (test-results/ is not committed)."""
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
