"""The channel's XML-RPC listener: where the ACNET source delivers its callbacks.

It is open to the network, so it trusts nothing:
- a connection from an address outside the configured source addresses is closed before a byte is read;
- at most `max_connections` connections at once and `max_connections_per_client` from one address (so a
  compromised host cannot take the source's); a request (or an idle kept-alive connection) that takes longer
  than `request_timeout_s` is cut, so a slow sender cannot hold a connection;
- at most `rate_per_s` requests per second per client address (bursts of `burst`), else 429;
- only POST to the listener's path, with a Content-Length of at most `max_body_bytes` (413 before reading);
- XML with a document type or entities is refused before it is parsed (safexml);
- only the configured method, with the shared secret (compared in constant time) when one is set.
Every refusal is counted by reason, and logged at most once per reason and client every 10 s with how many there
were, so a flood can neither fill the disk nor hide the real callbacks.
"""

import hmac
import http.server
import ipaddress
import logging
import socket
import socketserver
import threading
import time
import xmlrpc.client
from collections import Counter

from .. import safexml

log = logging.getLogger("dcs.channel")
LOG_EVERY_S = 10.0
SOCKET_TIMEOUT_S = 5.0


class Refusal(Exception):
    """A call the listener answers with an XML-RPC fault (code, sentence)."""

    def __init__(self, code, text):
        super().__init__(text)
        self.code, self.text = code, text


class RefusalLog:
    """Counts refusals by reason, and logs each (reason, client) at most once every `every_s` seconds with how many
    more there were, so a flood fills neither the disk nor the log. `line` is the log line's format, with
    {reason}, {client} and {text}."""

    def __init__(self, logger, line, every_s=LOG_EVERY_S):
        self.logger, self.line, self.every_s = logger, line, every_s
        self.counts, self.lock, self.last, self.quiet = Counter(), threading.Lock(), {}, Counter()

    def __call__(self, reason, client, text):
        now = time.monotonic()
        with self.lock:
            self.counts[reason] += 1
            key = (reason, client)
            if now - self.last.get(key, -self.every_s) < self.every_s:
                self.quiet[key] += 1
                return
            self.last[key] = now
            more = self.quiet.pop(key, 0)
            if len(self.last) > 10_000:  # forget quiet callers rather than grow without bound
                self.last = {k: t for k, t in self.last.items() if now - t < self.every_s}
                self.quiet = Counter({k: n for k, n in self.quiet.items() if k in self.last})
        self.logger.warning(self.line.format(reason=reason, client=client, text=text)
                            + (f" (and {more} more from it since the last line)" if more else ""))


