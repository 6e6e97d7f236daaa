"""The monitoring guide's controller example runs as written against a real server."""

import re
import subprocess
import sys
from pathlib import Path

from ..server import HttpSession, dcs_env, run_dcs, serving

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "monitoring-guide.md"


def example(name):
    text = GUIDE.read_text()
    match = re.search(rf"<!-- example: {name} -->\s*```python\n(.*?)```", text, re.S)
    assert match, f"the guide has no example named {name}"
    return match.group(1)


def test_the_python_heartbeat_example_beats_and_the_portal_counts_it(tmp_path):
    env = dcs_env(tmp_path)
    seeded = run_dcs(["demo"], env, timeout=180)
    assert seeded.returncode == 0, seeded.stderr
    admin_password = re.search(r"with the password (\S+)", seeded.stdout).group(1)
    token = run_dcs(["token", "create", "ctl-ecal", "--user", "mira", "--scope", "heartbeat"], env)
    assert token.returncode == 0, token.stderr
    script = tmp_path / "controller.py"
    script.write_text(example("heartbeat-controller"))
    with serving(env) as server:
        run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60,
                             env={"DCS_URL": server.base_url, "DCS_TOKEN": token.stdout.strip(),
                                  "DCS_DEVICE": "sipm-ecal03", "DCS_BEATS": "3", "DCS_PERIOD": "0"})
        assert run.returncode == 0, run.stderr
        assert run.stdout.split() == ["up", "up", "up"]
        session = HttpSession(server.base_url)
        session.login("admin", admin_password)
        _, panel = session.call("GET", "/api/monitoring/devices/sipm-ecal03")
    temp = next(p for p in panel["parameters"] if p["name"] == "temp")
    assert panel["heartbeat"]["last_seq"] == 3 and panel["heartbeat"]["last_status"] == "ok"
    assert temp["last_value"] == 27.4
