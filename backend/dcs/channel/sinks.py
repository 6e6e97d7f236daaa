"""Sinks: a thread per sink that takes records from the spool, in order, and delivers them.

A record leaves the spool only once the sink has it: for the acknowledged TCP protocol when the receiver sent
back its header for every payload block (written and fsynced over there), for a file sink when the append was
fsynced, for the plain TCP protocol (no acknowledgements) once sendall returned. Records the far side holds
already (header time <= its last one) are acknowledged without being sent or written again (the log says how
many), so neither a stop, a crash of either side nor a reconnect loses or duplicates a record.

The far side's word is taken only when its last record could have come from this channel: not after the last
record the spool ever took (or, when the spool was new as the sink started, not after what this sink sent). A far
side ahead of that is written by another writer, or a clock was wrong, and dropping records on its word could lose
them: the sink skips nothing, logs an error once, keeps the records in the spool and tries again as when it is
down.

A sink that cannot deliver says so in the log once, retries with a growing pause (0.2 s doubling to 5 s) while
the spool keeps the records, and says so again when it is back: once something was delivered (acknowledged, or
for the plain protocol handed over), or a connection with nothing to send stayed up for PROOF_IDLE_S. A receiver
that takes the connection and fails right after its hello keeps the pause growing and the log quiet.
"""

import collections
import errno
import io
import logging
import os
import select
import socket
import threading
import time
from datetime import UTC, datetime

from .blockfile import DailyFiles, newest_header
from .blocks import HEADER, BlockError, header_of, read_block

log = logging.getLogger(__name__)

FIRST_PAUSE, LONGEST_PAUSE = 0.2, 5.0
SLICE = 0.25  # how often a waiting sink looks at its stop flag
PROOF_IDLE_S = 5.0  # a connection with nothing to send that stays up this long counts as the sink being back
DRAIN_S = 2.0  # how long stop() lets a connected sink go on sending what waits


class ProtocolError(Exception):
    """The receiver said something the protocol does not allow: the connection is closed and made again."""


class FarSideAhead(ProtocolError):
    """The far side holds records after everything this channel wrote: another writer, or a wrong clock."""


class PeerClosed(ConnectionError):
    """The receiver closed the connection; idle when nothing was waiting for an acknowledgement."""

    def __init__(self, message, idle=False):
        super().__init__(message)
        self.idle = idle


class _Stopping(Exception):
    """stop() was called while the sink was waiting on the network."""


def iso_nanos(seconds, nanos):
    """A record header's time: 2026-09-21T14:13:20.000000001Z."""
    return f"{datetime.fromtimestamp(seconds, UTC):%Y-%m-%dT%H:%M:%S}.{nanos:09d}Z"


def iso_millis(seconds, millis):
    """A device's time stamp: 2026-09-21T14:13:20.001Z."""
    return f"{datetime.fromtimestamp(seconds, UTC):%Y-%m-%dT%H:%M:%S}.{millis:03d}Z"


def header_text(header):
    """A header's time and spill for a log line: 2026-09-21T14:13:20.000000001Z, spill 7."""
    seconds, nanos, spill = header
    return f"{iso_nanos(seconds, nanos)}, spill {spill}"


def _sentence(error):
    if isinstance(error, socket.timeout):
        return "timed out"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror[0].lower() + error.strerror[1:]
    return str(error) or type(error).__name__


