"""Command runs (who ran which command of which module on which device, with what, and how it went) and the
device locks that keep two conflicting commands off one device."""

STATEMENTS = [
    """CREATE TABLE command_runs (
        id {pk},
        batch VARCHAR(32) NOT NULL,
        module VARCHAR(40) NOT NULL,
        command VARCHAR(40) NOT NULL,
        device_id BIGINT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
        arguments TEXT NOT NULL DEFAULT '{}',
        actor VARCHAR(200) NOT NULL,
        state VARCHAR(10) NOT NULL,
        exit_code INTEGER,
        output TEXT NOT NULL DEFAULT '',
        errors TEXT NOT NULL DEFAULT '',
        message TEXT NOT NULL DEFAULT '',
        result TEXT NOT NULL DEFAULT '{}',
        started_ns BIGINT NOT NULL,
        finished_ns BIGINT,
        cancel_requested INTEGER NOT NULL DEFAULT 0,
        worker VARCHAR(200) NOT NULL DEFAULT '')""",
    "CREATE INDEX command_runs_device ON command_runs (device_id, started_ns)",
    "CREATE INDEX command_runs_batch ON command_runs (batch)",
    "CREATE INDEX command_runs_started ON command_runs (started_ns)",
    """CREATE TABLE device_locks (
        device_id BIGINT PRIMARY KEY REFERENCES devices (id) ON DELETE CASCADE,
        run_id BIGINT NOT NULL,
        since_ns BIGINT NOT NULL,
        until_ns BIGINT NOT NULL)""",
]


def up(m):
    for statement in STATEMENTS:
        m.sql(statement)
