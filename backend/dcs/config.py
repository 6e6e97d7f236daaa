"""Settings from DCS_* environment variables, validated once at start-up.

`Settings.from_env()` reads the environment; a bad value raises `ConfigError` with one sentence that
names the variable and says what is wrong, and the CLI prints it and exits 2 before anything starts.
Tests build settings directly: `Settings(database_url=..., calib_dir=..., secret_key=...)`.
"""

import os
import re
import secrets
from dataclasses import dataclass, field, fields
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class ConfigError(Exception):
    pass


def _text(name, value):
    return value


def _int(minimum, maximum):
    def parse(name, value):
        if not re.fullmatch(r"[+-]?\d+", value.strip()):
            raise ConfigError(f"{name} must be a whole number from {minimum} to {maximum}, not {value!r}.")
        number = int(value)
        if not minimum <= number <= maximum:
            raise ConfigError(f"{name} must be from {minimum} to {maximum}, not {number}.")
        return number

    return parse


def _size(name, value):
    """A byte count, optionally with a K, M or G suffix (powers of 1024)."""
    match = re.fullmatch(r"\s*(\d+)\s*([KMG]i?B?|B)?\s*", value, re.IGNORECASE)
    if not match:
        raise ConfigError(f"{name} must be a size in bytes such as 1048576 or 16M, not {value!r}.")
    unit = (match.group(2) or "B")[0].upper()
    number = int(match.group(1)) * {"B": 1, "K": 1024, "M": 1024**2, "G": 1024**3}[unit]
    if not 1024 <= number <= 1024**4:
        raise ConfigError(f"{name} must be between 1K and 1024G, not {value!r}.")
    return number


def _float(minimum, maximum):
    def parse(name, value):
        try:
            number = float(value)
        except ValueError:
            raise ConfigError(f"{name} must be a number from {minimum} to {maximum}, not {value!r}.") from None
        if not minimum <= number <= maximum:
            raise ConfigError(f"{name} must be from {minimum} to {maximum}, not {value!r}.")
        return number

    return parse


def _bool(name, value):
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"{name} must be true or false, not {value!r}.")


def _database_url(name, value):
    scheme = value.split(":", 1)[0].lower()
    if "://" not in value or scheme not in ("sqlite", "postgres", "postgresql", "postgresext", "postgresqlext"):
        raise ConfigError(
            f"{name} must be a sqlite:///path or postgresql://user@host/dbname URL, not {value!r}."
        )
    return value


def _host(name, value):
    if not re.fullmatch(r"[A-Za-z0-9.:\-\[\]]+", value):
        raise ConfigError(f"{name} must be a host name or an IP address, not {value!r}.")
    return value


def _log_level(name, value):
    if value.upper() not in LOG_LEVELS:
        raise ConfigError(f"{name} must be one of {', '.join(LOG_LEVELS)}, not {value!r}.")
    return value.upper()


def _secret(name, value):
    if len(value) < 32:
        raise ConfigError(f"{name} must be at least 32 characters long (it is {len(value)}).")
    return value


def _setting(env, parse, doc, default=None):
    return field(default=default, metadata={"env": env, "parse": parse, "doc": doc})


