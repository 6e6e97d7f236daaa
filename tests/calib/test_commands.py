"""`dcs calib` from the shell: put, get (exit 3 when nothing applies), default, ls, verify."""

import h5py
import numpy as np
import pytest

from ..server import dcs_env, run_dcs


@pytest.fixture
def env(tmp_path):
    env = dcs_env(tmp_path)
    assert run_dcs(["migrate"], env).returncode == 0
    return env


def test_put_then_get_returns_the_same_array(env, tmp_path):
    array = np.random.default_rng(3).normal(size=(32, 185, 388)).astype("f4")
    np.save(tmp_path / "ped.npy", array)
    put = run_dcs(["calib", "put", "cspad-0001", "pedestals", str(tmp_path / "ped.npy"), "--begin",
                   "2016-10-27T14:05:00+02:00", "--comment", "dark run 12"], env)
    assert put.returncode == 0, put.stderr
    assert "version 1" in put.stdout
    got = run_dcs(["calib", "get", "cspad-0001", "pedestals", "--time", "1477569999", "-o", str(tmp_path / "o.npy")],
                  env)
    assert got.returncode == 0, got.stderr
    assert np.load(tmp_path / "o.npy").tobytes() == array.tobytes()
    listing = run_dcs(["calib", "ls"], env).stdout
    assert "cspad-0001" in listing and "1477569900-end" in listing and "32x185x388" in listing


def test_get_exits_3_when_nothing_applies(env, tmp_path):
    np.save(tmp_path / "a.npy", np.zeros(4, "f4"))
    run_dcs(["calib", "put", "cspad-0001", "pedestals", str(tmp_path / "a.npy"), "--begin", "1000"], env)
    got = run_dcs(["calib", "get", "cspad-0001", "pedestals", "--time", "999", "-o", str(tmp_path / "o.npy")], env)
    assert got.returncode == 3 and "no pedestals constants" in got.stderr
    assert not (tmp_path / "o.npy").exists()


def test_default_and_versind_choose_the_version(env, tmp_path):
    for value in (1, 2, 3):
        np.save(tmp_path / f"{value}.npy", np.full(4, value, "f4"))
        run_dcs(["calib", "put", "epix100a-0001", "pixel_gain", str(tmp_path / f"{value}.npy"), "--begin", "1000"],
                env)
    assert run_dcs(["calib", "default", "epix100a-0001", "pixel_gain", "--begin", "1000", "--versind", "2"],
                   env).returncode == 0
    run_dcs(["calib", "get", "epix100a-0001", "pixel_gain", "--time", "1500", "-o", str(tmp_path / "d.npy")], env)
    assert np.load(tmp_path / "d.npy")[0] == 2
    run_dcs(["calib", "get", "epix100a-0001", "pixel_gain", "--time", "1500", "--versind", "3", "-o",
             str(tmp_path / "v.npy")], env)
    assert np.load(tmp_path / "v.npy")[0] == 3


def test_verify_finds_a_damaged_array(env, tmp_path):
    np.save(tmp_path / "a.npy", np.arange(1000, dtype="f8"))
    run_dcs(["calib", "put", "cspad-0001", "pixel_rms", str(tmp_path / "a.npy"), "--begin", "1000"], env)
    assert run_dcs(["calib", "verify"], env).returncode == 0
    path = tmp_path / "calib" / "cspad" / "cspad-0001.h5"
    with h5py.File(path, "r") as f:
        (version,) = f["pixel_rms/1000-end"].values()
        offset = version["calib"].id.get_offset()
    data = bytearray(path.read_bytes())
    data[offset + 500] ^= 0x55  # one bit pattern inside the array
    path.write_bytes(bytes(data))
    result = run_dcs(["calib", "verify"], env)
    assert result.returncode == 1 and "does not match its checksum" in result.stdout


@pytest.mark.parametrize("content, words", [(b"not numpy at all", "not a valid .npy"),
                                            (b"\x93NUMPY\x01\x00garbage", "not a valid .npy")])
