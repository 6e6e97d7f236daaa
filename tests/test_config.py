"""Settings come from DCS_* variables, validated once; a bad value is named in one sentence."""

import os
import stat

import pytest

from dcs.config import ConfigError, Settings


def test_defaults_put_the_database_and_calibration_files_under_db(tmp_path):
    settings = Settings.from_env({}, base_dir=tmp_path)
    assert settings.database_url == f"sqlite:///{tmp_path}/db/dcs.sqlite"
    assert settings.sqlite_path == f"{tmp_path}/db/dcs.sqlite"
    assert settings.calib_dir == str(tmp_path / "db" / "calib")
    assert (settings.host, settings.port, settings.max_body) == ("127.0.0.1", 8080, 16 * 1024**2)


def test_a_secret_key_is_generated_once_kept_private_and_reused(tmp_path):
    first = Settings.from_env({}, base_dir=tmp_path)
    key_file = tmp_path / "db" / "secret.key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert len(first.secret_key) >= 32
    assert Settings.from_env({}, base_dir=tmp_path).secret_key == first.secret_key


def test_an_explicit_secret_key_wins_and_writes_no_file(tmp_path):
    settings = Settings.from_env({"DCS_SECRET_KEY": "k" * 40}, base_dir=tmp_path)
    assert settings.secret_key == "k" * 40
    assert not (tmp_path / "db" / "secret.key").exists()


def test_a_named_secret_key_file_that_is_missing_stops_start_up(tmp_path):
    with pytest.raises(ConfigError, match="DCS_SECRET_KEY_FILE names .* which does not exist"):
        Settings.from_env({"DCS_SECRET_KEY_FILE": str(tmp_path / "nope.key")}, base_dir=tmp_path)


def test_values_are_parsed(tmp_path):
    settings = Settings.from_env({"DCS_PORT": "9000", "DCS_MAX_BODY": "64M", "DCS_SECURE_COOKIES": "yes",
                                  "DCS_DATABASE_URL": "postgresql://dcs@db.example/dcs", "DCS_LOG_LEVEL": "debug",
                                  "DCS_SECRET_KEY": "s" * 32}, base_dir=tmp_path)
    assert (settings.port, settings.max_body, settings.secure_cookies) == (9000, 64 * 1024**2, True)
    assert settings.database_url == "postgresql://dcs@db.example/dcs" and settings.sqlite_path is None
    assert settings.log_level == "DEBUG"


@pytest.mark.parametrize("variable, value, words", [
    ("DCS_PORT", "eighty", "DCS_PORT must be a whole number"),
    ("DCS_PORT", "70000", "DCS_PORT must be from 1 to 65535"),
    ("DCS_MAX_BODY", "lots", "DCS_MAX_BODY must be a size"),
    ("DCS_MAX_BODY", "10", "DCS_MAX_BODY must be between"),
    ("DCS_DATABASE_URL", "mysql://x/y", "DCS_DATABASE_URL must be a sqlite"),
    ("DCS_DATABASE_URL", "db.sqlite", "DCS_DATABASE_URL must be a sqlite"),
    ("DCS_SECRET_KEY", "short", "DCS_SECRET_KEY must be at least 32 characters"),
    ("DCS_SECURE_COOKIES", "maybe", "DCS_SECURE_COOKIES must be true or false"),
    ("DCS_HOST", "host name; rm -rf", "DCS_HOST must be a host name"),
    ("DCS_LOG_LEVEL", "LOUD", "DCS_LOG_LEVEL must be one of"),
    ("DCS_PASSWORD_COST", "30", "DCS_PASSWORD_COST must be from 10 to 20"),
    ("DCS_SESSION_IDLE", "-1", "DCS_SESSION_IDLE must be from 60"),
])
def test_a_bad_value_stops_start_up_with_a_sentence_naming_it(tmp_path, variable, value, words):
    with pytest.raises(ConfigError) as error:
        Settings.from_env({"DCS_SECRET_KEY": "s" * 32, variable: value}, base_dir=tmp_path)
    assert str(error.value).startswith(words)
    assert str(error.value).endswith(".")
