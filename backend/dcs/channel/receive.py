"""The reference receiver of the TCP sink protocol, and the dump of raw block files (`dcs blocks receive|dump`).

The receiver takes connections only from the addresses it allows (loopback unless told otherwise), closing
others before reading or writing a byte, and serves one sender at a time: a new sender replaces the one before,
whose connection is ended (and its thread waited for) before the new one is greeted, so two senders' records
never interleave in the file.

It greets the sender with the header block of the last record its file holds (zeros when none), reads blocks as
they come, checking each block's size (at most RECEIVE_MAX_WORDS) and id from its first three words and that a
payload block follows a header block before reading the rest, then its checksum and, for a payload block, every
device in it, appends every payload block (with its header, for the first) to the file with an fsync, and only
then acknowledges it by sending back the record's header block. A record whose header time is not after the last
one held is a duplicate: acknowledged, not written again. A block that is not as the format says ends that
connection with a log line naming the byte offset; nothing of it is written. Senders that go quiet are bounded:
between records by idle_timeout, within a record by record_timeout.
"""

import ipaddress
import json
import logging
import math
import socket
import struct
import sys
import threading
import time

from ..console import UsageError, add_command, wait_until_stopped
from .blockfile import BlockFile
from .configfile import host_port, networks
from .listener import RefusalLog
from .sinks import header_text, iso_millis, iso_nanos
from .blocks import (HEADER, BlockError, Record, TornBlock, block_head, block_words, encode, header_of,
                     payload_devices, read_records)

log = logging.getLogger(__name__)

SLICE = 0.25  # how often a waiting thread looks at the stop flag
RECEIVE_MAX_WORDS = 1 << 20  # 4 MiB: the most a sender may make the receiver hold for one block
LOOPBACK = ("127.0.0.1/32", "::1/128")
REFUSAL_LOG_S = 10.0  # a refused address is logged at most once in this many seconds


class _Stopping(Exception):
    """The receiver is stopping, or this sender was replaced."""


class _Peer:
    """A sender's connection, read with deadlines: whole blocks or nothing."""

    def __init__(self, sock, ended):
        self.sock, self.ended, self.buffer = sock, ended, bytearray()

    def _fill(self, deadline):
        """Receive more bytes before the deadline; False at the end of the stream, TimeoutError at the deadline."""
        while True:
            if self.ended.is_set():
                raise _Stopping()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError()
            self.sock.settimeout(min(SLICE, remaining))
            try:
                data = self.sock.recv(65536)
            except TimeoutError:
                continue
            if not data and self.ended.is_set():
                raise _Stopping()
            self.buffer += data
            return bool(data)

    def wait(self, timeout):
        """Whether something (data or the end of the stream) comes within timeout seconds."""
        if self.buffer:
            return True
        try:
            self._fill(time.monotonic() + timeout)
        except TimeoutError:
            return False
        return True

    def read(self, count, deadline):
        """count bytes, fewer only at the end of the stream."""
        while len(self.buffer) < count and self._fill(deadline):
            pass
        data = bytes(self.buffer[:count])
        del self.buffer[:count]
        return data

    def send(self, data, deadline):
        """Whether all of data was sent before the deadline."""
        view = memoryview(data)
        while view:
            if self.ended.is_set():
                raise _Stopping()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self.sock.settimeout(min(SLICE, remaining))
            try:
                view = view[self.sock.send(view):]
            except TimeoutError:
                continue
        return True


class _Sender:
    """The one connection being served: its socket, its thread, who it is, and the flag that ends it."""

    def __init__(self, sock, peer, receiver):
        self.sock, self.peer, self.ended = sock, peer, threading.Event()
        self.thread = threading.Thread(target=receiver._serve, args=(self,), name=f"dcs-blocks-from-{peer}",
                                       daemon=True)

    def end(self):
        """Tell the thread to stop, and wake it from a read or send."""
        self.ended.set()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class _Reading:
    """One block read from a peer before a deadline, keeping its bytes as they came."""

    def __init__(self, peer, deadline):
        self.peer, self.deadline, self.raw = peer, deadline, bytearray()

    def read(self, count):
        data = self.peer.read(count, self.deadline)
        self.raw += data
        return data


