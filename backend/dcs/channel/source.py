"""A simulated ACNET source: the beam line's devices over XML-RPC (path /RPC2), spills on a timer, and callbacks
to registered listeners, so the channel can be built and tested without Fermilab's network.

    acnet.devices()                                   -> [{name, kind, count, unit, description}, ...]
    acnet.read(names)                                 -> [{name, kind, seconds, millis, values}, ...]
    acnet.register(trigger, names, url, method, secret) -> {id, boot}
    acnet.unregister(id)                              -> True (False when unknown)
    acnet.status()                                    -> {boot, seconds, millis, spills, registrations}

A trigger is `E:SPILL` (each spill) or `timer:SECONDS`. At each trigger the source reads the registration's
devices and calls `method(secret, id, event, readings)` at its URL: one delivery at a time per registration, in
order, with a 2 s socket timeout, never retried; after 3 failed deliveries in a row the registration is dropped.
Everything it served (each delivered callback, each read answer) is kept in `Source.served` and, optionally,
appended to a JSON-lines file so a test in another process can compare value for value.

It is a test double, but it behaves: requests with a document type are refused (no entity ever expands),
requests and answers are bounded, and `stop()` ends every thread it started within a few seconds, however slow
or dead the listeners are.
"""

import collections
import http.client
import inspect
import json
import logging
import math
import random
import re
import secrets
import socket
import socketserver
import struct
import threading
import time
import urllib.parse
import xmlrpc.client
from dataclasses import asdict, dataclass
from xmlrpc.client import Fault
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer

from .. import safexml
from ..console import UsageError, add_command, wait_until_stopped
from ..errors import DcsError
from .blocks import NAME

log = logging.getLogger(__name__)

