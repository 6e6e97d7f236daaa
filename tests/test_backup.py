"""`dcs backup` copies a running portal consistently; `dcs restore` brings it back on another machine."""

import json
import re
import threading

import h5py
import numpy as np

from .server import HttpSession, dcs_env, run_dcs, serving


def seeded(tmp_path):
    env = dcs_env(tmp_path)
    out = run_dcs(["demo"], env).stdout
    password = re.search(r"'admin' with the password (\S+)", out).group(1)
    (tmp_path / "calib" / "cspad").mkdir(parents=True)
    with h5py.File(tmp_path / "calib" / "cspad" / "cspad-0001.h5", "w") as f:
        f.create_dataset("pedestals/1000-end/v1/calib", data=np.arange(12.0).reshape(3, 4))
    return env, password


def test_a_backup_taken_while_the_server_writes_restores_on_another_machine(tmp_path):
    env, password = seeded(tmp_path / "site")
    backup_dir = tmp_path / "backup"
    with serving(env) as server:
        session = HttpSession(server.base_url)
        session.login("admin", password)
        assert session.call("POST", "/api/groups", {"name": "before-backup"})[0] == 201
        written = []

        def keep_writing():
            for index in range(40):
                status, _ = session.call("POST", "/api/groups", {"name": f"during{index}"})
                written.append(status)

        writer = threading.Thread(target=keep_writing)
        writer.start()
        result = run_dcs(["backup", str(backup_dir)], env)
        writer.join(timeout=60)
    assert result.returncode == 0, result.stderr
    assert set(written) == {201}, "the server kept serving writes during the backup"
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    assert manifest["database"] == "sqlite" and "calib/cspad/cspad-0001.h5" in manifest["files"]

    other = dcs_env(tmp_path / "elsewhere")
    restored = run_dcs(["restore", str(backup_dir)], other)
    assert restored.returncode == 0, restored.stderr
    with serving(other) as server:
        session = HttpSession(server.base_url)
        session.login("admin", password)
        names = {g["name"] for g in session.call("GET", "/api/groups")[1]["groups"]}
    assert "before-backup" in names and "padme-ecal" in names
    with h5py.File(tmp_path / "elsewhere" / "calib" / "cspad" / "cspad-0001.h5", "r") as f:
        assert f["pedestals/1000-end/v1/calib"][()].tolist() == np.arange(12.0).reshape(3, 4).tolist()


def test_a_damaged_backup_is_refused_before_anything_is_replaced(tmp_path):
    env, _ = seeded(tmp_path / "site")
    backup_dir = tmp_path / "backup"
    assert run_dcs(["backup", str(backup_dir)], env).returncode == 0
    data = bytearray((backup_dir / "dcs.sqlite").read_bytes())
    data[5000] ^= 0xFF
    (backup_dir / "dcs.sqlite").write_bytes(bytes(data))
    other = dcs_env(tmp_path / "elsewhere")
    result = run_dcs(["restore", str(backup_dir)], other)
    assert result.returncode == 1 and "damaged" in result.stderr
    assert not (tmp_path / "elsewhere" / "dcs.sqlite").exists()


def test_restore_never_overwrites_a_database_without_force(tmp_path):
    env, _ = seeded(tmp_path / "site")
    backup_dir = tmp_path / "backup"
    run_dcs(["backup", str(backup_dir)], env)
    run_dcs(["group", "add", "after-backup"], env)
    refused = run_dcs(["restore", str(backup_dir)], env)
    assert refused.returncode == 1 and "--force" in refused.stderr
    assert "after-backup" in run_dcs(["group", "list"], env).stdout
    forced = run_dcs(["restore", str(backup_dir), "--force"], env)
    assert forced.returncode == 0, forced.stderr
    assert "after-backup" not in run_dcs(["group", "list"], env).stdout


def test_backup_refuses_a_directory_that_is_not_empty(tmp_path):
    env, _ = seeded(tmp_path / "site")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "precious.txt").write_text("keep")
    result = run_dcs(["backup", str(tmp_path / "full")], env)
    assert result.returncode == 1 and "not empty" in result.stderr
    assert (tmp_path / "full" / "precious.txt").read_text() == "keep"


def test_a_directory_that_is_no_backup_is_refused(tmp_path):
    (tmp_path / "random").mkdir()
    result = run_dcs(["restore", str(tmp_path / "random")], dcs_env(tmp_path / "x"))
    assert result.returncode == 1 and "not a DCS backup" in result.stderr
