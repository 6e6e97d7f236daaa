"""Names people and files depend on: user and group names, detector names `<dettype>-<detid>`.

Every name is checked here before it reaches the database or a path on disk.
"""

import re

from .errors import bad_request

ACCOUNT = re.compile(r"[a-z][a-z0-9._-]{1,63}")
DETTYPE = re.compile(r"[a-z][a-z0-9]*")
DETID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
EXPERIMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
SET_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
MAX_DETNAME = 200


def account_name(value, what="user name"):
    """User and group names: 2-64 characters, lower-case letters, digits, '.', '_' or '-', a letter first."""
    if not isinstance(value, str) or not ACCOUNT.fullmatch(value):
        raise bad_request(
            f"The {what} {value!r} is not valid: use 2 to 64 lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter."
        )
    return value


def split_detname(name, field="detname"):
    """'cspad-0001' -> ('cspad', '0001'); anything else is refused with a sentence saying why, naming field."""

    def refuse(message):
        return bad_request(message, errors=[{"field": field, "error": message}])

    if not isinstance(name, str) or not name:
        raise refuse("A detector name is required, like cspad-0001.")
    if len(name) > MAX_DETNAME:
        raise refuse(f"The detector name is too long ({len(name)} characters; at most {MAX_DETNAME}).")
    dettype, dash, detid = name.partition("-")
    if not dash:
        raise refuse(f"The detector name {name!r} has no '-': it must read <dettype>-<detid>, like cspad-0001.")
    if not DETTYPE.fullmatch(dettype):
        raise refuse(f"The detector type {dettype!r} in {name!r} must be a lower-case letter followed by lower-case "
                     "letters or digits.")
    if not DETID.fullmatch(detid) or detid in (".", ".."):
        raise refuse(f"The detector id {detid!r} in {name!r} must start with a letter or digit and hold only "
                     "letters, digits, '.', '_' or '-'.")
    return dettype, detid


def set_name(value, what):
    """Names of sets and recipes: 1 to 100 letters, digits, '.', '_' or '-', a letter or digit first."""
    if not isinstance(value, str) or not SET_NAME.fullmatch(value):
        raise bad_request(f"The {what} name {value!r} is not valid: 1 to 100 letters, digits, '.', '_' or '-'.",
                          errors=[{"field": "name", "error": "Letters, digits, '.', '_' or '-'."}])
    return value