class Receiver:
    """A TCP receiver writing the records of one sender at a time to one block file, exactly once, acknowledged;
    connections only from the networks in allow (loopback by default)."""

    def __init__(self, host, port, out_path, idle_timeout=60.0, record_timeout=10.0, allow=LOOPBACK):
        self.host, self.requested_port, self.out_path = host, int(port), out_path
        self.idle_timeout, self.record_timeout = idle_timeout, record_timeout
        self.allow = networks(allow)
        self.records_written = 0
        self.port = None
        self._file = None
        self._listener = None
        self._thread = None
        self._sender = None  # the _Sender being served
        self._lock = threading.Lock()  # the file, its last header and the sender
        self._stopping = threading.Event()
        self._refused = RefusalLog(log, "refused {reason} from {client}: {text}", every_s=REFUSAL_LOG_S)

    @property
    def last_header(self):
        return self._file.last_header if self._file else None

    def start(self):
        """Open (and repair) the file, listen, and accept senders in a thread; .port is the port listened on."""
        self._file = BlockFile(self.out_path)
        try:
            self._listener = socket.create_server((self.host, self.requested_port))
        except OSError:
            self._file.close()
            raise
        self.port = self._listener.getsockname()[1]
        self._stopping.clear()
        self._thread = threading.Thread(target=self._accept, name="dcs-blocks-receiver", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout=3.0):
        """Stop listening, end the connection (a record half received is not written) and close the file."""
        self._stopping.set()
        if self._listener is not None:
            self._listener.close()
        if self._thread is not None:
            self._thread.join(timeout)
        with self._lock:
            sender = self._sender
        if sender is not None:
            sender.end()
            sender.thread.join(timeout)
        with self._lock:
            if self._file is not None:
                self._file.close()

    def allowed(self, host):
        """Whether connections from an address (as accept() gives it) are taken."""
        try:
            address = ipaddress.ip_address(host.split("%", 1)[0])
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped  # a dual-stack socket: ::ffff:10.0.0.5 is 10.0.0.5
        return any(address in network for network in self.allow)

    def _accept(self):
        self._listener.settimeout(SLICE)
        while not self._stopping.is_set():
            try:
                sock, address = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # closed by stop()
            if not self.allowed(address[0]):
                sock.close()  # before reading or writing a byte
                self._refused("a connection", address[0], "not an allowed address (--allow)")
                continue
            self._take(_Sender(sock, f"{address[0]}:{address[1]}", self))

    def _take(self, sender):
        """Serve a new sender, once the one before it (if any) has ended: the newest sender wins."""
        with self._lock:
            old = self._sender
        if old is not None and old.thread.is_alive():
            log.warning("a new sender from %s replaces the one from %s", sender.peer, old.peer)
            old.end()
            while old.thread.is_alive():  # its writes end before the new sender is greeted
                old.thread.join(SLICE)
                if self._stopping.is_set():
                    sender.sock.close()
                    return
        with self._lock:
            self._sender = sender
        sender.thread.start()

    def _serve(self, sender):
        try:
            with sender.sock:
                sender.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self._converse(_Peer(sender.sock, sender.ended), sender.peer)
        except _Stopping:
            pass
        except OSError as error:
            if not sender.ended.is_set():
                log.warning("the connection from %s broke: %s", sender.peer, error.strerror or error)
        finally:
            with self._lock:
                if self._sender is sender:
                    self._sender = None

    def _converse(self, connection, peer):
        """Greet, then read blocks and acknowledge each payload block once it is on disk."""
        with self._lock:
            held = self._file.last_header
        if not connection.send(encode(Record(*(held or (0, 0, 0)))), time.monotonic() + self.record_timeout):
            log.warning("closing the connection from %s: it took no hello for %g s", peer, self.record_timeout)
            return
        log.info("a sender connected from %s; the file holds records up to %s", peer, _header_text(held))
        offset, record = 0, None  # record: [header, header block bytes, payload blocks seen, a duplicate]
        while True:
            expecting_payload = record is not None and record[2] == 0
            if not connection.wait(self.record_timeout if expecting_payload else self.idle_timeout):
                if expecting_payload:
                    log.warning("closing the connection from %s: block at byte %d: no payload block came within "
                                "%g s of its header block", peer, offset, self.record_timeout)
                else:
                    log.info("closing the connection from %s: idle for %g s", peer, self.idle_timeout)
                return
            reading = _Reading(connection, time.monotonic() + self.record_timeout)
            try:
                block = self._read_block(reading, offset, expecting_payload, record is None)
                if block is None:
                    log.info("the sender from %s closed the connection", peer)
                    return
                major, words = block
                if major == HEADER:
                    record = [header_of(words, offset), bytes(reading.raw), 0, False]
                else:
                    try:
                        self._keep(record, bytes(reading.raw))
                    except OSError as error:
                        log.error("cannot write to %s (%s): closing the connection from %s, whose records stay with "
                                  "the sender", self.out_path, error.strerror or error, peer)
                        return
                    if not connection.send(record[1], time.monotonic() + self.record_timeout):
                        log.warning("closing the connection from %s: it took no acknowledgement for %g s", peer,
                                    self.record_timeout)
                        return
            except TimeoutError:
                log.warning("closing the connection from %s: block at byte %d did not arrive whole within %g s",
                            peer, offset, self.record_timeout)
                return
            except BlockError as error:
                log.warning("closing the connection from %s: %s; nothing of that block was written", peer, error)
                return
            offset += len(reading.raw)

    @staticmethod
    def _read_block(reading, offset, expecting_payload, before_any_header):
        """(major, words) of the next block, None at a clean end. Its size, id and place (a payload block after
        a header block, a header block not right after another) are checked from its first 3 words, before the
        rest is read; then its checksum and, for a payload block, its devices."""
        head = reading.read(12)
        if not head:
            return None
        if len(head) < 12:
            raise TornBlock(f"block at byte {offset}: cut short, less than the 3 words every block starts with")
        size, major, _ = block_head(head, offset, RECEIVE_MAX_WORDS)
        if major == HEADER and expecting_payload:
            raise BlockError(f"block at byte {offset}: a header block after a header block without a payload")
        if major != HEADER and before_any_header:
            raise BlockError(f"block at byte {offset}: a payload block before any header block")
        body = reading.read(4 * size - 12)
        if len(body) < 4 * size - 12:
            raise TornBlock(f"block at byte {offset}: cut short, {12 + len(body)} of its {4 * size} bytes are there")
        words = block_words(head, body, offset)
        if major != HEADER:
            payload_devices(words, offset)
        return major, words

    def _keep(self, record, payload):
        """Write a payload block (after its header block, for the first) unless the record is a duplicate."""
        header, header_block, seen, _ = record
        with self._lock:
            if seen == 0:
                held = self._file.last_header
                record[3] = held is not None and header[:2] <= held[:2]
                if not record[3]:
                    self._file.append(header_block + payload)
                    self.records_written += 1
            elif not record[3]:
                self._file.append(payload)
        record[2] += 1


