"""The calibration store's index: files, ranges, versions, default-version changes, named sets and pins."""

STATEMENTS = [
    """CREATE TABLE calib_files (
        id {pk},
        workspace VARCHAR(200) NOT NULL,
        detname VARCHAR(200) NOT NULL,
        dettype VARCHAR(32) NOT NULL,
        path VARCHAR(500) NOT NULL,
        created_ns BIGINT NOT NULL,
        UNIQUE (workspace, detname))""",
    """CREATE TABLE calib_ranges (
        id {pk},
        file_id BIGINT NOT NULL REFERENCES calib_files (id) ON DELETE CASCADE,
        ctype VARCHAR(64) NOT NULL,
        name VARCHAR(64) NOT NULL,
        begin_ns BIGINT NOT NULL,
        end_ns BIGINT,
        UNIQUE (file_id, ctype, name))""",
    "CREATE INDEX calib_ranges_lookup ON calib_ranges (file_id, ctype, begin_ns)",
    """CREATE TABLE calib_versions (
        id {pk},
        range_id BIGINT NOT NULL REFERENCES calib_ranges (id) ON DELETE CASCADE,
        versind INTEGER NOT NULL,
        name VARCHAR(64) NOT NULL,
        tsprod_ns BIGINT NOT NULL,
        created_ns BIGINT NOT NULL,
        dtype VARCHAR(32) NOT NULL,
        shape VARCHAR(200) NOT NULL,
        nbytes BIGINT NOT NULL,
        data_offset BIGINT,
        sha256 VARCHAR(64) NOT NULL,
        deprecated_ns BIGINT,
        author VARCHAR(200) NOT NULL DEFAULT '',
        comment TEXT NOT NULL DEFAULT '',
        UNIQUE (range_id, versind))""",
    "CREATE INDEX calib_versions_range ON calib_versions (range_id, tsprod_ns)",
    "CREATE INDEX calib_versions_sha ON calib_versions (sha256)",
    """CREATE TABLE calib_defaults (
        id {pk},
        range_id BIGINT NOT NULL REFERENCES calib_ranges (id) ON DELETE CASCADE,
        versind INTEGER NOT NULL,
        set_ns BIGINT NOT NULL)""",
    "CREATE INDEX calib_defaults_range ON calib_defaults (range_id, set_ns)",
    """CREATE TABLE calib_sets (
        id {pk},
        name VARCHAR(100) NOT NULL UNIQUE,
        description TEXT NOT NULL DEFAULT '',
        created_ns BIGINT NOT NULL)""",
    """CREATE TABLE calib_set_pins (
        id {pk},
        set_id BIGINT NOT NULL REFERENCES calib_sets (id) ON DELETE CASCADE,
        version_id BIGINT NOT NULL REFERENCES calib_versions (id),
        UNIQUE (set_id, version_id))""",
    "CREATE INDEX calib_set_pins_version ON calib_set_pins (version_id)",
]


def up(m):
    for statement in STATEMENTS:
        m.sql(statement)