SPILL = "E:SPILL"
MAX_NAMES = 64
MAX_REGISTRATIONS = 16
MAX_PENDING = 100  # callbacks waiting per registration; beyond, the oldest is dropped (and counted)
MAX_FAILURES = 3  # failed deliveries in a row before a registration is dropped
DELIVERY_TIMEOUT = 2.0
MAX_REQUEST = 1024**2
MAX_ANSWER = 1024**2  # bytes read of a listener's answer
MAX_SERVED = 10_000  # entries kept in memory (the log file keeps them all)
TIMER = re.compile(r"timer:([0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
METHOD = re.compile(r"[A-Za-z_][A-Za-z0-9_.]{0,63}")
MAX_SECRET, MAX_URL = 256, 2048
MIN_PERIOD, MAX_PERIOD = 0.05, 3600.0


def float32(value):
    """value rounded to the nearest float32, as a Python float: what the DAE's hardware would hold."""
    return struct.unpack("<f", struct.pack("<f", value))[0]


@dataclass(frozen=True)
class Device:
    """An entry of the catalogue: what acnet.devices() says of a device."""

    name: str
    kind: str  # F: float32 values, I: int32 values
    count: int
    unit: str
    description: str


DEVICES = (
    Device(SPILL, "I", 1, "", "Spill event; reads the number of the latest spill (from 1 at each start)"),
    Device("E:TOR101", "F", 1, "ppp", "Toroid 101, upstream of the target: beam intensity in protons per pulse"),
    Device("E:TORTGT", "F", 1, "ppp", "Toroid at the target: beam intensity in protons per pulse"),
    Device("E:HP121", "F", 1, "mm", "Horizontal beam position at BPM 121"),
    Device("E:VP121", "F", 1, "mm", "Vertical beam position at BPM 121"),
    Device("E:HPTGT", "F", 1, "mm", "Horizontal beam position at the target"),
    Device("E:VPTGT", "F", 1, "mm", "Vertical beam position at the target"),
    Device("E:HRNCUR", "F", 1, "kA", "Horn current at the pulse"),
    Device("E:HADMDS", "F", 49, "pC", "Hadron monitor: charge of its 7x7 pixels in the spill, row by row"),
    Device("E:HADMPD", "F", 49, "pC", "Hadron monitor pedestals, read between spills, row by row"),
    Device("E:MM1CNT", "I", 81, "counts", "Muon monitor alcove 1: ADC counts of its 9x9 pixels, row by row"),
    Device("M:OUTTMP", "F", 1, "degF", "Outside air temperature"),
)
CATALOGUE = {device.name: device for device in DEVICES}


class Beam:
    """The simulated beam line: a new pulse at each spill (about 3e13 protons, now and then a weak one), and its
    devices read like a DAE reads them (the latest pulse's values, pedestals and temperature at the read)."""

    def __init__(self, rng):
        self.rng = rng
        self.spill = 0
        self.pedestals = [2.0 + rng.gauss(0, 0.3) for _ in range(49)]
        self.muon_pedestals = [200 + rng.gauss(0, 15) for _ in range(81)]
        self.pulse = self._pulse()  # the pulse before the source started

    def next_spill(self):
        self.spill += 1
        self.pulse = self._pulse()

    def _pulse(self):
        gauss = self.rng.gauss
        weak = self.rng.random() < 0.05
        intensity = 3.0e13 * (self.rng.uniform(0.02, 0.3) if weak else max(0.5, 1 + gauss(0, 0.02)))
        hp121, vp121 = _clamp(0.1 + gauss(0, 0.15), 3), _clamp(-0.05 + gauss(0, 0.15), 3)
        hptgt, vptgt = _clamp(1.1 * hp121 + gauss(0, 0.03), 3), _clamp(1.1 * vp121 + gauss(0, 0.03), 3)
        scale = intensity / 3.0e13
        return {
            "E:TOR101": [intensity * (1 + gauss(0, 0.003))],
            "E:TORTGT": [0.985 * intensity * (1 + gauss(0, 0.003))],
            "E:HP121": [hp121], "E:VP121": [vp121], "E:HPTGT": [hptgt], "E:VPTGT": [vptgt],
            "E:HRNCUR": [185.0 + gauss(0, 0.4)],
            "E:HADMDS": [pedestal + 150 * scale * spot + gauss(0, 0.05) for pedestal, spot in
                         zip(self.pedestals, _spot(7, 3 + 0.8 * hptgt, 3 + 0.8 * vptgt, 1.3), strict=True)],
            "E:MM1CNT": [min(65535, max(0, round(pedestal + 3000 * scale * spot + gauss(0, 8)))) for pedestal, spot
                         in zip(self.muon_pedestals, _spot(9, 4 + 0.3 * hptgt, 4 + 0.3 * vptgt, 2.8), strict=True)],
        }

    def values(self, name, when):
        """The values of a device (as sent: float32-exact floats or int32 ints) read at `when` (Unix time)."""
        if name == SPILL:
            return [self.spill]
        if name == "E:HADMPD":
            return [float32(pedestal + self.rng.gauss(0, 0.02)) for pedestal in self.pedestals]
        if name == "M:OUTTMP":  # a day's swing around 50 F, coldest before dawn
            return [float32(50 + 18 * math.sin(2 * math.pi * (when / 86400 - 0.375)) + self.rng.gauss(0, 0.05))]
        values = self.pulse[name]
        return list(values) if CATALOGUE[name].kind == "I" else [float32(value) for value in values]


def _clamp(value, limit):
    return max(-limit, min(limit, value))


def _spot(size, cx, cy, sigma):
    """A 2-D gaussian on a size x size grid of pixels, row by row, 1 at its centre (cx, cy in pixels)."""
    return [math.exp(-((col - cx) ** 2 + (row - cy) ** 2) / (2 * sigma**2)) for row in range(size)
            for col in range(size)]


def _stamp(when):
    """(seconds, millis) of a Unix time."""
    millis = int(when * 1000)
    return millis // 1000, millis % 1000


class Pending:
    """The callbacks waiting for one registration: first in, first out, at most `limit` (a dead listener must
    not grow memory: beyond the limit the oldest is dropped and counted)."""

    def __init__(self, limit=MAX_PENDING):
        self.items = collections.deque()
        self.limit = limit
        self.dropped = 0
        self.closed = False
        self.ready = threading.Condition()

    def put(self, item):
        with self.ready:
            if self.closed:
                return
            if len(self.items) >= self.limit:
                self.items.popleft()
                self.dropped += 1
            self.items.append(item)
            self.ready.notify()

    def get(self):
        """The next item, waiting for one; None once closed (what is still waiting is given up)."""
        with self.ready:
            while not self.items and not self.closed:
                self.ready.wait()
            return None if self.closed else self.items.popleft()

    def close(self):
        with self.ready:
            self.closed = True
            self.items.clear()
            self.ready.notify_all()


@dataclass(eq=False)
class Registration:
    """A listener's registration: what to read at which trigger, where to call, and how its deliveries go."""

    id: str
    trigger: str
    names: list
    url: str
    host: str
    port: int
    path: str
    method: str
    secret: str
    period: float = 0.0  # timer registrations: seconds between triggers
    due: float = 0.0  # timer registrations: the next trigger (time.monotonic)
    number: int = 0  # triggers so far
    failures: int = 0  # failed deliveries in a row
    pending: Pending = None
    thread: threading.Thread = None
    connection: http.client.HTTPConnection = None  # the delivery in flight, so stop() can cut it


def _names(value, method):
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value) \
            or not 1 <= len(value) <= MAX_NAMES:
        raise Fault(400, f"{method} takes a list of 1 to {MAX_NAMES} device names like ['E:TOR101', 'M:OUTTMP'].")
    for name in value:
        if not NAME.fullmatch(name):
            raise Fault(400, f"{name[:40]!r} is not an ACNET device name: a letter, ':', then up to six of "
                             "A-Z, 0-9 and _ (like M:OUTTMP).")
        if name not in CATALOGUE:
            raise Fault(404, f"unknown device {name!r}")
    return list(value)


