"""The one error type of the portal.

Domain code raises `DcsError(status, message, **extra)`; the web layer turns it into the JSON error
shape `{"ok": false, "error": message, "status": status, **extra}` and the CLI prints the message and
exits 1. The status is an HTTP status so both readings agree on what kind of failure it was.
"""


class DcsError(Exception):
    def __init__(self, status, message, **extra):
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra

    def to_dict(self):
        return {"ok": False, "error": self.message, "status": self.status, **self.extra}


def bad_request(message, **extra):
    return DcsError(400, message, **extra)


def not_found(message, **extra):
    return DcsError(404, message, **extra)


def conflict(message, **extra):
    return DcsError(409, message, **extra)


def forbidden(message, **extra):
    return DcsError(403, message, **extra)