def _header_text(header):
    return header_text(header) if header is not None else "none (an empty file)"


# --- the dump ----------------------------------------------------------------------------------------------

def float32_text(value):
    """The shortest decimal that reads back as the same float32 (0.1, not 0.10000000149011612)."""
    if not math.isfinite(value):
        return repr(value)
    packed = struct.pack("<f", value)
    for digits in range(1, 10):
        text = f"{value:.{digits}g}"
        if struct.pack("<f", float(text)) == packed:
            return text
    return repr(value)


def _values_text(device, shown=8):
    texts = [float32_text(v) if device.kind == "F" else str(v) for v in device.values[:shown]]
    return " ".join(texts) + (" …" if len(device.values) > shown else "")


def _record_json(offset, record):
    def devices(items):
        return [{"name": d.name, "kind": d.kind, "seconds": d.seconds, "millis": d.millis, "values": list(d.values)}
                for d in items]

    return {"offset": offset, "spill": record.spill, "seconds": record.seconds, "nanos": record.nanos,
            "time": iso_nanos(record.seconds, record.nanos), "in_spill": devices(record.in_spill),
            "out_of_spill": devices(record.out_of_spill)}


def _record_lines(number, offset, record):
    yield f"record {number}  spill {record.spill}  {iso_nanos(record.seconds, record.nanos)}  at byte {offset}"
    for where, devices in (("in-spill", record.in_spill), ("out-of-spill", record.out_of_spill)):
        for d in devices:
            count = len(d.values)
            yield (f"  {where:<12}  {d.name:<8}  {d.kind}  {iso_millis(d.seconds, d.millis)}  "
                   f"{count} value{'' if count == 1 else 's'}: {_values_text(d)}").rstrip()


