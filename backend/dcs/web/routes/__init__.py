"""One module per resource, each with `register(api)`; this list is the whole route table."""

from . import (audit, auth, calib, calib_sets, calib_versions, config_sets, configs, devices, groups, jobs, meta, runs,
               tokens, topology, users)

# Order matters where paths overlap: /calib/sets/... and /calib/versions/... before /calib/<detname>/<ctype>.
MODULES = (meta, auth, users, groups, tokens, audit, devices, topology, configs, config_sets, runs, jobs, calib_sets,
           calib_versions, calib)


def register_all(api):
    for module in MODULES:
        module.register(api)
