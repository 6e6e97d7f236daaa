"""`dcs backup DIR` and `dcs restore DIR`: the database and the calibration directory, consistently.

SQLite is copied with its online backup API, so a running server keeps serving (and writing) while
the copy stays consistent; PostgreSQL with pg_dump/pg_restore. The calibration directory is copied
file by file. A manifest lists every file with its SHA-256, and restore checks them all before it
touches anything.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from . import __version__
from .errors import DcsError
from .timeutil import iso, now_ns

MANIFEST = "manifest.json"
SQLITE_FILE = "dcs.sqlite"
PG_FILE = "dcs.pgdump"
CALIB = "calib"


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def backup(settings, dest, progress=None):
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise DcsError(409, f"The backup directory {dest} is not empty; name a new one.")
    dest.mkdir(parents=True, exist_ok=True)
    if settings.sqlite_path:
        kind = "sqlite"
        _sqlite_backup(settings.sqlite_path, dest / SQLITE_FILE, progress)
    else:
        kind = "postgres"
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={dest / PG_FILE}", settings.database_url],
             "pg_dump")
    calib = Path(settings.calib_dir)
    if calib.is_dir():
        shutil.copytree(calib, dest / CALIB, symlinks=False)
    files = {str(p.relative_to(dest)): _sha256(p) for p in sorted(dest.rglob("*")) if p.is_file()}
    manifest = {"format": 1, "dcs_version": __version__, "created": iso(now_ns()), "database": kind,
                "files": files}
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def _sqlite_backup(source_path, target_path, progress):
    if not Path(source_path).exists():
        raise DcsError(404, f"There is no database at {source_path} to back up.")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    target = sqlite3.connect(target_path)
    try:
        def step(status, remaining, total):
            if progress:
                progress(total - remaining, total)

        source.backup(target, pages=256, progress=step)
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()
        source.close()


def _run(command, name):
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    except FileNotFoundError:
        raise DcsError(500, f"{name} is not installed; it is needed for PostgreSQL backups.") from None
    if result.returncode != 0:
        raise DcsError(500, f"{name} failed: {result.stderr.strip()[:500]}")


def read_manifest(source):
    source = Path(source)
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except FileNotFoundError:
        raise DcsError(404, f"{source} holds no {MANIFEST}: it is not a DCS backup.") from None
    except ValueError:
        raise DcsError(400, f"The {MANIFEST} in {source} is not valid JSON.") from None
    if manifest.get("format") != 1 or not isinstance(manifest.get("files"), dict):
        raise DcsError(400, f"The {MANIFEST} in {source} is not of a format this version reads.")
    for name, digest in manifest["files"].items():
        path = (source / name).resolve()
        if source.resolve() not in path.parents:
            raise DcsError(400, f"The manifest names a file outside the backup: {name!r}.")
        if not path.is_file():
            raise DcsError(400, f"The backup is incomplete: {name} is missing.")
        if _sha256(path) != digest:
            raise DcsError(400, f"The backup is damaged: {name} does not match its checksum.")
    return manifest


def restore(settings, source, force=False):
    """Put a backup in place of the current database and calibration directory (server stopped).

    Everything is checked first (checksums, database kind, what would be replaced), so a refused
    restore changes nothing.
    """
    source = Path(source)
    manifest = read_manifest(source)
    sqlite_backup = manifest["database"] == "sqlite"
    if sqlite_backup != bool(settings.sqlite_path):
        held = "a SQLite database" if sqlite_backup else "a PostgreSQL dump"
        raise DcsError(400, f"This backup holds {held}, but DCS_DATABASE_URL names another kind of database.")
    target = Path(settings.sqlite_path) if sqlite_backup else None
    calib = Path(settings.calib_dir)
    restore_calib = (source / CALIB).is_dir()
    if not force:
        if target is not None and target.exists():
            raise DcsError(409, f"A database exists at {target}; pass --force to replace it.")
        if restore_calib and calib.exists() and any(calib.iterdir()):
            raise DcsError(409, f"The calibration directory {calib} is not empty; pass --force to replace it.")
    if sqlite_backup:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = target.with_name(target.name + ".restoring")
        shutil.copyfile(source / SQLITE_FILE, staging)
        for suffix in ("-wal", "-shm"):
            Path(str(target) + suffix).unlink(missing_ok=True)
        os.replace(staging, target)
    else:
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", f"--dbname={settings.database_url}",
              str(source / PG_FILE)], "pg_restore")
    if restore_calib:
        if calib.exists() and any(calib.iterdir()):
            shutil.move(str(calib), str(calib.with_name(f"{calib.name}.before-restore-{now_ns() // 10**9}")))
        shutil.copytree(source / CALIB, calib, dirs_exist_ok=True)
    return manifest
