"""One module per resource, each with `register(api)`; this list is the whole route table."""

from . import audit, auth, calib, devices, groups, meta, tokens, users

MODULES = (meta, auth, users, groups, tokens, audit, devices, calib)


def register_all(api):
    for module in MODULES:
        module.register(api)
