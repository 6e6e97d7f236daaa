"""The one JSON error shape, for every /api error: raised DcsErrors, Bottle's own 404/405/413 and crashes.

`{"ok": false, "error": "<one readable sentence>", "status": N}`, plus extra keys such as `errors`.
A 500 logs the traceback and answers with a fixed sentence: no exception text reaches the client.
"""

import json
import logging

from bottle import HTTPError, HTTPResponse

from ..errors import DcsError

log = logging.getLogger("dcs.web")

SENTENCES = {
    400: "The request is not valid.",
    401: "You need to log in first.",
    403: "You are not allowed to do this.",
    404: "There is nothing at this address.",
    405: "This address does not take that method.",
    413: "The request body is too large.",
    415: "The request body must be JSON.",
    429: "Too many requests; slow down.",
    500: "Something went wrong on the server; the error was logged.",
}


def error_response(status, message=None, headers=None, **extra):
    body = {"ok": False, "error": message or SENTENCES.get(status, "The request failed."), "status": status}
    body.update(extra)
    response = HTTPResponse(json.dumps(body), status=status, headers=headers or {})
    response.content_type = "application/json"
    response.set_header("Cache-Control", "no-store")
    return response


def from_dcs_error(error):
    headers = {}
    if error.status == 429 and "retry_after" in error.extra:
        headers["Retry-After"] = str(error.extra["retry_after"])
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="dcs"'
    return error_response(error.status, error.message, headers=headers, **error.extra)


class ErrorPlugin:
    """Outermost plugin of the API: DcsError -> its JSON error; any other exception -> logged 500."""

    name = "errors"
    api = 2

    def apply(self, callback, route):
        def wrapper(*args, **kwargs):
            try:
                return callback(*args, **kwargs)
            except DcsError as error:
                return from_dcs_error(error)
            except HTTPResponse:
                raise
            except Exception:
                log.exception("unhandled error in %s %s", route.method, route.rule)
                return error_response(500)

        return wrapper


def install_error_handlers(app):
    """Bottle's own errors (no route, wrong method, body too large, crash outside a callback)."""

    def handler(error: HTTPError):
        if error.status_code >= 500:
            log.error("error %s outside a route: %s\n%s", error.status_code, error.exception, error.traceback or "")
            return error_response(error.status_code)
        headers = {}
        if error.status_code == 405 and error.headers.get("Allow"):
            headers["Allow"] = error.headers["Allow"]
        message = SENTENCES.get(error.status_code) if error.status_code in (404, 405, 413) else None
        return error_response(error.status_code, message, headers=headers)

    for status in (400, 401, 403, 404, 405, 408, 411, 413, 414, 415, 429, 500, 501, 502, 503):
        app.error_handler[status] = handler
