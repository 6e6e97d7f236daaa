"""The array viewer: how long a 32x185x388 cspad version takes to appear as a heatmap in the browser.

A real `dcs serve` on a fresh portal holding one cspad pedestal version, Debian's Chromium driven by
Playwright. Each round opens the version's page and waits (in the page, frame by frame) until the
canvas shows the array; the time counts from the navigation's start, so it includes the download of
the 9 MB .npy, parsing and drawing. Side by side in the same run: the plain download of the same
.npy by the page (fetch + arrayBuffer), so the ratio shows what the viewer adds on top of the bytes.
Target: the whole page under one second.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np
from dcs.audit import Actor
from dcs.auth.users import create_user
from dcs.calib.store import CalibStore
from playwright.sync_api import sync_playwright

from .fresh import fresh_portal

ROUNDS = 5
PASSWORD = "bench-password-1234"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
DRAWN = """async () => {
    const start = performance.timeOrigin
    for (let i = 0; i < 600; i++) {  // at most 600 frames (about 10 s), then give up
        const canvas = document.querySelector('[data-testid="heatmap"]')
        if (canvas && canvas.width > 0) {
            const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data
            const seen = new Set()
            for (let p = 0; p < data.length; p += 4 * 97) seen.add(data[p] << 16 | data[p + 1] << 8 | data[p + 2])
            if (seen.size > 20) return performance.now()
        }
        await new Promise((resolve) => requestAnimationFrame(resolve))
    }
    return null
}"""
DOWNLOAD = """async (url) => {
    const t0 = performance.now()
    const bytes = await (await fetch(url)).arrayBuffer()
    return [performance.now() - t0, bytes.byteLength]
}"""


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(settings, tmp):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DCS_")}
    env.update(DCS_DATABASE_URL=settings.database_url, DCS_CALIB_DIR=settings.calib_dir, DCS_PORT=str(port),
               DCS_SECRET_KEY=settings.secret_key, DCS_LOG_LEVEL="WARNING", DCS_DATA_ROOT=str(Path(tmp) / "data"))
    dcs = Path(sys.executable).parent / "dcs"
    process = subprocess.Popen([str(dcs), "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):  # at most 30 s
        try:
            urllib.request.urlopen(base + "/api/health", timeout=1)
            return process, base
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("dcs serve did not start")


def run():
    with tempfile.TemporaryDirectory() as tmp:
        settings, db = fresh_portal(tmp)
        actor = Actor("bench")
        create_user(actor, "viewer", PASSWORD, 10, is_admin=True)
        rng = np.random.default_rng(1)
        array = (1500 + 30 * rng.standard_normal((32, 1, 1)) + rng.normal(0, 4, (32, 185, 388))).astype("f4")
        version = CalibStore(settings.calib_dir).put(actor, "cspad-0001", "pedestals", array, 1_700_000_000)
        npy = f"/api/calib/versions/{version.id}/{version.sha256}.npy"
        db.close()
        process, base = _serve(settings, tmp)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                page = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900}).new_page()
                page.goto("/login")
                page.get_by_label("User name").fill("viewer")
                page.get_by_label("Password").fill(PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_url(base + "/")
                pages, downloads = [], []
                for _ in range(ROUNDS):
                    page.goto(f"/calibrations/versions/{version.id}")
                    drawn = page.evaluate(DRAWN)
                    if drawn is None:
                        raise RuntimeError("the heatmap was not drawn")
                    pages.append(drawn / 1000)
                    downloads.append(page.evaluate(DOWNLOAD, npy)[0] / 1000)
                browser.close()
        finally:
            process.terminate()
            process.wait(10)
    page_s, download_s = sorted(pages)[ROUNDS // 2], sorted(downloads)[ROUNDS // 2]
    print(f"   cspad 32x185x388 float32 ({array.nbytes / 1e6:.1f} MB), median of {ROUNDS}:")
    print(f"   page until the heatmap is drawn   {page_s * 1000:8.1f} ms  (rounds: "
          + ", ".join(f"{p * 1000:.0f}" for p in pages) + ")")
    print(f"   plain download of the .npy        {download_s * 1000:8.1f} ms")
    ratios = {"page drawn / 1 s": page_s / 1.0, "page drawn / plain download": page_s / download_s}
    print(f"   {'ratio':<34} {'value':>10} {'target':>8}  met")
    print(f"   {'page drawn / 1 s':<34} {ratios['page drawn / 1 s']:10.2f} {'<=1.00':>8}  "
          f"{'yes' if page_s <= 1.0 else 'NO'}")
    print(f"   {'page drawn / plain download':<34} {ratios['page drawn / plain download']:10.2f} {'(info)':>8}")
    return {"page_s": pages, "download_s": downloads, "median_page_s": page_s, "median_download_s": download_s,
            "ratios": ratios, "targets": {"page drawn / 1 s": "<= 1.0"}, "met": {"page drawn / 1 s": page_s <= 1.0}}
