"""The ACNET XML-RPC data source as the channel sees it: a client with a time limit that parses answers safely,
and the check that turns a reading on the wire into a payload block's device data.

A reading is a struct {name, kind: "F"|"I", seconds, millis, values: [...]}, time-stamped by the source."""

import http.client
import xmlrpc.client

from .. import safexml
from .blocks import BlockError, DeviceData

MAX_ANSWER = 16 * 1024**2


class SourceError(Exception):
    """The source could not be reached or answered something unusable; the message says which."""


class _Transport(xmlrpc.client.Transport):
    accept_gzip_encoding = False  # plain answers only: no decompression bomb, and the size limit is the size

    def __init__(self, timeout):
        super().__init__()
        self.timeout = timeout

    def make_connection(self, host):
        connection = super().make_connection(host)
        connection.timeout = self.timeout
        return connection

    def parse_response(self, response):
        parts, size = [], 0
        while chunk := response.read(64 * 1024):  # a read may return less than asked for
            parts.append(chunk)
            size += len(chunk)
            if size > MAX_ANSWER:
                raise SourceError(f"the source's answer is larger than {MAX_ANSWER} bytes")
        raw = b"".join(parts)
        try:
            params, _ = safexml.loads(raw)
        except safexml.UnsafeXml as error:
            raise SourceError(f"the source answered badly: {error}") from None
        return params


class Client:
    def __init__(self, url, timeout_s):
        self.url = url
        self.proxy = xmlrpc.client.ServerProxy(url, transport=_Transport(timeout_s), allow_none=False)

    def call(self, method, *args):
        try:
            return getattr(self.proxy, method)(*args)
        except xmlrpc.client.Fault as fault:
            raise SourceError(f"{method} was refused: {fault.faultString} ({fault.faultCode})") from None
        except xmlrpc.client.ProtocolError as error:
            raise SourceError(f"{method}: HTTP {error.errcode} {error.errmsg}") from None
        except (OSError, http.client.HTTPException) as error:
            raise SourceError(f"cannot reach the source at {self.url}: {error}") from None

    def status(self):
        answer = self.call("acnet.status")
        if not isinstance(answer, dict) or not isinstance(answer.get("boot"), str) \
                or not isinstance(answer.get("registrations"), list):
            raise SourceError("acnet.status did not answer {boot, registrations, ...}")
        return answer

    def register(self, trigger, names, url, method, secret):
        answer = self.call("acnet.register", trigger, list(names), url, method, secret)
        if not isinstance(answer, dict) or not isinstance(answer.get("id"), str) \
                or not isinstance(answer.get("boot"), str):
            raise SourceError("acnet.register did not answer {id, boot}")
        return answer

    def unregister(self, registration):
        return self.call("acnet.unregister", registration)

    def read(self, names):
        return self.call("acnet.read", list(names))


def device_data(readings, expected):
    """DeviceData for each reading (in the order of `expected`), or ValueError saying what is wrong: a device
    that was not asked for, one given twice, a bad time stamp or a value that does not fit its kind."""
    if not isinstance(readings, list):
        raise ValueError("the readings are not a list")
    found = {}
    for index, reading in enumerate(readings):
        if not isinstance(reading, dict) or set(reading) != {"name", "kind", "seconds", "millis", "values"}:
            raise ValueError(f"reading {index + 1} is not a struct {{name, kind, seconds, millis, values}}")
        name = reading["name"]
        if name not in expected:
            raise ValueError(f"reading {index + 1} is of {str(name)[:20]!r}, a device that was not asked for")
        if name in found:
            raise ValueError(f"{name} is given twice")
        values, seconds, millis = reading["values"], reading["seconds"], reading["millis"]
        if not isinstance(values, list) or not all(isinstance(x, int) for x in (seconds, millis)):
            raise ValueError(f"{name}: values must be a list and the time stamp whole numbers")
        try:
            found[name] = DeviceData(name, seconds, millis, tuple(values), reading["kind"])
        except BlockError as error:
            raise ValueError(str(error)) from None
    return tuple(found[name] for name in expected if name in found)
