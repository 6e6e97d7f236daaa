"""The calibration workflow from the shell: record and tag runs, generate, compare, approve as a person, export."""

import re

import h5py
import pytest

from ..server import dcs_env, run_dcs
from .darkdata import write_frames


@pytest.fixture
def env(tmp_path):
    env = dcs_env(tmp_path)
    assert run_dcs(["migrate"], env).returncode == 0
    for args in (["group", "add", "ecal"], ["user", "add", "maya", "--role", "member", "--group", "ecal",
                                            "--password-stdin"],
                 ["user", "add", "erin", "--role", "expert", "--group", "ecal", "--password-stdin"],
                 ["experiment", "add", "xpp1", "--instrument", "XPP", "--group", "ecal"],
                 ["run", "add", "xpp1", "7", "--begin", "2026-11-20T10:00:00Z", "--end", "2026-11-20T10:05:00Z"]):
        done = run_dcs(args, env, stdin="a-long-enough-password\n")
        assert done.returncode == 0, done.stderr
    return env


def dcs(env, *args, code=0):
    done = run_dcs(list(args), env)
    assert done.returncode == code, (done.stdout, done.stderr)
    return done.stdout + done.stderr


def test_a_run_is_tagged_its_file_registered_and_constants_generated(env, tmp_path):
    write_frames(tmp_path / "data" / "xpp1" / "r7.h5", "andor-0001")
    assert "tagged dark: Detector power cycled" in dcs(env, "run", "tag", "xpp1", "7", "--reason", "power_cycled")
    assert "registered xpp1/r7.h5" in dcs(env, "run", "file", "xpp1", "7", "andor-0001", "xpp1/r7.h5")
    assert "Detector power cycled" in dcs(env, "run", "list", "xpp1", "--dark")
    out = dcs(env, "calib", "generate", "xpp1", "7", "andor-0001")
    assert [line.split()[2] for line in out.splitlines() if line.startswith("stored")] == [
        "pedestals", "pixel_rms", "pixel_status"]
    status_id = re.search(r"pixel_status version 1 \(id (\d+)", out).group(1)
    prov = dcs(env, "calib", "provenance", status_id)
    assert "xpp1 run 7" in prov and "file xpp1/r7.h5: sha256" in prov and "40 frames" in prov


def test_a_generation_that_fails_says_why_and_exits_1(env, tmp_path):
    write_frames(tmp_path / "data" / "few.h5", "andor-0001", frames=3)
    out = dcs(env, "calib", "generate", "xpp1", "7", "andor-0001", "--file", "few.h5", code=1)
    assert "failed: /data/andor-0001/frames has 3 frames; at least 10 are needed" in out
    assert "outside the data root" in dcs(env, "calib", "generate", "xpp1", "7", "andor-0001", "--file",
                                          "../../etc/passwd.h5", code=1)


def test_a_set_is_approved_by_a_second_person_and_exported(env, tmp_path):
    write_frames(tmp_path / "data" / "r7.h5", "andor-0001")
    dcs(env, "calib", "generate", "xpp1", "7", "andor-0001", "--file", "r7.h5")
    dcs(env, "calib", "set", "create", "good-1", "--experiment", "xpp1", "--snapshot", "andor-0001")
    assert "(proposed)" in dcs(env, "calib", "set", "propose", "good-1", "--as", "maya")
    assert "two-person rule" not in dcs(env, "calib", "set", "approve", "good-1", "--as", "maya", code=1)
    assert "Only experts" in dcs(env, "calib", "set", "approve", "good-1", "--as", "maya", code=1)
    assert "(approved)" in dcs(env, "calib", "set", "approve", "good-1", "--as", "erin", "--comment", "fine")
    shown = dcs(env, "calib", "set", "show", "good-1")
    assert "draft -> proposed by cli:maya" in shown and "proposed -> approved by cli:erin: fine" in shown
    dcs(env, "calib", "set", "export", "good-1", "--h5", str(tmp_path / "good-1.h5"))
    with h5py.File(tmp_path / "good-1.h5", "r") as h5:
        assert sorted(h5["andor-0001"]) == ["pedestals", "pixel_rms", "pixel_status"]
    assert "Say who acts" in dcs(env, "calib", "set", "propose", "good-1", code=2)


def test_run_ranges_give_the_validity_and_two_sets_compare_from_the_shell(env, tmp_path):
    import numpy as np

    dcs(env, "run", "add", "xpp1", "8", "--begin", "2026-11-20T11:00:00Z", "--end", "2026-11-20T11:30:00Z")
    for value in (1, 2):
        np.save(tmp_path / f"{value}.npy", np.full((4, 4), value, "f4"))
        out = dcs(env, "calib", "put", "andor-0001", "pedestals", str(tmp_path / f"{value}.npy"), "--runs", "7-8",
                  "--experiment", "xpp1", "--workspace", "experiment:xpp1")
        assert "1795168800-1795174200 version" in out
    assert "Give the validity either" in dcs(env, "calib", "put", "andor-0001", "pedestals", str(tmp_path / "1.npy"),
                                             "--runs", "7-8", code=2)
    assert "is now version 1" in dcs(env, "calib", "default", "andor-0001", "pedestals", "--runs", "7-8",
                                     "--experiment", "xpp1", "--versind", "1", "--workspace", "experiment:xpp1")
    dcs(env, "calib", "set", "create", "one", "--experiment", "xpp1", "--version", "1")
    dcs(env, "calib", "set", "create", "two", "--experiment", "xpp1", "--version", "2")
    out = dcs(env, "calib", "compare", "--sets", "one", "two", "--detname", "andor-0001", "--ctype", "pedestals",
              "--time", "2026-11-20T10:30:00Z", "--threshold", "0.5")
    assert "version 2" in out and "minus version 1" in out and "16/16" in out
    assert "needs --sets A B with --detname" in dcs(env, "calib", "compare", "--sets", "one", "two", code=2)
