"""`dcs serve --demo --demo-feed` runs the beam chain: the simulated source, the channel writing daily block
files, and the channel's readings and heartbeat in the portal, where the beam devices get plots and limits."""

import re
import struct
import time
from pathlib import Path

from dcs.channel.blocks import decode
from tests.server import HttpSession, dcs_env, serving


def test_the_demo_channel_writes_blocks_and_the_portal_plots_the_same_values(tmp_path):
    env = dcs_env(tmp_path)
    with serving(env, "--demo", "--demo-feed") as server:
        banner = ""
        while "demo beam channel" not in banner:
            banner += server.stdout.readline()
        password = re.search(r"admin' with the password (\S+)", banner).group(1)
        session = HttpSession(server.base_url)
        session.login("admin", password)
        deadline = time.monotonic() + 60
        while True:  # the channel beats every 10 s; wait for a beat after a few spills
            _, panel = session.call("GET", "/api/monitoring/devices/bmon-mimosa")
            spill = re.match(r"spill (\d+);", (panel["heartbeat"] or {}).get("last_status", ""))
            if spill and int(spill.group(1)) >= 3 or time.monotonic() > deadline:
                break
            time.sleep(1)
        files = sorted((Path(tmp_path) / "data" / "beam-channel" / "blocks").glob("beam-*.blocks"))
        records = [r for path in files for r in decode(path.read_bytes())]
        assert records, banner
        _, series = session.call("GET", "/api/monitoring/devices/bmon-mimosa/parameters/E:HPTGT/series"
                                        "?points=5000&from=" + str(records[0].seconds - 1))
    assert panel["heartbeat"]["state"] == "up" and "records waiting; sink up" in panel["heartbeat"]["last_status"]
    spills = [r for r in records if r.in_spill]
    assert spills and [r.spill for r in spills] == list(range(spills[0].spill, spills[0].spill + len(spills)))
    position = {d.seconds + d.millis / 1000: d.values[0] for r in spills for d in r.in_spill if d.name == "E:HPTGT"}
    plotted = {round(t, 3): mean for t, mean in zip(series["t"], series["mean"], strict=True)}
    shared = [t for t in position if round(t, 3) in plotted]
    assert shared, "the portal has none of the channel's beam positions"
    for t in shared:  # the portal stores the float32 value the block holds, as a double
        assert plotted[round(t, 3)] == struct.unpack("<f", struct.pack("<f", position[t]))[0]
    temp = next(p for p in panel["parameters"] if p["name"] == "E:HPTGT")
    assert temp["unit"] == "mm" and temp["alarm_high"] == 1.0
