"""The commands guide's worked example, followed step by step: the module from the page is written into a
modules folder, listed and run on a demo board through `dcs cmd`, as the guide says."""

import re
from pathlib import Path

from ..server import dcs_env, run_dcs

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "commands-guide.md"


def example(name):
    match = re.search(rf"<!-- example: {name} -->\s*```python\n(.*?)```", GUIDE.read_text(), re.S)
    assert match, f"the guide has no example named {name}"
    return match.group(1)


def test_the_guides_module_is_listed_and_runs_on_a_board(tmp_path):
    env = dcs_env(tmp_path)
    assert run_dcs(["demo"], env, timeout=180).returncode == 0
    modules = Path(env["DCS_COMMAND_MODULES"])
    modules.mkdir(parents=True)
    (modules / "thermo.py").write_text(example("thermo"))
    listed = run_dcs(["cmd", "list"], env)
    assert listed.returncode == 0 and "thermo.check" in listed.stdout and "limit=float[0..80°C]" in listed.stdout
    fine = run_dcs(["cmd", "run", "thermo.check", "sipm-ecal01", "--arg", "limit=60", "--as", "otto"], env)
    assert fine.returncode == 0, fine.stderr
    assert re.search(r"thermo\.check on sipm-ecal01: done .*: \d+\.\d °C, fine \(limit 60 °C\)", fine.stdout)
    warm = run_dcs(["cmd", "run", "thermo.check", "sipm-ecal01", "--arg", "limit=5", "--as", "otto"], env)
    assert "too warm (limit 5 °C)" in warm.stdout
    refused = run_dcs(["cmd", "run", "thermo.check", "sipm-ecal01", "--arg", "limit=90", "--as", "otto"], env)
    assert refused.returncode == 1 and "limit must be at most 80 °C (it is 90 °C)" in refused.stderr
    logged = run_dcs(["cmd", "log", "--device", "sipm-ecal01"], env)
    assert logged.stdout.count("thermo.check") == 2