def test_a_file_that_is_not_npy_is_refused(env, tmp_path, content, words):
    (tmp_path / "bad.npy").write_bytes(content)
    result = run_dcs(["calib", "put", "cspad-0001", "pedestals", str(tmp_path / "bad.npy"), "--begin", "1000"], env)
    assert result.returncode == 1 and words in result.stderr
    assert not (tmp_path / "calib" / "cspad").exists()


def test_a_pickled_object_array_is_never_loaded(env, tmp_path):
    np.save(tmp_path / "obj.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    result = run_dcs(["calib", "put", "cspad-0001", "pedestals", str(tmp_path / "obj.npy"), "--begin", "1000"], env)
    assert result.returncode == 1 and "pickle" in result.stderr.lower()


def test_reindex_from_the_shell_reports_what_it_added(env, tmp_path):
    np.save(tmp_path / "a.npy", np.zeros(4, "f4"))
    run_dcs(["calib", "put", "cspad-0001", "pedestals", str(tmp_path / "a.npy"), "--begin", "1000"], env)
    result = run_dcs(["calib", "reindex"], env)
    assert result.returncode == 0 and "added 0 file(s), 0 range(s), 0 version(s)" in result.stdout


def test_squeeze_transfer_and_diff_from_the_shell(env, tmp_path):
    for begin, value in ((1000, 1), (5000, 2)):
        np.save(tmp_path / f"{value}.npy", np.full(4, value, "f4"))
        run_dcs(["calib", "put", "cspad-0001", "pedestals", str(tmp_path / f"{value}.npy"), "--begin", str(begin),
                 "--end", str(begin + 1000)], env)
    out = tmp_path / "squeezed.h5"
    squeezed = run_dcs(["calib", "squeeze", "cspad-0001", "--begin", "4000", "-o", str(out)], env)
    assert squeezed.returncode == 0 and "1 range(s)" in squeezed.stdout
    moved = run_dcs(["calib", "transfer", "cspad-0001", "pedestals", "--from", "repository", "--to",
                     "experiment:xpp1", "--begin", "5000"], env)
    assert moved.returncode == 0 and "5000-6000 version 1" in moved.stdout
    repo = tmp_path / "calib" / "cspad" / "cspad-0001.h5"
    same = run_dcs(["calib", "diff", str(repo), str(repo)], env)
    assert same.returncode == 0 and same.stdout == ""
    differs = run_dcs(["calib", "diff", str(repo), str(out)], env)
    assert differs.returncode == 1 and differs.stdout.startswith("< pedestals/1000-2000/")


def test_show_history_and_alias_from_the_shell(env, tmp_path):
    np.save(tmp_path / "a.npy", np.zeros(4, "f4"))
    run_dcs(["calib", "put", "pnccd-12345678", "pedestals", str(tmp_path / "a.npy"), "--begin", "1000",
             "--comment", "first dark"], env)
    shown = run_dcs(["calib", "show", "pnccd-12345678"], env)
    assert shown.returncode == 0 and "1000-end" in shown.stdout and "first dark" in shown.stdout
    history = run_dcs(["calib", "history", "pnccd-12345678", "pedestals", "--range", "1000-end"], env)
    assert history.returncode == 0 and "added version 1" in history.stdout
    assert run_dcs(["calib", "history", "pnccd-12345678", "pixel_rms"], env).returncode == 1
    added = run_dcs(["calib", "alias", "Camp.0:pnCCD.1", "pnccd-12345678", "--begin", "1000"], env)
    assert added.returncode == 0, added.stderr
    assert "pnccd-12345678" in run_dcs(["calib", "alias"], env).stdout
    got = run_dcs(["calib", "get", "Camp.0:pnCCD.1", "pedestals", "--time", "2000", "-o", str(tmp_path / "o.npy")],
                  env)
    assert got.returncode == 0, got.stderr
