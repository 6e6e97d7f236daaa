"""The `dcs` command, run as people run it: a real subprocess, real database file, exit codes 0/1/2."""

import pytest

from .server import dcs_env, run_dcs


@pytest.fixture
def env(tmp_path):
    env = dcs_env(tmp_path)
    assert run_dcs(["migrate"], env).returncode == 0
    return env


def test_dcs_and_every_sub_command_describe_themselves():
    top = run_dcs(["--help"], {})
    assert top.returncode == 0
    for command in ("serve", "migrate", "demo", "user", "group", "token", "calib", "backup", "restore"):
        assert command in top.stdout
    for words in (["serve"], ["migrate"], ["demo"], ["user", "add"], ["user", "list"], ["user", "passwd"],
                  ["user", "disable"], ["user", "enable"], ["group", "add"], ["group", "list"], ["token", "create"],
                  ["token", "list"], ["token", "revoke"], ["backup"], ["restore"], ["calib", "put"], ["calib", "get"],
                  ["calib", "default"], ["calib", "ls"], ["calib", "verify"], ["calib", "reindex"],
                  ["calib", "squeeze"], ["calib", "transfer"], ["calib", "diff"], ["calib", "export-psana"],
                  ["calib", "import-psana"], ["calib", "show"], ["calib", "history"], ["calib", "alias"]):
        result = run_dcs([*words, "--help"], {})
        assert result.returncode == 0 and "usage: dcs " + " ".join(words) in result.stdout


def test_a_user_is_added_with_a_password_from_stdin_and_listed(env):
    assert run_dcs(["group", "add", "ecal", "--description", "Calorimeter"], env).returncode == 0
    added = run_dcs(["user", "add", "otto", "--role", "operator", "--group", "ecal", "--password-stdin"], env,
                    stdin="otto-password-123\n")
    assert added.returncode == 0, added.stderr
    assert "otto-password-123" not in added.stdout + added.stderr
    listing = run_dcs(["user", "list"], env).stdout
    assert "otto" in listing and "operator" in listing and "ecal:operator" in listing


def test_without_a_password_one_is_generated_and_printed_once(env):
    added = run_dcs(["user", "add", "root2", "--role", "admin"], env, stdin="")
    assert added.returncode == 0
    password = added.stdout.strip().rsplit(" ", 1)[-1]
    assert len(password) >= 16


def test_passwd_disable_and_enable(env):
    run_dcs(["group", "add", "beam"], env)
    run_dcs(["user", "add", "vik", "--role", "viewer", "--group", "beam", "--password-stdin"], env,
            stdin="first-password-1\n")
    assert run_dcs(["user", "passwd", "vik", "--password-stdin"], env, stdin="second-password-2\n").returncode == 0
    assert run_dcs(["user", "disable", "vik"], env).returncode == 0
    assert "disabled" in run_dcs(["user", "list"], env).stdout
    assert run_dcs(["user", "enable", "vik"], env).returncode == 0
    assert "active" in run_dcs(["user", "list"], env).stdout


def test_a_token_is_printed_once_then_listed_without_its_secret_and_revoked(env):
    run_dcs(["user", "add", "ctl", "--role", "admin", "--password-stdin"], env, stdin="controller-pass-1\n")
    created = run_dcs(["token", "create", "hvb01", "--user", "ctl", "--scope", "heartbeat", "--scope", "read"], env)
    assert created.returncode == 0
    secret = created.stdout.strip()
    assert secret.startswith("dcs_")
    listing = run_dcs(["token", "list"], env).stdout
    assert "hvb01" in listing and "heartbeat,read" in listing and secret not in listing
    assert run_dcs(["token", "revoke", "1"], env).returncode == 0
    assert "revoked" in run_dcs(["token", "list", "--user", "ctl"], env).stdout


@pytest.mark.parametrize("args, stdin, words", [
    (["user", "add", "x1", "--role", "viewer"], "", "name the group"),
    (["user", "add", "x1", "--role", "admin", "--password-stdin"], "", "no password"),
])
def test_bad_usage_exits_2_with_a_sentence(env, args, stdin, words):
    result = run_dcs(args, env, stdin=stdin)
    assert result.returncode == 2 and words in result.stderr


def test_argparse_errors_exit_2(env):
    assert run_dcs(["user", "add", "x1", "--role", "emperor"], env).returncode == 2
    assert run_dcs(["frobnicate"], env).returncode == 2


@pytest.mark.parametrize("args, stdin, words", [
    (["user", "add", "Bad Name", "--role", "admin", "--password-stdin"], "long-password-1\n", "not valid"),
    (["user", "add", "short", "--role", "admin", "--password-stdin"], "short\n", "at least 10"),
    (["user", "passwd", "ghost", "--password-stdin"], "long-password-1\n", "no user named 'ghost'"),
    (["user", "add", "x1", "--role", "viewer", "--group", "nope", "--password-stdin"], "long-password-1\n",
     "no group named 'nope'"),
    (["token", "create", "t", "--user", "ghost", "--scope", "read"], None, "no user named"),
    (["token", "revoke", "42"], None, "no token with id 42"),
])
def test_failures_exit_1_with_a_sentence_and_change_nothing(env, args, stdin, words):
    before = run_dcs(["user", "list"], env).stdout
    result = run_dcs(args, env, stdin=stdin)
    assert result.returncode == 1, result.stderr
    assert words in result.stderr and "Traceback" not in result.stderr
    assert run_dcs(["user", "list"], env).stdout == before


def test_a_bad_setting_stops_every_command_with_exit_2(tmp_path):
    result = run_dcs(["migrate"], dcs_env(tmp_path, DCS_PORT="http"))
    assert result.returncode == 2
    assert result.stderr.strip() == "dcs: DCS_PORT must be a whole number from 1 to 65535, not 'http'."


def test_commands_on_an_unmigrated_database_say_what_to_do(tmp_path):
    result = run_dcs(["user", "list"], dcs_env(tmp_path))
    assert result.returncode == 1 and "dcs migrate" in result.stderr


def test_demo_seeds_an_empty_database_once_with_generated_passwords(env, tmp_path):
    first = run_dcs(["demo"], env)
    assert first.returncode == 0 and "admin" in first.stdout
    again = run_dcs(["demo"], env)
    assert again.returncode == 1 and "has users already" in again.stderr
    other = run_dcs(["demo"], dcs_env(tmp_path / "other"))
    assert other.stdout.split("password ")[1] != first.stdout.split("password ")[1]
    listing = run_dcs(["user", "list"], env).stdout
    for role in ("admin", "expert", "operator", "member", "viewer"):
        assert role in listing