class _Sink:
    """What every sink shares: its thread, its status, and saying once that it is down and once that it is back."""

    kind = "sink"

    def __init__(self, spool, target):
        self.spool, self.target = spool, target  # target: where the records go, for log lines and the status
        self.connected = False
        self.last_error = None
        self.records_sent = 0
        self.down_since = None
        self._stopping = threading.Event()
        self._thread = None
        self._proven = False  # this connection delivered something, or stayed up idle: the sink is back
        self._greeted_at = None  # when this connection was made (and greeted)
        self._ahead_said = False  # the error about a far side ahead of this channel was logged
        self._began_fresh = False  # the spool had never taken a record when the sink started
        self._sent_newest = None  # the header of the newest record this sink delivered
        self._skipped = 0  # records skipped on this connection and not yet told

    def start(self):
        if self._thread is not None and self._thread.is_alive():
            return self
        self._stopping.clear()
        self._began_fresh = self.spool.last_header() is None
        self._thread = threading.Thread(target=self._run_forever, name=f"dcs-{self.kind}-sink", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout=3.0, drain_s=DRAIN_S):
        """Stop the thread (it finishes or abandons the record in hand; the spool keeps what was not
        acknowledged) and wait up to timeout seconds for it. A connected sink with records waiting first goes on
        sending for up to drain_s seconds; a sink that is down stops at once."""
        thread, deadline = self._thread, time.monotonic() + drain_s
        while (thread is not None and thread.is_alive() and self.connected and not self.spool.closed
               and self.spool.pending()[0] and time.monotonic() < deadline):
            time.sleep(0.02)
        self._stopping.set()
        self._interrupt()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("the %s sink to %s did not stop within %s s", self.kind, self.target, timeout)

    def _interrupt(self):
        """Wake the thread from whatever it waits on."""

    def status(self):
        """What the channel reports about this sink."""
        records, size = self.spool.pending()
        return {"sink": self.kind, "target": self.target, "connected": self.connected, "pending_records": records,
                "pending_bytes": size, "records_sent": self.records_sent, "last_error": self.last_error,
                "down_since": self.down_since}

    def _greeted(self):
        """The far side is there (connected, its hello read): connected at once for a sink that was not down;
        one that was counts as back only once _prove() says so."""
        self._greeted_at = time.monotonic()
        if self.down_since is None:
            self.connected = True

    def _prove(self):
        """This connection delivered something (or stayed up idle): the sink is back, and the pause short."""
        if self._proven:
            return
        self._proven, self._ahead_said, self.connected = True, False, True
        if self.down_since is not None:
            log.warning("the %s sink to %s is back after %.0f s; %d records wait in the spool", self.kind,
                        self.target, time.time() - self.down_since, self.spool.pending()[0])
        self.down_since = None

    def _down(self, error, quiet=False):
        self.connected = False
        self.last_error = error
        if self.down_since is None:
            self.down_since = time.time()
            if not quiet:
                log.warning("the %s sink to %s is down (%s); records wait in the spool %s and it retries every few "
                            "seconds", self.kind, self.target, error, self.spool.directory)

    def _ours(self):
        """The header of the newest record this channel may have put on the far side: any the spool ever took,
        or, when the spool was new as the sink started, only those this sink delivered (None: none yet)."""
        return self._sent_newest if self._began_fresh else self.spool.last_header()

    def _delivered(self, header):
        if self._sent_newest is None or header[:2] > self._sent_newest[:2]:
            self._sent_newest = header

    def _check_far_side(self, held):
        """A FarSideAhead (the error logged once) when the far side's last record `held` is after every record
        this channel may have put there."""
        ours = self._ours()
        if held is not None and ours is not None and held[:2] > ours[:2]:
            self._ahead(held, f"after everything this channel wrote (up to {header_text(ours)})")

    def _may_skip(self, held, header):
        """Count a record the far side says it holds (header <= held) as skipped; a FarSideAhead instead when
        this channel has put nothing there that the far side could be holding."""
        if self._ours() is None:
            self._ahead(held, f"but this channel's spool began after them and its record {header_text(header)} "
                              "is not newer")
        self._skipped += 1

    def _ahead(self, held, why):
        message = (f"the {self.kind} sink to {self.target} holds records up to {header_text(held)}, {why}: another "
                   "writer uses it or a clock was wrong")
        if not self._ahead_said:
            self._ahead_said = True
            log.error("%s; nothing is skipped: the records stay in the spool %s and the sink tries again every few "
                      "seconds", message, self.spool.directory)
        raise FarSideAhead(message)

    def _say_skipped(self):
        """Log (once the skipping is over) how many records were skipped as held by the far side already."""
        if self._skipped:
            log.info("the %s sink to %s holds %d records of the spool already: skipped, not sent again", self.kind,
                     self.target, self._skipped)
            self._skipped = 0

    def _stopped(self):
        """Whether to stop: stop() was called or the spool was closed under the sink."""
        return self._stopping.is_set() or self.spool.closed

    def _run_forever(self):
        pause = FIRST_PAUSE
        while not self._stopped():
            self._proven, self._skipped = False, 0
            try:
                self._run()
            except _Stopping:
                break
            except (OSError, ProtocolError, BlockError) as error:
                if self._proven:  # it was delivering: the next failure starts over with a short pause
                    pause = FIRST_PAUSE
                if isinstance(error, PeerClosed) and error.idle:  # nothing was lost; no news
                    log.debug("the receiver %s closed an idle connection; connecting again", self.target)
                    self.connected = False
                else:
                    self._down(_sentence(error), quiet=isinstance(error, FarSideAhead))
            except Exception as error:  # a bug must not end the thread: the records would wait for ever
                self.connected = False
                log.exception("the %s sink to %s failed", self.kind, self.target)
                self._down(_sentence(error))
            if self._stopping.wait(pause):
                break
            pause = min(2 * pause, LONGEST_PAUSE)
        self.connected = False


