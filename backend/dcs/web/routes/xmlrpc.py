"""XML-RPC for legacy device controllers: heartbeats and readings, with a heartbeat-scope API token as the first
argument of every call (old XML-RPC libraries cannot set headers).

    dcs.heartbeat(token, device[, status[, payload[, seq]]])   -> the device's heartbeat state
    dcs.start(token, device[, status])                         -> state (the controller started)
    dcs.fail(token, device[, status[, exit_code]])             -> state (it knows it is broken)
    dcs.readings(token, [[device, parameter, time, value], ...]) -> how many readings were stored

Errors come back as XML-RPC faults whose code is the HTTP status and whose string is the sentence the JSON API
would give. The XML is parsed by expat with no document type allowed, so no entity can expand.
"""

import datetime
import xmlrpc.client

from bottle import response

from ... import safexml
from ...audit import Actor
from ...auth.permissions import permission
from ...auth.tokens import token_principal
from ...errors import DcsError, bad_request, forbidden
from ...monitoring import heartbeats, readings
from ..body import read_body
from ..fields import Dict, Int, Str
from ..plugins import client_ip

MAX_BODY = 4 * 1024**2
DEVICE, STATUS, PAYLOAD = Str(min_len=3, max_len=200), Str(max_len=200), Dict(max_bytes=8192)
SEQ, EXIT_CODE = Int(minimum=0, maximum=2**62), Int(minimum=-255, maximum=255)


def _checked(field, value, what):
    try:
        return field.check(value)
    except ValueError as error:
        raise bad_request(f"The {what} {error}.") from None


def _heartbeat(principal, actor, signal, device, status="", extra=None):
    item = {"device": _checked(DEVICE, device, "device"), "signal": signal,
            "status": _checked(STATUS, status, "status"), **(extra or {})}
    return heartbeats.receive(actor, principal, [item], source=actor.label + " (XML-RPC)")[0]["state"]


def heartbeat(principal, actor, device, status="", payload=None, seq=None):
    extra = {"payload": _checked(PAYLOAD, payload or {}, "payload")}
    if seq is not None:
        extra["seq"] = _checked(SEQ, seq, "sequence number")
    return _heartbeat(principal, actor, "beat", device, status, extra)


def start(principal, actor, device, status=""):
    return _heartbeat(principal, actor, "start", device, status)


def fail(principal, actor, device, status="", exit_code=1):
    return _heartbeat(principal, actor, "fail", device, status, {"exit_code": _checked(EXIT_CODE, exit_code,
                                                                                        "exit code")})


def _time(value):
    """XML-RPC's own dateTime.iso8601 has no zone: it is read as UTC, like ISO text without an offset."""
    return value.isoformat() if isinstance(value, datetime.datetime) else value


def store_readings(principal, actor, rows):
    if not isinstance(rows, list) or not all(isinstance(r, (list, tuple)) and len(r) == 4 for r in rows):
        raise bad_request("readings takes a list of [device, parameter, time, value] lists.")
    return readings.ingest(principal, [(d, p, _time(t), v) for d, p, t, v in rows])["stored"]


METHODS = {"dcs.heartbeat": heartbeat, "dcs.start": start, "dcs.fail": fail, "dcs.readings": store_readings}


def _fault(code, text):
    return xmlrpc.client.dumps(xmlrpc.client.Fault(code, text), methodresponse=True)


def _call(raw):
    try:
        params, method = safexml.loads(raw)
    except safexml.UnsafeXml as error:
        raise bad_request(str(error).replace("The message", "The request")) from None
    except xmlrpc.client.Fault:
        raise bad_request("The request is a fault, not an XML-RPC call.") from None
    if method not in METHODS:
        raise DcsError(404, f"There is no XML-RPC method {method!r}; the methods are {', '.join(sorted(METHODS))}.")
    if not params or not isinstance(params[0], str):
        raise DcsError(401, "Every call takes an API token (with the heartbeat scope) as its first argument.")
    principal = token_principal(params[0])
    if not permission("devices.report").allows(principal):
        raise forbidden("The token may not report for devices; it needs the heartbeat scope and a member's role.")
    try:
        return METHODS[method](principal, Actor.of(principal, client_ip()), *params[1:])
    except TypeError:
        raise bad_request(f"{method} was called with the wrong number of arguments.") from None


def register(api):
    @api.route("/xmlrpc", "POST", perm="xmlrpc", tag="monitoring")
    def xmlrpc_endpoint():
        """XML-RPC for legacy controllers: dcs.heartbeat, dcs.start, dcs.fail, dcs.readings (token first)."""
        raw = read_body(MAX_BODY, ("text/xml", "application/xml"), "an XML-RPC call")
        response.content_type = "text/xml; charset=utf-8"
        try:
            result = _call(raw)
        except DcsError as error:
            return _fault(error.status, error.message)
        return xmlrpc.client.dumps((result,), methodresponse=True, allow_none=True)
