"""A fresh portal for a benchmark: settings on a temporary directory and a migrated SQLite database."""

from pathlib import Path

from dcs.config import Settings
from dcs.db import connect, migrate


def fresh_portal(tmp):
    settings = Settings(database_url=f"sqlite:///{tmp}/bench.sqlite", calib_dir=str(Path(tmp) / "calib"),
                        secret_key="bench-" + "k" * 40)
    db = connect(settings.database_url)
    db.connect(reuse_if_open=True)
    migrate(db)
    return settings, db