class TcpSink(_Sink):
    """Records sent over TCP to a receiver: protocol "acknowledged" (hello, skip, acknowledgements) or "plain"
    (bytes only, for a receiver that answers nothing)."""

    kind = "tcp"

    def __init__(self, spool, host, port, protocol="acknowledged", timeout=10.0, window=32):
        if protocol not in ("acknowledged", "plain"):
            raise ValueError(f"the TCP sink protocol is 'acknowledged' or 'plain', not {protocol!r}")
        super().__init__(spool, f"{host}:{port}")
        self.host, self.port, self.protocol = host, int(port), protocol
        self.timeout, self.window = timeout, window
        self._socket = None

    def status(self):
        return dict(super().status(), protocol=self.protocol)

    def _interrupt(self):
        sock = self._socket
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _run(self):
        """Connect, greet, deliver until stopped; an exception when the connection fails or ends."""
        sock = self._connect()
        self._socket = sock
        try:
            hello = self._hello(sock) if self.protocol == "acknowledged" else None
            held = hello if hello and hello != (0, 0, 0) else None  # a hello of zeros: it holds nothing
            self._check_far_side(held)
            self._greeted()
            self._deliver(sock, held)
        finally:
            self._say_skipped()
            self._socket = None
            sock.close()

    def _connect(self):
        """A connected socket, trying every address of the host in turn, each for up to timeout seconds."""
        error = None
        for family, kind, proto, _, address in socket.getaddrinfo(self.host, self.port, type=socket.SOCK_STREAM):
            sock = socket.socket(family, kind, proto)
            try:
                sock.setblocking(False)
                code = sock.connect_ex(address)
                deadline = time.monotonic() + self.timeout
                while code in (errno.EINPROGRESS, errno.EALREADY, errno.EWOULDBLOCK):
                    if self._stopped():
                        raise _Stopping()
                    if time.monotonic() > deadline:
                        raise TimeoutError("timed out")
                    if select.select([], [sock], [], SLICE)[1]:
                        code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if code:
                    raise OSError(code, os.strerror(code))
                sock.setblocking(True)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                return sock
            except BaseException as failure:
                sock.close()
                if not isinstance(failure, OSError):
                    raise
                error = failure
        raise error or OSError(f"{self.host} has no address")

    def _receive(self, sock, wanted, deadline, silence, what):
        """Up to `wanted` bytes, at least one; ProtocolError(silence) at the deadline, PeerClosed on end of
        stream (while waiting for `what`)."""
        while True:
            if self._stopped():
                raise _Stopping()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ProtocolError(silence)
            sock.settimeout(min(SLICE, remaining))
            try:
                data = sock.recv(wanted)
            except TimeoutError:
                continue
            if not data:
                if self._stopping.is_set():
                    raise _Stopping()
                raise PeerClosed(f"the receiver closed the connection while the sink waited for {what}")
            return data

    def _hello(self, sock):
        deadline, data = time.monotonic() + self.timeout, b""
        while len(data) < 24:
            data += self._receive(sock, 24 - len(data), deadline,
                                  f"the receiver sent no hello within {self.timeout:g} s (is it a plain "
                                  'rotorooter? then set protocol = "plain")', "its hello")
        try:
            major, _, words = read_block(io.BytesIO(data).read)
            if major != HEADER:
                raise BlockError("it is not a header block")
            return header_of(words)
        except BlockError as error:
            raise ProtocolError(f"the receiver's hello is not a header block ({error})") from None

    def _send(self, sock, data):
        view, deadline = memoryview(data), time.monotonic() + self.timeout
        while view:
            if self._stopped():
                raise _Stopping()
            if time.monotonic() > deadline:
                raise ProtocolError(f"the receiver took no data for {self.timeout:g} s")
            sock.settimeout(SLICE)
            try:
                view = view[sock.send(view):]
            except TimeoutError:
                continue

    def _deliver(self, sock, held):
        """Send the spool's records in order, skipping those up to `held` (the hello's header; None: none), and
        retire each from the spool once acknowledged (for plain: once sent)."""
        after, in_flight, acks = None, collections.deque(), b""  # in flight: [record, acknowledgements due, sent]
        while not self._stopped():
            while len(in_flight) < self.window:
                record = self.spool.take(after)
                if record is None:
                    break
                after = record.position
                if held is not None and record.header[:2] <= held[:2]:  # the receiver has it already
                    self._may_skip(held, record.header)
                    in_flight.append([record, 0, False])
                else:
                    self._say_skipped()
                    self._send(sock, record.data)
                    self._delivered(record.header)  # sent: from now on the receiver may hold it
                    if self.protocol == "plain":
                        in_flight.append([record, 0, True])
                        self._prove()
                    else:
                        in_flight.append([record, record.payloads, True])
                self._retire(in_flight)
            if in_flight:
                acks += self._receive(sock, 4096, time.monotonic() + self.timeout,
                                      f"no acknowledgement came within {self.timeout:g} s", "an acknowledgement")
                while len(acks) >= 24 and in_flight:
                    ack, acks = acks[:24], acks[24:]
                    if ack != in_flight[0][0].data[:24]:
                        raise ProtocolError(f"the receiver acknowledged {_describe(ack)}, not the record sent "
                                            f"({_describe(in_flight[0][0].data[:24])})")
                    in_flight[0][1] -= 1
                    self._prove()
                    self._retire(in_flight)
                if acks and not in_flight:
                    raise ProtocolError("the receiver sent bytes that acknowledge nothing")
            else:
                self._say_skipped()
                if time.monotonic() - self._greeted_at >= PROOF_IDLE_S:
                    self._prove()
                if not self.spool.wait(SLICE):
                    self._check_idle(sock)

    def _retire(self, in_flight):
        while in_flight and in_flight[0][1] == 0:
            record, _, sent = in_flight.popleft()
            self.spool.acknowledge(record.position)
            self.records_sent += sent

    def _check_idle(self, sock):
        """While nothing is to be sent: notice a receiver that closed the connection (or talks out of turn)."""
        if not select.select([sock], [], [], 0)[0]:
            return
        try:
            data = sock.recv(4096)
        except OSError as error:
            raise PeerClosed(f"the connection broke while idle ({_sentence(error)})") from None
        if not data:
            raise PeerClosed("the receiver closed the idle connection", idle=True)
        if self.protocol == "acknowledged":
            raise ProtocolError("the receiver sent bytes that acknowledge nothing")