def dump(stream, out, as_json=False, name="data"):
    """Write a block file's records to out, as text or JSON, reading it block by block; the exit code: 0, or 1
    after the good records when the data is damaged (the reason on stderr)."""
    records = blocks = 0
    if as_json:
        out.write('{"records": [')
    try:
        for offset, record, count in read_records(stream):
            if as_json:
                out.write((",\n" if records else "\n") + json.dumps(_record_json(offset, record)))
            else:
                out.write("".join(line + "\n" for line in _record_lines(records + 1, offset, record)))
            records, blocks = records + 1, blocks + count
        error = None
    except BlockError as damage:
        error = damage
    if as_json:
        out.write(f'\n], "blocks": {blocks}}}\n')
    elif error is None:
        out.write(f"{records} records, {blocks} blocks: every size and checksum checks out\n")
    out.flush()
    if error is not None:
        print(f"dcs: {name}: {error}", file=sys.stderr)
        return 1
    return 0


# --- the commands ------------------------------------------------------------------------------------------

def cmd_receive(settings, args):
    try:
        host, port = host_port(args.listen)
    except ValueError:
        raise UsageError(f"--listen takes HOST:PORT (like 127.0.0.1:9090), not {args.listen!r}.") from None
    try:
        allow = networks(args.allow or LOOPBACK)
    except ValueError as error:
        raise UsageError(f"--allow takes an IP address or network: {error}.") from None
    receiver = Receiver(host, port, args.out, allow=allow)
    try:
        receiver.start()
    except BlockError as error:
        raise UsageError(str(error)) from None
    except OSError as error:
        raise UsageError(f"Cannot listen on {args.listen} or write {args.out}: {error.strerror or error}.") from None
    print(f"receiving raw data blocks on {host}:{receiver.port} into {args.out}, which holds records up to "
          f"{_header_text(receiver.last_header)}; senders from {', '.join(map(str, allow))} (Ctrl+C stops)",
          flush=True)
    try:
        wait_until_stopped()
    finally:
        receiver.stop()
    print(f"wrote {receiver.records_written} records to {args.out}", flush=True)
    return 0


def cmd_dump(settings, args):
    try:
        stream = open(args.file, "rb", buffering=1 << 20)
    except OSError as error:
        raise UsageError(f"Cannot read {args.file}: {error.strerror or error}.") from None
    with stream:
        return dump(stream, sys.stdout, args.json, args.file)


def add_block_commands(actions):
    receive = add_command(actions, "receive", cmd_receive,
                          "Receive records from a channel's TCP sink (acknowledged protocol) into a block file, "
                          "each exactly once, until Ctrl+C or SIGTERM.")
    receive.add_argument("--listen", default="127.0.0.1:9090", metavar="HOST:PORT",
                         help="address to listen on (default 127.0.0.1:9090)")
    receive.add_argument("--out", required=True, metavar="FILE", help="the block file to append to")
    receive.add_argument("--allow", action="append", metavar="ADDRESS_OR_NETWORK",
                         help="take senders from this IP address or network (repeatable; default 127.0.0.1 and ::1 "
                              "only); others are closed before a byte is read")
    dump_ = add_command(actions, "dump", cmd_dump,
                        "Print the records of a raw block file, checking every size and checksum (exit 1 at damage).")
    dump_.add_argument("file", metavar="FILE")
    dump_.add_argument("--json", action="store_true", help="one JSON document instead of text")