def _period(trigger):
    """Seconds between triggers of a registration (0 for the spill event); a Fault(400) for a bad trigger."""
    if trigger == SPILL:
        return 0.0
    match = TIMER.fullmatch(trigger) if isinstance(trigger, str) else None
    if match is None or not MIN_PERIOD <= float(match.group(1)) <= MAX_PERIOD:
        shown = repr(trigger[:40]) if isinstance(trigger, str) else f"a {type(trigger).__name__}"
        raise Fault(400, f"The trigger is {SPILL!r} (each spill) or 'timer:SECONDS' with {MIN_PERIOD} to "
                         f"{MAX_PERIOD:g} seconds, not {shown}.")
    return float(match.group(1))


def _target(url):
    """(host, port, path) of a listener's URL; a Fault(400) unless it is http:// with a host and a port."""
    problem = "The listener's URL is a string like http://127.0.0.1:9000/RPC2 (http, a host and a port)."
    if not isinstance(url, str) or len(url) > MAX_URL:
        raise Fault(400, problem)
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        raise Fault(400, problem) from None
    if parts.scheme != "http" or not parts.hostname or port is None or parts.username or parts.password \
            or any(ord(c) < 33 for c in url):
        raise Fault(400, problem)
    path = (parts.path or "/RPC2") + (f"?{parts.query}" if parts.query else "")
    return parts.hostname, port, path


def _document_problem(raw):
    """Why a request is refused before the dispatcher parses it (a document type, which could define entities,
    or XML that is not a call), or None."""
    try:
        _, method = safexml.loads(raw)
    except safexml.UnsafeXml as error:
        return str(error)
    except Fault:
        method = None
    return None if isinstance(method, str) else "The request is not a well-formed XML-RPC call (no methodName)."


class _Handler(SimpleXMLRPCRequestHandler):
    rpc_paths = ("/RPC2", "/")
    timeout = 5  # seconds per socket operation; stop() also cuts open connections

    def do_POST(self):
        length = self.headers.get("content-length", "")
        if not length.isdigit() or int(length) > MAX_REQUEST:
            self.send_error(413, f"A request has a Content-Length of at most {MAX_REQUEST} bytes.")
            return
        super().do_POST()

    def decode_request_content(self, data):
        if self.headers.get("content-encoding", "identity").lower() != "identity":
            self.send_error(415, "The source takes requests without a content encoding.")
            return None
        return data

    def log_message(self, format, *args):
        log.debug("%s %s", self.address_string(), format % args)


class _Server(socketserver.ThreadingMixIn, SimpleXMLRPCServer):
    allow_reuse_address = True
    daemon_threads = True
    block_on_close = True  # server_close() joins the request threads

    def __init__(self, address):
        super().__init__(address, _Handler, logRequests=False, encoding="utf-8")
        self.open_requests = set()
        self.open_lock = threading.Lock()

    def _marshaled_dispatch(self, data, dispatch_method=None, path=None):
        problem = _document_problem(data)
        if problem:
            return xmlrpc.client.dumps(Fault(400, problem), methodresponse=True).encode()
        return super()._marshaled_dispatch(data, dispatch_method, path)

    def process_request(self, request, client_address):
        with self.open_lock:
            self.open_requests.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self.open_lock:
            self.open_requests.discard(request)
        super().shutdown_request(request)

    def cut_open_requests(self):
        with self.open_lock:
            for request in self.open_requests:
                _cut(request)