def _describe(header_bytes):
    """A header block's time and spill for a log line, or what the bytes are when they are not one."""
    try:
        major, _, words = read_block(io.BytesIO(header_bytes).read)
        if major == HEADER and len(words) == 6:
            return f"the header of {header_text(words[3:6])}"
    except BlockError:
        pass
    return f"24 bytes that are not a header block ({header_bytes[:12].hex()}...)"


class FileSink(_Sink):
    """Records appended to daily block files (beam-YYYYMMDD.blocks) in a directory, fsync by fsync."""

    kind = "file"

    def __init__(self, spool, directory):
        super().__init__(spool, str(directory))
        self.directory = directory
        self._files = None

    def _run(self):
        self._check_far_side(newest_header(self.directory))  # before opening: that may cut another writer's tail
        files = DailyFiles(self.directory)
        try:
            self._greeted()
            while not self._stopped():
                record = self.spool.take(timeout=SLICE)
                if record is None:
                    self._say_skipped()
                    self._prove()
                    continue
                held = files.last_header
                if held is None or record.header[:2] > held[:2]:
                    self._say_skipped()
                    files.append(record.data)
                    self._delivered(record.header)
                    self.records_sent += 1
                    self._prove()
                else:
                    self._may_skip(held, record.header)
                self.spool.acknowledge(record.position)
        finally:
            self._say_skipped()
            files.close()
