"""The calibration workflow: dark-run tags, run e-logs and data files, background jobs, provenance,
approval of sets (the approval history is shared with configuration sets)."""

STATEMENTS = [
    """CREATE TABLE dark_tags (
        id {pk},
        run_id BIGINT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        action VARCHAR(8) NOT NULL,
        reason VARCHAR(32) NOT NULL DEFAULT '',
        reason_text VARCHAR(200) NOT NULL DEFAULT '',
        notes TEXT NOT NULL DEFAULT '',
        previous_type VARCHAR(32) NOT NULL DEFAULT 'physics',
        actor VARCHAR(200) NOT NULL,
        at_ns BIGINT NOT NULL)""",
    "CREATE INDEX dark_tags_run ON dark_tags (run_id, at_ns)",
    """CREATE TABLE run_notes (
        id {pk},
        run_id BIGINT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        author VARCHAR(200) NOT NULL,
        text TEXT NOT NULL,
        created_ns BIGINT NOT NULL)""",
    "CREATE INDEX run_notes_run ON run_notes (run_id, created_ns)",
    """CREATE TABLE run_files (
        id {pk},
        run_id BIGINT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        detname VARCHAR(200) NOT NULL,
        path VARCHAR(1000) NOT NULL,
        size BIGINT NOT NULL,
        registered_by VARCHAR(200) NOT NULL,
        registered_ns BIGINT NOT NULL,
        UNIQUE (run_id, detname))""",
    """CREATE TABLE dark_detectors (
        id {pk},
        experiment_id BIGINT NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
        detname VARCHAR(200) NOT NULL,
        UNIQUE (experiment_id, detname))""",
    """CREATE TABLE jobs (
        id {pk},
        kind VARCHAR(32) NOT NULL,
        state VARCHAR(16) NOT NULL,
        params TEXT NOT NULL,
        result TEXT NOT NULL DEFAULT '{}',
        message TEXT NOT NULL DEFAULT '',
        done BIGINT NOT NULL DEFAULT 0,
        total BIGINT NOT NULL DEFAULT 0,
        cancel_requested INTEGER NOT NULL DEFAULT 0,
        created_by VARCHAR(200) NOT NULL,
        user_id BIGINT,
        created_ns BIGINT NOT NULL,
        started_ns BIGINT,
        finished_ns BIGINT,
        worker VARCHAR(200) NOT NULL DEFAULT '')""",
    "CREATE INDEX jobs_state ON jobs (state, created_ns)",
    """CREATE TABLE calib_provenance (
        id {pk},
        version_id BIGINT NOT NULL UNIQUE REFERENCES calib_versions (id) ON DELETE CASCADE,
        job_id BIGINT REFERENCES jobs (id),
        inputs TEXT NOT NULL)""",
    """CREATE TABLE calib_parents (
        id {pk},
        version_id BIGINT NOT NULL REFERENCES calib_versions (id) ON DELETE CASCADE,
        parent_id BIGINT NOT NULL REFERENCES calib_versions (id),
        UNIQUE (version_id, parent_id))""",
    "ALTER TABLE calib_sets ADD COLUMN experiment_id BIGINT REFERENCES experiments (id)",
    "ALTER TABLE calib_sets ADD COLUMN state VARCHAR(16) NOT NULL DEFAULT 'draft'",
    "ALTER TABLE calib_sets ADD COLUMN created_by VARCHAR(200) NOT NULL DEFAULT ''",
    "ALTER TABLE calib_sets ADD COLUMN proposed_by VARCHAR(200)",
    "ALTER TABLE calib_sets ADD COLUMN proposed_ns BIGINT",
    "ALTER TABLE calib_sets ADD COLUMN decided_by VARCHAR(200)",
    "ALTER TABLE calib_sets ADD COLUMN decided_ns BIGINT",
    "ALTER TABLE calib_sets ADD COLUMN decision_comment TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE calib_sets ADD COLUMN revised_from VARCHAR(100)",
    "CREATE INDEX calib_sets_experiment ON calib_sets (experiment_id, state, decided_ns)",
    """CREATE TABLE approval_events (
        id {pk},
        kind VARCHAR(32) NOT NULL,
        subject VARCHAR(200) NOT NULL,
        from_state VARCHAR(16) NOT NULL,
        to_state VARCHAR(16) NOT NULL,
        actor VARCHAR(200) NOT NULL,
        comment TEXT NOT NULL DEFAULT '',
        at_ns BIGINT NOT NULL)""",
    "CREATE INDEX approval_events_subject ON approval_events (kind, subject, at_ns)",
]


def up(m):
    for statement in STATEMENTS:
        m.sql(statement)