class RateLimit:
    """A token bucket per client address."""

    def __init__(self, rate, burst):
        self.rate, self.burst, self.buckets, self.lock = rate, burst, {}, threading.Lock()

    def allow(self, client):
        now = time.monotonic()
        with self.lock:
            tokens, then = self.buckets.get(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - then) * self.rate)
            allowed = tokens >= 1
            self.buckets[client] = (tokens - 1 if allowed else tokens, now)
            if len(self.buckets) > 10_000:  # forget idle clients rather than grow without bound
                self.buckets = {k: v for k, v in self.buckets.items() if now - v[1] < 60}
            return allowed


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def verify_request(self, request, client_address):
        owner, client = self.owner, client_address[0]
        try:
            address = ipaddress.ip_address(client)
        except ValueError:
            address = None
        if address is None or not any(address in network for network in owner.addresses):
            owner.refused("address", client, "not a configured source address")
            return False
        limit, per_client = owner.settings.max_connections, owner.settings.max_connections_per_client
        with owner.lock:
            mine = sum(1 for who, _ in owner.open.values() if who == client)
            full = len(owner.open) >= limit or mine >= per_client
            if not full:
                owner.open[request] = (client, time.monotonic())
        if full:
            owner.refused("connections", client, f"{mine} connections of this client open (at most {per_client}), "
                                                 f"{len(owner.open)} in all (at most {limit})")
            return False
        return True

    def service_actions(self):
        """Between accepts: cut connections whose request (or idle keep-alive) has outlasted request_timeout_s,
        so a sender dripping a byte at a time cannot hold a connection however slowly it drips."""
        owner, now = self.owner, time.monotonic()
        with owner.lock:
            late = [(request, client) for request, (client, since) in owner.open.items()
                    if since is not None and now - since > owner.request_timeout_s]
            for request, client in late:
                owner.open[request] = (client, None)
        for request, client in late:
            owner.refused("slow", client, f"a request not complete within {owner.request_timeout_s:g} s")
            try:
                request.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def shutdown_request(self, request):
        with self.owner.lock:
            self.owner.open.pop(request, None)
        super().shutdown_request(request)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "dcs-channel"
    sys_version = ""

    def setup(self):
        self.timeout = self.server.owner.socket_timeout_s
        super().setup()

    def _clock(self, since):
        """Restart (a time) or hold (None: a callback being stored) this connection's request deadline."""
        owner = self.server.owner
        with owner.lock:
            if self.request in owner.open:
                owner.open[self.request] = (self.client_address[0], since)

    def handle_one_request(self):
        super().handle_one_request()
        self._clock(time.monotonic())  # the next request on a kept-alive connection has its own deadline

    def log_message(self, *args):  # refusals are logged by RefusalLog; accepted calls by the channel
        pass

    def _plain(self, status, text, close=True):
        body = (text + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def _refuse(self, status, reason, text):
        self.server.owner.refused(reason, self.client_address[0], text)
        self._plain(status, text)

    def _xml(self, payload):
        body = payload.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        owner = self.server.owner
        if not owner.rate.allow(self.client_address[0]):
            return self._refuse(429, "rate", "too many requests: slow down")
        if self.path != owner.path:
            return self._refuse(404, "path", f"nothing at {self.path[:100]!r}; callbacks go to {owner.path}")
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._refuse(411, "body", "send a Content-Length, not a chunked body")
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            return self._refuse(411, "body", "a Content-Length is required")
        if not 0 < length <= owner.settings.max_body_bytes:
            return self._refuse(413, "size", f"a body of {length} bytes; at most {owner.settings.max_body_bytes}")
        try:
            raw = self.rfile.read(length)
        except OSError:  # the socket timeout included
            raw = b""
        if len(raw) != length:
            owner.refused("body", self.client_address[0],
                          f"the body did not arrive in full within {owner.socket_timeout_s:g} s")
            self.close_connection = True
            return None
        try:
            params, method = safexml.loads(raw)
        except (safexml.UnsafeXml, xmlrpc.client.Fault) as error:
            return self._fault(400, "xml", str(error))
        if method != owner.settings.method:
            return self._fault(404, "method", f"there is no method {str(method)[:64]!r} here")
        if len(params) != 4:
            return self._fault(400, "arguments", f"{method} takes (secret, id, event, readings), "
                                                 f"not {len(params)} arguments")
        secret = params[0]
        if not isinstance(secret, str) or not hmac.compare_digest(secret.encode(), owner.secret.encode()):
            return self._fault(401, "secret", "the shared secret is wrong")
        self._clock(None)  # storing the record is not the sender's slowness
        try:
            result = owner.handle(*params[1:])
        except Refusal as refusal:
            return self._fault(refusal.code, "call", refusal.text)
        return self._xml(xmlrpc.client.dumps((result,), methodresponse=True))

    def _fault(self, code, reason, text):
        self.server.owner.refused(reason, self.client_address[0], text)
        return self._xml(xmlrpc.client.dumps(xmlrpc.client.Fault(code, text), methodresponse=True))

    def _not_allowed(self):
        self._refuse(405, "method", f"{self.command} is not allowed: callbacks are POSTed")

    do_GET = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _not_allowed


class Listener:
    """Serves the listener in a thread; handle(id, event, readings) gets each accepted callback and returns its
    answer, or raises Refusal."""

    def __init__(self, settings, addresses, secret, handle, socket_timeout_s=SOCKET_TIMEOUT_S):
        self.settings, self.addresses, self.secret, self.handle = settings, addresses, secret, handle
        self.socket_timeout_s, self.request_timeout_s = socket_timeout_s, settings.request_timeout_s
        self.path = settings.path
        self.lock, self.open = threading.Lock(), {}  # socket -> client address
        self.refused = RefusalLog(log, "listener refused {reason} from {client}: {text}")
        self.rate = RateLimit(settings.rate_per_s, settings.burst)
        self.server = _Server((settings.host, settings.port), _Handler)
        self.server.owner = self
        self.port = self.server.server_address[1]
        self.thread = None

    def start(self):
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.2},
                                       name="dcs-channel-listener", daemon=True)
        self.thread.start()
        return self

    def stop(self):
        if self.thread is not None:  # shutdown() waits for serve_forever, which must have started
            self.server.shutdown()
        self.server.server_close()
        with self.lock:
            for request in list(self.open):
                try:
                    request.shutdown(socket.SHUT_RDWR)  # wakes a handler blocked reading
                except OSError:
                    pass
        if self.thread is not None:
            self.thread.join(5)
