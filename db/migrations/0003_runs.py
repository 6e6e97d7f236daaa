"""Experiments and their runs (number, begin and end time, data type): what run numbers mean in time."""

STATEMENTS = [
    """CREATE TABLE experiments (
        id {pk},
        name VARCHAR(64) NOT NULL UNIQUE,
        instrument VARCHAR(32) NOT NULL DEFAULT '',
        created_ns BIGINT NOT NULL)""",
    """CREATE TABLE runs (
        id {pk},
        experiment_id BIGINT NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
        number INTEGER NOT NULL,
        begin_ns BIGINT NOT NULL,
        end_ns BIGINT,
        data_type VARCHAR(32) NOT NULL DEFAULT 'physics',
        UNIQUE (experiment_id, number))""",
    "CREATE INDEX runs_begin ON runs (experiment_id, begin_ns)",
]


def up(m):
    for statement in STATEMENTS:
        m.sql(statement)
