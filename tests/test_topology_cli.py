"""`dcs device` and `dcs config` as people run them: a real subprocess on a real database file, with the
exit codes 0 (done), 1 (refused, with the reason) and 2 (bad usage)."""

import json

import pytest

from .server import dcs_env, run_dcs

SCHEMA = {"type": "object", "additionalProperties": False,
          "properties": {"ramp_rate": {"type": "number", "maximum": 10, "x-tolerance": "5%"},
                         "voltage": {"type": "number", "maximum": 60, "x-tolerance": 0.05}}}


@pytest.fixture
def env(tmp_path):
    env = dcs_env(tmp_path)
    assert run_dcs(["migrate"], env).returncode == 0
    assert run_dcs(["group", "add", "ecal"], env).returncode == 0
    (tmp_path / "schema.json").write_text(json.dumps(SCHEMA))
    for args in (["device", "type", "add", "sipm", "--group", "ecal", "--port", "ch0:HV", "--port", "ch1:HV"],
                 ["device", "type", "add", "bgo", "--group", "ecal", "--port", "hv:HV"],
                 ["device", "type", "schema", "sipm", str(tmp_path / "schema.json")],
                 ["device", "add", "sipm-hv01", "--subsystem", "ECal", "--hw-index", "1.2.3", "--crate", "1"],
                 ["device", "add", "bgo-000"], ["device", "add", "bgo-001"]):
        result = run_dcs(args, env)
        assert result.returncode == 0, (args, result.stderr)
    return env


def test_commands_describe_themselves():
    for words in (["device", "connect"], ["device", "behind"], ["device", "place"], ["device", "type", "schema"],
                  ["config", "save"], ["config", "live"], ["config", "import"], ["config", "recipe", "apply"],
                  ["config", "set", "approve"]):
        result = run_dcs([*words, "--help"], {})
        assert result.returncode == 0 and "usage: dcs " + " ".join(words) in result.stdout


def test_a_cabling_list_is_loaded_and_followed_downstream(env, tmp_path):
    (tmp_path / "cabling.csv").write_text("from,to,kind\nsipm-hv01:ch0,bgo-000:hv,HV\nsipm-hv01:ch1,bgo-001:hv,HV\n")
    loaded = run_dcs(["device", "connect", "--file", str(tmp_path / "cabling.csv")], env)
    assert loaded.returncode == 0 and "connected 2 pair(s)" in loaded.stdout
    behind = run_dcs(["device", "behind", "sipm-hv01"], env).stdout
    assert "bgo-000  (HV from sipm-hv01)" in behind and "2 device(s) behind sipm-hv01" in behind
    again = run_dcs(["device", "connect", "sipm-hv01:ch0", "bgo-001:hv", "--kind", "HV"], env)
    assert again.returncode == 1 and "sipm-hv01:ch0 is connected already" in again.stderr
    assert run_dcs(["device", "connect", "sipm-hv01:ch0"], env).returncode == 2


def test_a_configuration_is_saved_activated_compared_and_rolled_back(env, tmp_path):
    (tmp_path / "v1.yaml").write_text("ramp_rate: 1.0\nvoltage: 38.2\n")
    (tmp_path / "bad.yaml").write_text("ramp_rate: 99\n")
    (tmp_path / "live.json").write_text('{"ramp_rate": 1.04, "voltage": 38.4}')
    assert run_dcs(["config", "save", "sipm-hv01", str(tmp_path / "v1.yaml"), "--activate"], env).returncode == 0
    bad = run_dcs(["config", "check", "sipm-hv01", str(tmp_path / "bad.yaml")], env)
    assert bad.returncode == 1 and "ramp_rate: must be at most 10 (it is 99)" in bad.stdout
    refused = run_dcs(["config", "save", "sipm-hv01", str(tmp_path / "bad.yaml")], env)
    assert refused.returncode == 1 and "ramp_rate" in refused.stderr
    live = run_dcs(["config", "live", "sipm-hv01", str(tmp_path / "live.json")], env)
    assert live.returncode == 1 and "drift   voltage: stored 38.2, live 38.4 (tolerance 0.05)" in live.stdout
    assert "ramp_rate" not in live.stdout  # 1.04 is within 5% of 1.0
    (tmp_path / "v2.yaml").write_text("ramp_rate: 2.0\nvoltage: 38.2\n")
    assert run_dcs(["config", "save", "sipm-hv01", str(tmp_path / "v2.yaml"), "--activate"], env).returncode == 0
    assert "~ ramp_rate: 1.0 -> 2.0" in run_dcs(["config", "diff", "sipm-hv01", "1", "2"], env).stdout
    assert run_dcs(["config", "rollback", "sipm-hv01", "1"], env).returncode == 0
    shown = run_dcs(["config", "show", "sipm-hv01", "--format", "json"], env)
    assert json.loads(shown.stdout) == {"ramp_rate": 1.0, "voltage": 38.2} and "v3" in shown.stderr


def test_an_export_round_trips_through_import(env, tmp_path):
    (tmp_path / "v1.json").write_text('{"ramp_rate": 1.0}')
    run_dcs(["config", "save", "sipm-hv01", str(tmp_path / "v1.json"), "--activate"], env)
    out = tmp_path / "export.yaml"
    assert run_dcs(["config", "export", "--format", "yaml", "-o", str(out)], env).returncode == 0
    dry = run_dcs(["config", "import", str(out), "--dry-run"], env)
    assert dry.returncode == 0 and "device:sipm-hv01: unchanged (v1)" in dry.stdout
    out.write_text(out.read_text().replace("ramp_rate: 1.0", "ramp_rate: 1.5"))
    done = run_dcs(["config", "import", str(out)], env)
    assert done.returncode == 0 and "device:sipm-hv01: new version v2 (1 change(s))" in done.stdout


def test_a_configuration_set_is_approved_from_the_shell_by_someone_else(env, tmp_path):
    for name, role in (("maya", "member"), ("erin", "expert")):
        assert run_dcs(["user", "add", name, "--role", role, "--group", "ecal", "--password-stdin"], env,
                       stdin="a-long-password-1\n").returncode == 0
    (tmp_path / "v1.json").write_text('{"ramp_rate": 1.0}')
    run_dcs(["config", "save", "sipm-hv01", str(tmp_path / "v1.json"), "--activate"], env)
    made = run_dcs(["config", "set", "create", "good-1", "--group", "ecal", "--snapshot", "sipm-hv01", "--as", "maya"],
                   env)
    assert made.returncode == 0 and "good-1 (draft) of ecal: 1 pin(s)" in made.stdout
    assert run_dcs(["config", "set", "propose", "good-1", "--as", "maya"], env).returncode == 0
    own = run_dcs(["config", "set", "approve", "good-1", "--as", "maya"], env)
    assert own.returncode == 1 and "Only experts" in own.stderr
    assert run_dcs(["config", "set", "approve", "good-1"], env).returncode == 2  # who acts must be said
    approved = run_dcs(["config", "set", "approve", "good-1", "--as", "erin", "--comment", "ok"], env)
    assert approved.returncode == 0 and "good-1 (approved)" in approved.stdout and "decided by erin" in approved.stdout