@dataclass(frozen=True)
class Settings:
    database_url: str = _setting("DCS_DATABASE_URL", _database_url,
                                 "Database URL: sqlite:///db/dcs.sqlite (default) or postgresql://user:pw@host/db.",
                                 "sqlite:///db/dcs.sqlite")
    calib_dir: str = _setting("DCS_CALIB_DIR", _text, "Directory of the calibration store's HDF5 files.", "db/calib")
    secret_key: str = _setting("DCS_SECRET_KEY", _secret,
                               "Key for signing (CSRF tokens); at least 32 characters. When absent it is read "
                               "from DCS_SECRET_KEY_FILE, which is generated on first run.", None)
    secret_key_file: str = _setting("DCS_SECRET_KEY_FILE", _text,
                                    "File holding the secret key; generated (mode 0600) when it does not exist.",
                                    "db/secret.key")
    host: str = _setting("DCS_HOST", _host, "Address `dcs serve` listens on.", "127.0.0.1")
    port: int = _setting("DCS_PORT", _int(1, 65535), "Port `dcs serve` listens on.", 8080)
    threads: int = _setting("DCS_THREADS", _int(1, 256), "Worker threads of the waitress server.", 8)
    max_body: int = _setting("DCS_MAX_BODY", _size,
                             "Largest request body accepted, in bytes or with K/M/G (larger: 413).", 16 * 1024**2)
    max_upload: int = _setting("DCS_MAX_UPLOAD", _size,
                               "Largest calibration array upload (a .npy body), in bytes or with K/M/G.", 1024**3)
    static_dir: str = _setting("DCS_STATIC_DIR", _text, "Directory of the built single page app.",
                               str(PROJECT_ROOT / "static"))
    session_idle: int = _setting("DCS_SESSION_IDLE", _int(60, 30 * 86400),
                                 "Seconds a browser session stays valid without use.", 12 * 3600)
    login_max_failures: int = _setting("DCS_LOGIN_MAX_FAILURES", _int(1, 1000),
                                       "Failed logins for one account within the lockout time before it is "
                                       "refused for a while (four times as many per client address).", 5)
    login_lockout: int = _setting("DCS_LOGIN_LOCKOUT", _int(1, 86400),
                                  "Seconds over which failed logins count, and how long a lockout lasts.", 900)
    password_cost: int = _setting("DCS_PASSWORD_COST", _int(10, 20),
                                  "scrypt work factor as log2(N) for new password hashes; 15 is the default, "
                                  "lower values are for tests only.", 15)
    secure_cookies: bool = _setting("DCS_SECURE_COOKIES", _bool,
                                    "Mark the session cookie Secure (set this when served over HTTPS).", False)
    trusted_proxy: str = _setting("DCS_TRUSTED_PROXY", _text,
                                  "Address of a reverse proxy whose X-Forwarded-For/-Proto headers are trusted.", "")
    log_level: str = _setting("DCS_LOG_LEVEL", _log_level, "DEBUG, INFO, WARNING or ERROR.", "INFO")
    data_root: str = _setting("DCS_DATA_ROOT", _text,
                              "Directory under which raw data files (dark runs) may be referenced; nothing "
                              "outside it is read.", "db/data")
    dark_min_frames: int = _setting("DCS_DARK_MIN_FRAMES", _int(2, 10**7),
                                    "Fewest frames a dark run needs for constants to be generated from it.", 10)
    dark_rms_nsigma: float = _setting("DCS_DARK_RMS_NSIGMA", _float(0.5, 1000),
                                      "A pixel is bad (status bit 1 or 2) when its rms is this many robust sigmas "
                                      "above or below the detector's median rms.", 6.0)
    dark_ped_nsigma: float = _setting("DCS_DARK_PED_NSIGMA", _float(0.5, 1000),
                                      "A pixel is bad (status bit 4) when its pedestal is this many robust sigmas "
                                      "from the detector's median pedestal.", 6.0)
    dark_chunk: int = _setting("DCS_DARK_CHUNK", _size,
                               "Bytes of raw frames read at once when generating constants (bounds memory).",
                               64 * 1024**2)
    job_workers: int = _setting("DCS_JOB_WORKERS", _int(0, 64),
                                "Background job threads in `dcs serve` (dark-run generation); 0 runs none.", 1)
    monitor: bool = _setting("DCS_MONITOR", _bool,
                             "Run the alert engine inside `dcs serve` (several processes share it through a lease "
                             "in the database; `dcs monitor` runs it alone).", True)
    retention_days: int = _setting("DCS_RETENTION_DAYS", _int(1, 36500),
                                   "Days raw readings and heartbeats are kept.", 30)
    rollup_retention_days: int = _setting("DCS_ROLLUP_RETENTION_DAYS", _int(1, 36500),
                                          "Days per-minute rollups are kept; per-hour rollups are kept for good.",
                                          400)
    smtp_host: str = _setting("DCS_SMTP_HOST", _text, "SMTP server for alert mail; empty: no mail is sent.", "")
    smtp_port: int = _setting("DCS_SMTP_PORT", _int(1, 65535), "Port of the SMTP server.", 25)
    smtp_from: str = _setting("DCS_SMTP_FROM", _text, "Sender address of alert mail.", "dcs-portal@localhost")
    smtp_user: str = _setting("DCS_SMTP_USER", _text, "SMTP login name, when the server wants one.", "")
    smtp_password: str = _setting("DCS_SMTP_PASSWORD", _text,
                                  "SMTP password (or DCS_SMTP_PASSWORD_FILE naming a file that holds it).", "")
    smtp_starttls: bool = _setting("DCS_SMTP_STARTTLS", _bool, "Switch the SMTP connection to TLS (STARTTLS).",
                                   False)
    webhook_hosts: str = _setting("DCS_WEBHOOK_HOSTS", _text,
                                  "Comma-separated host names (or addresses) alert webhooks may be sent to; empty: "
                                  "no webhooks.", "")
    command_modules: str = _setting("DCS_COMMAND_MODULES", _text,
                                    "Folder of local command modules (*.py files each defining `module`); the "
                                    "installed ones come from the entry point group dcs.commands.", "commands")
    command_state_dir: str = _setting("DCS_COMMAND_STATE_DIR", _text,
                                      "Directory where command modules keep files of their own (the SiPM "
                                      "simulator's board states).", "db/commands")
    public_url: str = _setting("DCS_PUBLIC_URL", _text,
                               "The portal's address as people reach it, for links in alert mail.",
                               "http://127.0.0.1:8080/")

    @classmethod
    def from_env(cls, environ=None, base_dir=None):
        """Read every DCS_* variable, validate it, resolve relative paths against base_dir (default: cwd)."""
        environ = os.environ if environ is None else environ
        base = Path(base_dir or os.getcwd())
        values = {}
        for f in fields(cls):
            env = f.metadata["env"]
            raw = environ.get(env)
            if raw is None or (raw == "" and f.name != "trusted_proxy"):
                continue
            values[f.name] = f.metadata["parse"](env, raw)
        password_file = environ.get("DCS_SMTP_PASSWORD_FILE")
        if password_file and "smtp_password" not in values:
            try:
                values["smtp_password"] = Path(base, password_file).read_text().strip()
            except OSError as error:
                raise ConfigError(f"DCS_SMTP_PASSWORD_FILE names {password_file}, which cannot be read "
                                  f"({error.strerror}).") from None
        explicit_key_file = "DCS_SECRET_KEY_FILE" in environ and environ["DCS_SECRET_KEY_FILE"] != ""
        settings = cls(**values).resolved(base)
        if settings.secret_key is None:
            key = load_or_create_secret(Path(settings.secret_key_file), create=not explicit_key_file)
            settings = settings.replace(secret_key=key)
        return settings

    def replace(self, **changes):
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Settings(**values)

    def resolved(self, base):
        """Relative paths (SQLite file, calibration dir, key file, static dir) made absolute against base."""
        def absolute(path):
            p = Path(path)
            return str(p if p.is_absolute() else (Path(base) / p))

        url = self.database_url
        if url.startswith("sqlite:///") and not url.startswith("sqlite:////") and ":memory:" not in url:
            url = "sqlite:///" + absolute(url[len("sqlite:///"):])
        return self.replace(database_url=url, calib_dir=absolute(self.calib_dir), data_root=absolute(self.data_root),
                            command_modules=absolute(self.command_modules),
                            command_state_dir=absolute(self.command_state_dir),
                            secret_key_file=absolute(self.secret_key_file), static_dir=absolute(self.static_dir))

    @property
    def sqlite_path(self):
        """The SQLite file's path, or None for another database."""
        if self.database_url.startswith("sqlite:///") and ":memory:" not in self.database_url:
            return self.database_url[len("sqlite:///"):]
        return None


def load_or_create_secret(path, create=True):
    if path.exists():
        key = path.read_text().strip()
        return _secret(f"The secret key file {path}", key)
    if not create:
        raise ConfigError(f"DCS_SECRET_KEY_FILE names {path}, which does not exist.")
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(key + "\n")
    return key


def documented_settings():
    """(variable, default, description) for every setting: the admin guide and its test use this."""
    return [(f.metadata["env"], f.default, f.metadata["doc"]) for f in fields(Settings)]
