"""Time-dependent aliases of detector names (alias, detname, begin, end), e.g. Camp.0:pnCCD.1 -> pnccd-12345678."""


def up(m):
    m.sql("""CREATE TABLE detector_aliases (
        id {pk},
        alias VARCHAR(200) NOT NULL,
        detname VARCHAR(200) NOT NULL,
        begin_ns BIGINT NOT NULL,
        end_ns BIGINT)""")
    m.sql("CREATE INDEX detector_aliases_lookup ON detector_aliases (alias, begin_ns)")
