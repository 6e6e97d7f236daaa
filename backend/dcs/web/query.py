"""Reading query parameters: text, whole numbers and flags, with a clear 400 for anything else."""

from bottle import request

from ..errors import bad_request


def text(name):
    """The parameter as text (UTF-8), or None when absent or empty."""
    value = request.query.getunicode(name)
    return value if value not in (None, "") else None


def whole(name, default=None, digits=18):
    value = text(name)
    if value is None:
        return default
    if not value.isdigit() or len(value) > digits:
        raise bad_request(f"The query parameter {name} must be a whole number, not {value!r}.")
    return int(value)


def flag(name):
    return text(name) in ("1", "true", "yes")