def _cut(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except (OSError, AttributeError):
        pass


class _Dispatch:
    """Hands XML-RPC calls to the source's methods, turning bad arity into Fault(400) with a sentence."""

    def __init__(self, methods):
        self.methods = methods

    def _dispatch(self, method, params):
        func = self.methods.get(method)
        if func is None:
            raise Fault(404, f"There is no method {method[:64]!r}; the methods are {', '.join(self.methods)}.")
        signature = inspect.signature(func)
        try:
            signature.bind(*params)
        except TypeError:
            wanted = list(signature.parameters)
            raise Fault(400, f"{method} takes {len(wanted)} argument{'s' * (len(wanted) != 1)}"
                             f"{' (' + ', '.join(wanted) + ')' if wanted else ''}, not {len(params)}.") from None
        try:
            return func(*params)
        except Fault:
            raise
        except Exception:
            log.exception("the simulated source failed on %s", method)
            raise Fault(500, f"The simulated source failed on {method}; its log says why.") from None


class Source:
    """The simulated ACNET source. `start()` serves in the background; `stop()` ends every thread it started."""

    def __init__(self, host="127.0.0.1", port=0, spill_period_s=1.87, seed=None, served_log=None):
        if not 0 < spill_period_s <= MAX_PERIOD:
            raise ValueError(f"the spill period is more than 0 and at most {MAX_PERIOD:g} seconds")
        self.host, self.port, self.spill_period = host, port, spill_period_s
        self.served_log = served_log
        self.boot = secrets.token_hex(8)
        self.rng = random.Random(seed)
        self.beam = Beam(self.rng)
        self.lock = threading.Lock()  # the beam, the registrations
        self.clock = threading.Condition(self.lock)  # wakes the clock thread (a new timer, stop)
        self.registrations = {}  # id -> Registration, in the order they came
        self.threads = []
        self.stopping = threading.Event()
        self.server = None
        self._served = collections.deque(maxlen=MAX_SERVED)
        self._served_lock = threading.Lock()
        self._log_file = None

    # -- life cycle ------------------------------------------------------------------------------------------

    def start(self):
        if self.server is not None:
            raise RuntimeError("the source is already started")
        self.server = _Server((self.host, self.port))
        self.port = self.server.server_address[1]
        if self.served_log:
            try:
                self._log_file = open(self.served_log, "a", encoding="utf-8")  # noqa: SIM115 - stop() closes it
            except OSError:
                self.server.server_close()
                self.server = None
                raise
        self.server.register_instance(_Dispatch({
            "acnet.devices": self._rpc_devices, "acnet.read": self._rpc_read, "acnet.register": self._rpc_register,
            "acnet.unregister": self._rpc_unregister, "acnet.status": self._rpc_status}))
        self._thread(self.server.serve_forever, "serve", 0.1)
        self._thread(self._run_clock, "clock")
        log.info("simulated ACNET source %s serving at %s", self.boot, self.url)
        return self

    def stop(self):
        """Stop serving, the spill timer and every delivery; join every thread. Safe to call twice."""
        if self.server is None or self.stopping.is_set():
            return
        self.stopping.set()
        with self.clock:
            self.clock.notify_all()
            registrations, self.registrations = list(self.registrations.values()), {}
        self.server.shutdown()
        self.server.cut_open_requests()
        self.server.server_close()
        for registration in registrations:
            self._close(registration)
        for thread in self.threads:
            thread.join()
        self.threads = []
        with self._served_lock:
            if self._log_file is not None:
                self._log_file.close()
                self._log_file = None
        log.info("simulated ACNET source %s stopped", self.boot)

    def __enter__(self):
        return self if self.server is not None else self.start()

    def __exit__(self, *_):
        self.stop()

    @property
    def url(self):
        return f"http://{self.host}:{self.port}/RPC2"

    @property
    def served(self):
        """What was served so far (the latest MAX_SERVED), oldest first: a copy, safe to read at any time."""
        with self._served_lock:
            return list(self._served)

    def _thread(self, target, name, *args):
        thread = threading.Thread(target=target, args=args, name=f"acnet-source-{self.boot[:6]}-{name}",
                                  daemon=True)
        self.threads = [t for t in self.threads if t.is_alive()] + [thread]
        thread.start()
        return thread

    def _record(self, how, registration, event, readings):
        entry = {"how": how, "registration": registration, "event": event, "readings": readings}
        with self._served_lock:
            self._served.append(entry)
            if self._log_file is not None:
                self._log_file.write(json.dumps(entry, separators=(",", ":")) + "\n")
                self._log_file.flush()

    # -- reading ---------------------------------------------------------------------------------------------

    def _read(self, names, when):
        """Readings of names at `when`, each with its own time stamp: a DAE reads its devices a few ms apart."""
        readings = []
        for name in names:
            seconds, millis = _stamp(when + self.rng.uniform(0, 0.004))
            readings.append({"name": name, "kind": CATALOGUE[name].kind, "seconds": seconds, "millis": millis,
                             "values": self.beam.values(name, when)})
        return readings

    # -- XML-RPC methods -------------------------------------------------------------------------------------

    def _rpc_devices(self):
        return [asdict(device) for device in DEVICES]

    def _rpc_read(self, names):
        names = _names(names, "acnet.read")
        with self.lock:
            readings = self._read(names, time.time())
        self._record("read", None, None, readings)
        return readings

    def _rpc_register(self, trigger, names, url, method, secret):
        period = _period(trigger)
        names = _names(names, "acnet.register")
        host, port, path = _target(url)
        if not isinstance(method, str) or not METHOD.fullmatch(method):
            raise Fault(400, "The callback method is a name like dcs.spill: a letter or _, then up to 63 letters, "
                             "digits, _ and dots.")
        if not isinstance(secret, str) or len(secret) > MAX_SECRET or not secret.isprintable():
            raise Fault(400, f"The secret is a string of at most {MAX_SECRET} printable characters ('' for none).")
        registration = Registration(secrets.token_hex(8), trigger, names, url, host, port, path, method, secret,
                                    period, time.monotonic() + period, pending=Pending())
        with self.clock:
            if self.stopping.is_set():
                raise Fault(503, "The source is stopping.")
            if len(self.registrations) >= MAX_REGISTRATIONS:
                raise Fault(429, f"The source holds at most {MAX_REGISTRATIONS} registrations; unregister one "
                                 "first.")
            self.registrations[registration.id] = registration
            registration.thread = self._thread(self._deliver_all, f"deliver-{registration.id[:6]}", registration)
            self.clock.notify_all()
        log.info("registration %s: %s of %s to %s %s", registration.id, trigger, ", ".join(names), url, method)
        return {"id": registration.id, "boot": self.boot}

    def _rpc_unregister(self, id):
        if not isinstance(id, str):
            raise Fault(400, "acnet.unregister takes the id acnet.register gave (a string).")
        with self.lock:
            registration = self.registrations.pop(id, None)
        if registration is None:
            return False
        self._close(registration)
        return True

    def _rpc_status(self):
        seconds, millis = _stamp(time.time())
        with self.lock:
            return {"boot": self.boot, "seconds": seconds, "millis": millis, "spills": self.beam.spill,
                    "registrations": list(self.registrations)}

    # -- triggers --------------------------------------------------------------------------------------------

    def _run_clock(self):
        """Spills every spill period and the timer registrations' triggers, on a monotonic schedule that does
        not drift (a late trigger is not made up for: the next is one period after it)."""
        next_spill = time.monotonic() + self.spill_period
        with self.clock:
            while not self.stopping.is_set():
                now = time.monotonic()
                if now >= next_spill:
                    next_spill = _next(next_spill, self.spill_period, now)
                    self.beam.next_spill()
                    self._trigger([r for r in self.registrations.values() if r.trigger == SPILL])
                due = [r for r in self.registrations.values() if r.period and r.due <= now]
                for registration in due:
                    registration.due = _next(registration.due, registration.period, now)
                self._trigger(due)
                wake = min([next_spill] + [r.due for r in self.registrations.values() if r.period])
                self.clock.wait(max(0.0, wake - time.monotonic()))

    def _trigger(self, registrations):
        """Read each registration's devices now and queue its callback (called with the lock held)."""
        when = time.time()
        seconds, millis = _stamp(when)
        for registration in registrations:
            registration.number += 1
            event = {"seconds": seconds, "millis": millis, "trigger": registration.trigger,
                     "number": registration.number}
            registration.pending.put((event, self._read(registration.names, when)))

    # -- delivery --------------------------------------------------------------------------------------------

    def _deliver_all(self, registration):
        while (item := registration.pending.get()) is not None:
            event, readings = item
            try:
                self._deliver(registration, event, readings)
            except Exception as error:  # noqa: BLE001 - refused, timed out, HTTP error, fault, not XML-RPC: all fail
                if self.stopping.is_set() or registration.pending.closed:
                    return
                registration.failures += 1
                log.warning("registration %s: delivery %d to %s failed (%d in a row): %s", registration.id,
                            event["number"], registration.url, registration.failures, error)
                if registration.failures >= MAX_FAILURES:
                    self._drop(registration)
                continue
            registration.failures = 0
            self._record("callback", registration.id, event, readings)

    def _deliver(self, registration, event, readings):
        body = xmlrpc.client.dumps((registration.secret, registration.id, event, readings),
                                   methodname=registration.method, encoding="utf-8").encode("utf-8")
        connection = http.client.HTTPConnection(registration.host, registration.port, timeout=DELIVERY_TIMEOUT)
        registration.connection = connection
        try:
            if registration.pending.closed:
                raise ConnectionAbortedError("the registration is closed")
            connection.request("POST", registration.path, body, {"Content-Type": "text/xml; charset=utf-8",
                                                                 "User-Agent": "dcs-acnet-simulator"})
            response = connection.getresponse()
            answer = response.read(MAX_ANSWER + 1)
            if response.status != 200:
                raise ConnectionError(f"HTTP {response.status} {response.reason}")
            if len(answer) > MAX_ANSWER:
                raise ConnectionError(f"an answer of more than {MAX_ANSWER} bytes")
            problem = _answer_problem(answer)
            if problem:
                raise ConnectionError(problem)
        finally:
            registration.connection = None
            connection.close()

    def _drop(self, registration):
        with self.lock:
            self.registrations.pop(registration.id, None)
        registration.pending.close()
        log.warning("registration %s dropped after %d failed deliveries in a row (%d callbacks given up while "
                    "waiting)", registration.id, MAX_FAILURES, registration.pending.dropped)

    def _close(self, registration):
        """No more deliveries for the registration; cut the one in flight so its thread ends promptly."""
        registration.pending.close()
        connection = registration.connection
        if connection is not None:
            _cut(connection.sock)


def _next(due, period, now):
    due += period
    return due if due > now else now + period


def _answer_problem(raw):
    """Why a listener's answer does not count as served (a fault, a document type, not XML-RPC), or None."""
    try:
        safexml.loads(raw)
    except Fault as error:
        return f"fault {error.faultCode}: {error.faultString}"
    except safexml.UnsafeXml as error:
        return str(error)
    return None


# -- dcs channel simulate ------------------------------------------------------------------------------------


def cmd_simulate(settings, args):
    if not 0 < args.spill_period <= MAX_PERIOD:
        raise UsageError(f"--spill-period is more than 0 and at most {MAX_PERIOD:g} seconds.")
    if not 0 <= args.port <= 65535:
        raise UsageError("--port is 0 to 65535 (0 picks a free port).")
    try:
        source = Source(args.host, args.port, args.spill_period, args.seed, args.served_log).start()
    except OSError as error:
        where = args.served_log if error.filename else f"{args.host}:{args.port}"
        raise DcsError(500, f"Cannot start the simulated source ({where}): {error.strerror or error}.") from None
    print(f"simulated ACNET source at {source.url} (boot {source.boot}, a spill every {args.spill_period:g} s); "
          f"devices {', '.join(device.name for device in DEVICES)}", flush=True)
    try:
        wait_until_stopped()
    finally:
        source.stop()
    return 0


def add_simulate_command(actions):
    parser = add_command(actions, "simulate", cmd_simulate,
                         "Serve a simulated ACNET source (XML-RPC at /RPC2): beam devices, spills on a timer and "
                         "callbacks to registered listeners. Runs until Ctrl+C or SIGTERM.")
    parser.add_argument("--host", default="127.0.0.1", help="the address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8091, help="the port to listen on (8091; 0 picks a free one)")
    parser.add_argument("--spill-period", type=float, default=1.87, metavar="SECONDS",
                        help="seconds between spills (1.87)")
    parser.add_argument("--seed", type=int, help="seed of the simulated values, for repeatable runs")
    parser.add_argument("--served-log", metavar="FILE",
                        help="append what is served (callbacks delivered, reads answered) to FILE as JSON lines")
    return parser
