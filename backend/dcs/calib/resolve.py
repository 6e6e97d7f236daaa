"""Which constants apply, exactly as DESIGN.md says, answered from the index.

For detector D, type C, time t:
1. ranges of C covering t (tsbegin <= t and (open or t < tsend));
2. among them the latest begin wins, at equal begin the narrowest;
3. in that range the asked version (tsvers or versind), else the default, else the newest;
4. as_of=T: versions produced after T (and so ranges with none before T) do not exist;
5. a named set's pin for (D, C, a range covering t) wins over 1-3;
6. a sandbox falls back to its experiment work-space, then to the repository;
7. deprecated versions are invisible from the moment they were deprecated.
"""

import peewee

from .models import CalibDefault, CalibFile, CalibRange, CalibSet, CalibSetPin, CalibVersion

FAR_FUTURE = 2**62


def visible(as_of_ns):
    """Versions that exist at as_of: produced by then and not yet deprecated then."""
    return (CalibVersion.tsprod_ns <= as_of_ns) & (
        CalibVersion.deprecated_ns.is_null() | (CalibVersion.deprecated_ns > as_of_ns))


def covering(query, t_ns):
    return query.where(CalibRange.begin_ns <= t_ns, CalibRange.end_ns.is_null() | (CalibRange.end_ns > t_ns))


def best_range_first(query):
    """Latest begin first; at equal begin the narrowest (an open range is the widest)."""
    width = peewee.Case(None, [(CalibRange.end_ns.is_null(), FAR_FUTURE)], CalibRange.end_ns - CalibRange.begin_ns)
    return query.order_by(CalibRange.begin_ns.desc(), width.asc(), CalibRange.id.desc())


def _range_for(file_id, ctype, t_ns, as_of_ns):
    has_version = (CalibVersion.select(CalibVersion.id)
                   .where(CalibVersion.range == CalibRange.id, visible(as_of_ns)).limit(1))
    query = CalibRange.select().where(CalibRange.file == file_id, CalibRange.ctype == ctype,
                                      peewee.fn.EXISTS(has_version))
    return best_range_first(covering(query, t_ns)).first()


def _version_in(range_, as_of_ns, version=None, versind=None):
    query = CalibVersion.select().where(CalibVersion.range == range_, visible(as_of_ns))
    if versind is not None:
        return query.where(CalibVersion.versind == versind).first()
    if version is not None:
        if isinstance(version, int):
            return query.where(CalibVersion.tsprod_ns == version).first()
        return query.where(CalibVersion.name == version).first()
    default = (CalibDefault.select().where(CalibDefault.range == range_, CalibDefault.set_ns <= as_of_ns)
               .order_by(CalibDefault.set_ns.desc(), CalibDefault.id.desc()).first())
    if default is not None and default.versind > 0:
        chosen = query.where(CalibVersion.versind == default.versind).first()
        if chosen is not None:
            return chosen
    return query.order_by(CalibVersion.tsprod_ns.desc(), CalibVersion.versind.desc()).first()


def _pinned(set_id, detname, ctype, t_ns, as_of_ns):
    query = (CalibVersion.select(CalibVersion, CalibRange).join(CalibRange).join(CalibFile)
             .switch(CalibVersion).join(CalibSetPin, on=(CalibSetPin.version == CalibVersion.id))
             .where(CalibSetPin.set == set_id, CalibFile.detname == detname, CalibRange.ctype == ctype,
                    visible(as_of_ns)))
    return best_range_first(covering(query, t_ns)).first()


def resolve(detname, ctype, t_ns, workspace, as_of_ns=None, version=None, versind=None, set_name=None):
    """The CalibVersion that applies, or None. workspace is a Workspace; the set, if named, must exist."""
    as_of_ns = FAR_FUTURE if as_of_ns is None else as_of_ns
    if set_name is not None:
        calib_set = CalibSet.get(CalibSet.name == set_name)
        pinned = _pinned(calib_set.id, detname, ctype, t_ns, as_of_ns)
        if pinned is not None:
            return pinned
    names = [w.name for w in workspace.chain()]
    files = {f.workspace: f.id for f in
             CalibFile.select().where(CalibFile.detname == detname, CalibFile.workspace.in_(names))}
    for name in names:
        if name not in files:
            continue
        range_ = _range_for(files[name], ctype, t_ns, as_of_ns)
        if range_ is not None:
            return _version_in(range_, as_of_ns, version, versind)
    return None
