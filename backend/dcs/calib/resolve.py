"""Which constants apply, exactly as DESIGN.md says, answered from the index.

For detector D, type C, time t:
1. ranges of C covering t (tsbegin <= t and (open or t < tsend));
2. among them the latest begin wins, at equal begin the narrowest;
3. in that range the asked version (name, production time or versind), else the default, else the newest;
4. as_of=T: versions produced after T (and so ranges with none by T) do not exist;
5. a named set's pin for (D, C, a range covering t) wins over 1-3;
6. a sandbox falls back to its experiment work-space, then to the repository;
7. deprecated versions are invisible from the moment they were deprecated.

This is the hot path of every analysis job, so it is hand-written SQL (the same text for SQLite and
PostgreSQL): with the index on (file, ctype, begin) a lookup reads a few rows whatever the number of
ranges, and builds model objects from the rows without further queries.
"""

from ..db import database
from .models import CalibFile, CalibRange, CalibVersion

FAR_FUTURE = 2**63 - 1  # beyond every time stamp the store accepts
VISIBLE = "v.tsprod_ns <= {p} AND (v.deprecated_ns IS NULL OR v.deprecated_ns > {p})"
HAS_VISIBLE = f"EXISTS (SELECT 1 FROM calib_versions v WHERE v.range_id = r.id AND {VISIBLE})"
COVERS = "r.begin_ns <= {p} AND (r.end_ns IS NULL OR r.end_ns > {p})"

FILE_COLUMNS = "f.id, f.workspace, f.detname, f.dettype, f.path, f.created_ns"
RANGE_COLUMNS = "r.id, r.file_id, r.ctype, r.name, r.begin_ns, r.end_ns"
VERSION_COLUMNS = ("v.id, v.range_id, v.versind, v.name, v.tsprod_ns, v.created_ns, v.dtype, v.shape, v.nbytes, "
                   "v.data_offset, v.sha256, v.deprecated_ns, v.author, v.comment")

# The range of one work-space's file: latest begin among the covering ranges that have a visible
# version, then the narrowest at that begin (an open end is the widest).
RANGE_SQL = f"""
WITH best AS MATERIALIZED (
  SELECT f.id AS file_id, (
    SELECT r.begin_ns FROM calib_ranges r
    WHERE r.file_id = f.id AND r.ctype = {{p}} AND {COVERS} AND {HAS_VISIBLE}
    ORDER BY r.begin_ns DESC LIMIT 1) AS begin_ns
  FROM calib_files f WHERE f.detname = {{p}} AND f.workspace = {{p}})
SELECT {FILE_COLUMNS}, {RANGE_COLUMNS}
FROM best JOIN calib_ranges r ON r.file_id = best.file_id AND r.begin_ns = best.begin_ns
  JOIN calib_files f ON f.id = best.file_id
WHERE r.ctype = {{p}} AND (r.end_ns IS NULL OR r.end_ns > {{p}}) AND {HAS_VISIBLE}
ORDER BY CASE WHEN r.end_ns IS NULL THEN 1 ELSE 0 END, r.end_ns, r.id DESC
LIMIT 1"""

# In a range: the asked version, else the default as of then, else the newest.
VERSION_SQL = f"""
SELECT {VERSION_COLUMNS} FROM calib_versions v
WHERE v.range_id = {{p}} AND {VISIBLE} {{extra}}
ORDER BY CASE WHEN v.versind = (
    SELECT d.versind FROM calib_defaults d WHERE d.range_id = v.range_id AND d.set_ns <= {{p}}
    ORDER BY d.set_ns DESC, d.id DESC LIMIT 1) THEN 0 ELSE 1 END,
  v.tsprod_ns DESC, v.versind DESC
LIMIT 1"""

PINNED_SQL = f"""
SELECT {FILE_COLUMNS}, {RANGE_COLUMNS}, {VERSION_COLUMNS}
FROM calib_set_pins p JOIN calib_sets s ON s.id = p.set_id
  JOIN calib_versions v ON v.id = p.version_id JOIN calib_ranges r ON r.id = v.range_id
  JOIN calib_files f ON f.id = r.file_id
WHERE s.name = {{p}} AND f.detname = {{p}} AND r.ctype = {{p}} AND {COVERS} AND {VISIBLE}
ORDER BY r.begin_ns DESC, CASE WHEN r.end_ns IS NULL THEN 1 ELSE 0 END, r.end_ns, r.id DESC
LIMIT 1"""


def _sql(text, **extra):
    return text.replace("{extra}", extra.get("extra", "")).replace("{p}", database.param)


def _objects(row):
    """A joined row (file, range[, version] columns) -> a CalibVersion or CalibRange with its parents set."""
    file = CalibFile(id=row[0], workspace=row[1], detname=row[2], dettype=row[3], path=row[4], created_ns=row[5])
    range_ = CalibRange(id=row[6], file=file, ctype=row[8], name=row[9], begin_ns=row[10], end_ns=row[11])
    if len(row) == 12:
        return range_
    return _version(row[12:], range_)


def _version(row, range_):
    return CalibVersion(id=row[0], range=range_, versind=row[2], name=row[3], tsprod_ns=row[4], created_ns=row[5],
                        dtype=row[6], shape=row[7], nbytes=row[8], data_offset=row[9], sha256=row[10],
                        deprecated_ns=row[11], author=row[12], comment=row[13])


def _range_in(workspace_name, detname, ctype, t_ns, as_of_ns):
    params = [ctype, t_ns, t_ns, as_of_ns, as_of_ns, detname, workspace_name, ctype, t_ns, as_of_ns, as_of_ns]
    row = database.execute_sql(_sql(RANGE_SQL), params).fetchone()
    return _objects(row) if row else None


def pick_version(range_, as_of_ns, version=None, versind=None):
    extra, params = "", [range_.id, as_of_ns, as_of_ns]
    if versind is not None:
        extra, params = f"AND v.versind = {database.param}", params + [versind]
    elif isinstance(version, int):
        extra, params = f"AND v.tsprod_ns = {database.param}", params + [version]
    elif version is not None:
        extra, params = f"AND v.name = {database.param}", params + [version]
    row = database.execute_sql(_sql(VERSION_SQL, extra=extra), params + [as_of_ns]).fetchone()
    return _version(row, range_) if row else None


def resolve(detname, ctype, t_ns, workspace, as_of_ns=None, version=None, versind=None, set_name=None):
    """The CalibVersion that applies (its range and file attached), or None."""
    as_of_ns = FAR_FUTURE if as_of_ns is None else as_of_ns
    if set_name is not None:
        row = database.execute_sql(_sql(PINNED_SQL), [set_name, detname, ctype, t_ns, t_ns, as_of_ns,
                                                      as_of_ns]).fetchone()
        if row:
            pinned = _objects(row)
            pinned.via_set = set_name
            return pinned
    for space in workspace.chain():
        range_ = _range_in(space.name, detname, ctype, t_ns, as_of_ns)
        if range_ is not None:
            return pick_version(range_, as_of_ns, version, versind)
    return None
