"""Users, groups, memberships, sessions, API tokens, login failures, the audit log, device types and devices."""

TABLES = [
    """CREATE TABLE meta (
        key VARCHAR(64) PRIMARY KEY,
        value TEXT NOT NULL)""",
    """CREATE TABLE users (
        id {pk},
        username VARCHAR(64) NOT NULL UNIQUE,
        display_name VARCHAR(200) NOT NULL DEFAULT '',
        email VARCHAR(254) NOT NULL DEFAULT '',
        password_hash VARCHAR(300) NOT NULL,
        is_admin BOOLEAN NOT NULL DEFAULT FALSE,
        disabled BOOLEAN NOT NULL DEFAULT FALSE,
        created_ns BIGINT NOT NULL,
        password_changed_ns BIGINT NOT NULL,
        last_login_ns BIGINT)""",
    """CREATE TABLE user_groups (
        id {pk},
        name VARCHAR(64) NOT NULL UNIQUE,
        description TEXT NOT NULL DEFAULT '',
        created_ns BIGINT NOT NULL)""",
    """CREATE TABLE memberships (
        id {pk},
        user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        group_id BIGINT NOT NULL REFERENCES user_groups (id) ON DELETE CASCADE,
        role VARCHAR(16) NOT NULL,
        UNIQUE (user_id, group_id))""",
    """CREATE TABLE sessions (
        id {pk},
        key_hash VARCHAR(64) NOT NULL UNIQUE,
        user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_ns BIGINT NOT NULL,
        last_seen_ns BIGINT NOT NULL,
        ip VARCHAR(64) NOT NULL DEFAULT '',
        user_agent VARCHAR(300) NOT NULL DEFAULT '')""",
    """CREATE TABLE api_tokens (
        id {pk},
        name VARCHAR(100) NOT NULL,
        user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        key_hash VARCHAR(64) NOT NULL UNIQUE,
        prefix VARCHAR(16) NOT NULL,
        scopes VARCHAR(200) NOT NULL,
        created_ns BIGINT NOT NULL,
        expires_ns BIGINT,
        last_used_ns BIGINT,
        revoked_ns BIGINT)""",
    """CREATE TABLE login_failures (
        id {pk},
        username VARCHAR(200) NOT NULL,
        ip VARCHAR(64) NOT NULL,
        at_ns BIGINT NOT NULL)""",
    """CREATE TABLE audit_log (
        id {pk},
        at_ns BIGINT NOT NULL,
        actor VARCHAR(200) NOT NULL,
        user_id BIGINT,
        action VARCHAR(64) NOT NULL,
        object_type VARCHAR(64) NOT NULL,
        object_id VARCHAR(200) NOT NULL DEFAULT '',
        summary TEXT NOT NULL DEFAULT '',
        before_json TEXT,
        after_json TEXT,
        ip VARCHAR(64) NOT NULL DEFAULT '')""",
    """CREATE TABLE device_types (
        id {pk},
        name VARCHAR(32) NOT NULL UNIQUE,
        description TEXT NOT NULL DEFAULT '')""",
    """CREATE TABLE devices (
        id {pk},
        name VARCHAR(200) NOT NULL UNIQUE,
        type_id BIGINT NOT NULL REFERENCES device_types (id),
        detid VARCHAR(160) NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        subsystem VARCHAR(64) NOT NULL DEFAULT '',
        created_ns BIGINT NOT NULL)""",
]

INDEXES = [
    "CREATE INDEX memberships_group ON memberships (group_id)",
    "CREATE INDEX sessions_user ON sessions (user_id)",
    "CREATE INDEX api_tokens_user ON api_tokens (user_id)",
    "CREATE INDEX login_failures_username ON login_failures (username, at_ns)",
    "CREATE INDEX login_failures_ip ON login_failures (ip, at_ns)",
    "CREATE INDEX audit_log_at ON audit_log (at_ns)",
    "CREATE INDEX audit_log_object ON audit_log (object_type, object_id)",
    "CREATE INDEX audit_log_actor ON audit_log (actor)",
    "CREATE INDEX audit_log_action ON audit_log (action)",
    "CREATE INDEX devices_type ON devices (type_id)",
]

# The audit log is append-only: the database itself refuses to change or remove an entry.
APPEND_ONLY = {
    "sqlite": [
        """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
           BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
        """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
           BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    ],
    "postgres": [
        """CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$""",
        """CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
           FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()""",
    ],
}


def up(m):
    for statement in TABLES + INDEXES + APPEND_ONLY[m.dialect]:
        m.sql(statement)
