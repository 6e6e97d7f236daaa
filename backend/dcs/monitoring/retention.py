"""What is deleted, and when: raw readings and heartbeats after DCS_RETENTION_DAYS, per-minute rollups after
DCS_ROLLUP_RETENTION_DAYS (per-hour rollups stay for good), notifications already sent after the raw retention.
Alerts and their history are never deleted.

The engine deletes a bounded step each second, so a large purge never holds up alerting or ingest. Raw rows go
by ranges of ids (ids grow with arrival, so the rows before the first one to keep are old), minute rollups
parameter by parameter along their primary key: no step scans a whole table.
"""

from ..db import database, plain, writing
from ..timeutil import NS, now_ns

CHUNK = 5_000
EVERY_S = 600


def _first_kept(table, column, cutoff):
    """The lowest id to keep: rows below it arrived before the cutoff."""
    found = database.execute_sql(plain(f"SELECT MIN(id) FROM {table} WHERE {column} >= ?"), (cutoff,)).fetchone()[0]
    if found is None:
        found = database.execute_sql(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}").fetchone()[0]
    return found


def plan(retention_days, rollup_retention_days, now):
    """The deletes to make, each repeated until it removes fewer than CHUNK rows: [(sql, params)]."""
    cutoff = now - retention_days * 86400 * NS
    minutes_cutoff = now - rollup_retention_days * 86400 * NS
    steps = []
    for table, column in (("readings", "t_ns"), ("heartbeats", "received_ns")):
        below = _first_kept(table, column, cutoff)
        steps.append((f"DELETE FROM {table} WHERE id IN (SELECT id FROM {table} WHERE id < ? LIMIT {CHUNK})",
                      (below,)))
    steps.append((f"DELETE FROM notifications WHERE id IN (SELECT id FROM notifications WHERE state <> 'pending' "
                   f"AND created_ns < ? LIMIT {CHUNK})", (cutoff,)))
    for (parameter_id,) in database.execute_sql("SELECT id FROM parameters ORDER BY id").fetchall():
        steps.append(("DELETE FROM reading_rollups WHERE parameter_id = ? AND resolution_s = 60 AND bucket_ns < ?",
                      (parameter_id, minutes_cutoff)))
    return steps


class Retention:
    """The engine's purge: planned every ten minutes, done a bounded step per tick."""

    def __init__(self, settings):
        self.settings = settings
        self.steps = []
        self.due_ns = 0

    def step(self, now=None, budget=CHUNK):
        """Delete at most about `budget` rows; how many went."""
        now = now or now_ns()
        if not self.steps:
            if now < self.due_ns:
                return 0
            self.due_ns = now + EVERY_S * NS
            self.steps = plan(self.settings.retention_days, self.settings.rollup_retention_days, now)
        gone = 0
        while self.steps and gone < budget:
            sql, params = self.steps[0]
            with writing():
                count = database.execute_sql(plain(sql), params).rowcount
            gone += count
            if count < CHUNK:
                self.steps.pop(0)
        return gone


def purge(retention_days, rollup_retention_days=36500, now=None):
    """Everything the retention periods allow deleted at once (for the command line and tests); how many rows."""
    gone = 0
    for sql, params in plan(retention_days, rollup_retention_days, now or now_ns()):
        while True:
            with writing():
                count = database.execute_sql(plain(sql), params).rowcount
            gone += count
            if count < CHUNK:
                break
    return gone
