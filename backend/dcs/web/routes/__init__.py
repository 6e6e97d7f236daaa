"""One module per resource, each with `register(api)`; this list is the whole route table."""

from . import (alerts, audit, auth, calib, calib_sets, calib_versions, commands, config_sets, configs, devices, groups,
               jobs, meta, monitoring, runs, tokens, topology, users, xmlrpc)

# Order matters where paths overlap: /calib/sets/... and /calib/versions/... before /calib/<detname>/<ctype>.
MODULES = (meta, auth, users, groups, tokens, audit, devices, topology, configs, config_sets, monitoring, xmlrpc, alerts,
           commands, runs, jobs, calib_sets, calib_versions, calib)


def register_all(api):
    for module in MODULES:
        module.register(api)
