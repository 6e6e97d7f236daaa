"""The reference receiver keeps every record exactly once, acknowledged only once on disk, through crashes of
either side and hostile peers; `dcs blocks dump` shows a block file's records, or where and why it is damaged."""

import json
import logging
import signal
import socket
import struct
import subprocess
import time

import pytest

from dcs.channel.blocks import DeviceData, Record, block_id, decode, encode
from dcs.channel.receive import Receiver
from dcs.channel.sinks import TcpSink
from dcs.channel.spool import Spool
from tests.channel.helpers import receive_exactly, until
from tests.server import DCS, dcs_env, free_port, run_dcs

T0 = 1_790_000_000  # 2026-09-21T14:13:20Z
ZERO_HELLO = encode(Record(0, 0, 0))


def record(number):
    return encode(Record(T0 + number, number, number,
                         in_spill=(DeviceData("E:TOR101", T0 + number, 5, (float(number), 0.5)),)))


def every(numbers):
    return b"".join(record(n) for n in numbers)


def hung_up(sock):
    """Whether the peer closed the connection (within 10 s), whatever it had left to say."""
    sock.settimeout(10)
    try:
        while sock.recv(4096):
            pass
    except ConnectionResetError:
        pass
    return True


@pytest.fixture
def receiver(tmp_path):
    receiver = Receiver("127.0.0.1", 0, tmp_path / "out.blocks", idle_timeout=10, record_timeout=10).start()
    yield receiver
    receiver.stop()


def greeted(receiver):
    """A raw connection to the receiver, its hello read."""
    sock = socket.create_connection(("127.0.0.1", receiver.port), timeout=10)
    return sock, receive_exactly(sock, 24)


def test_the_receiver_greets_with_the_last_record_it_holds_and_keeps_each_record_once(receiver, tmp_path):
    sock, hello = greeted(receiver)
    with sock:
        assert hello == ZERO_HELLO  # it holds nothing yet
        for number in (1, 1, 2, 1):  # record 1 again (resent after a crash) and out of order: not written twice
            sock.sendall(record(number))
            assert receive_exactly(sock, 24) == record(number)[:24]  # acknowledged all the same
    sock, hello = greeted(receiver)
    sock.close()
    assert hello == record(2)[:24]
    assert receiver.records_written == 2
    assert (tmp_path / "out.blocks").read_bytes() == every([1, 2])


def test_a_record_of_several_payload_blocks_is_acknowledged_once_per_block(receiver, tmp_path):
    both = encode(Record(T0, 0, 3, in_spill=(DeviceData("E:TOR101", T0, 1, (1.0,)),),
                         out_of_spill=(DeviceData("M:OUTTMP", T0, 2, (70,), "I"),)))
    sock, _ = greeted(receiver)
    with sock:
        sock.sendall(both)
        assert receive_exactly(sock, 48) == both[:24] * 2
    assert (tmp_path / "out.blocks").read_bytes() == both


def _block(ident, body):
    words = [len(body) + 3, 0, ident, *body]
    words[1] = (sum(words) - words[1]) % 2**32
    return struct.pack(f"<{len(words)}I", *words)


def _bad_checksum(data):
    damaged = bytearray(data)
    damaged[24 + 4] ^= 1  # the payload block's checksum word
    return bytes(damaged)


def _name(text):
    return list(struct.unpack("<2I", text.encode("ascii")))


BAD = {
    "garbage": (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 0, "is not a block size"),
    "a payload of garbage with a good checksum": (record(2)[:24] + _block(block_id(0x320), [7, 1, 2]), 24,
                                                  "device 1 of 7 runs past the block's end"),
    "a device name that is no name": (record(2)[:24] + _block(block_id(0x320), [1, *_name("E:TOR101"), T0, 5, 0]),
                                      24, "'E:TOR101' is not a name with F or I in place of ':'"),
    "a device time stamp out of range": (record(2)[:24] + _block(block_id(0x320), [1, *_name("EFTOR101"), T0, 5000,
                                                                                   0]),
                                         24, "E:TOR101: the time stamp"),
    "a bad checksum": (_bad_checksum(record(2)), 24, "the checksum is"),
    "an oversize size word": (struct.pack("<3I", 1 << 30, 0, block_id(0x320)) + bytes(64), 0, "is not a block size"),
    "a foreign block id": (_block(0x12345678, [1, 2, 3]), 0, "not a DCS data block"),
    "a payload before its header": (record(2)[24:], 0, "payload block before any header"),
    "a header without a payload": (record(2)[:24] + record(3), 24, "header block after a header block"),
}


@pytest.mark.parametrize("what", BAD)
def test_a_bad_block_ends_that_connection_naming_its_offset_writes_nothing_of_it_and_the_next_sender_is_served(
        receiver, tmp_path, caplog, what):
    damage, at, reason = BAD[what]
    with caplog.at_level(logging.WARNING, "dcs.channel.receive"):
        sock, _ = greeted(receiver)
        with sock:
            if what != "a payload before its header":
                sock.sendall(record(1))
                assert receive_exactly(sock, 24) == record(1)[:24]
                at += len(record(1))
            sock.sendall(damage)
            assert hung_up(sock)
    assert f"block at byte {at}: " in caplog.text and reason in caplog.text
    held = every([1]) if what != "a payload before its header" else b""
    assert (tmp_path / "out.blocks").read_bytes() == held
    with Spool(tmp_path / "spool") as spool:  # an honest sender after the hostile one
        for number in range(1, 6):
            spool.append(record(number))
        sink = TcpSink(spool, "127.0.0.1", receiver.port).start()
        try:
            until(lambda: spool.pending()[0] == 0, "the honest sender's records arrived")
        finally:
            sink.stop()
    assert (tmp_path / "out.blocks").read_bytes() == every(range(1, 6))


HEADS = {
    "a size over 1 Mi words": (struct.pack("<3I", (1 << 20) + 1, 0, block_id(0x320)),
                               "block at byte 0: a size of 1048577 words is not a block size (3 to 1048576)"),
    "a payload block before any header block": (record(1)[24:36], "block at byte 0: a payload block before any"),
    "a header block after a header block": (record(1)[:24] + record(2)[:12],
                                            "block at byte 24: a header block after a header block"),
    "a header block of 7 words": (struct.pack("<3I", 7, 0, block_id(0x310)),
                                  "block at byte 0: a header block has 6 words, not 7"),
}


@pytest.mark.parametrize("what", HEADS)
def test_a_block_whose_first_three_words_are_wrong_is_refused_without_waiting_for_the_rest(tmp_path, caplog, what):
    head, reason = HEADS[what]
    receiver = Receiver("127.0.0.1", 0, tmp_path / "out.blocks", record_timeout=60).start()
    try:
        with caplog.at_level(logging.WARNING, "dcs.channel.receive"):
            sock, _ = greeted(receiver)
            with sock:
                sock.sendall(head)  # and nothing more: the receiver must not wait 60 s for the body
                assert hung_up(sock)
    finally:
        receiver.stop()
    assert reason in caplog.text and (tmp_path / "out.blocks").read_bytes() == b""


def test_silent_and_slow_senders_are_cut_off_and_an_idle_honest_sender_comes_back_without_fuss(tmp_path, caplog):
    receiver = Receiver("127.0.0.1", 0, tmp_path / "out.blocks", idle_timeout=0.5, record_timeout=0.5).start()
    spool = Spool(tmp_path / "spool")
    sink = TcpSink(spool, "127.0.0.1", receiver.port)
    silent = slow = None
    try:
        with caplog.at_level(logging.INFO):
            silent, _ = greeted(receiver)
            assert hung_up(silent)
            slow, _ = greeted(receiver)
            slow.sendall(record(1)[:10])
            for at in range(10, 15):  # a byte now and then: not enough to finish the block in time
                time.sleep(0.15)
                try:
                    slow.send(record(1)[at:at + 1])
                except OSError:
                    break
            assert hung_up(slow)
            for number in range(1, 6):
                spool.append(record(number))
            sink.start()
            until(lambda: spool.pending()[0] == 0, "the honest sender's records arrived")
            time.sleep(1)  # the honest sender, idle too, is let go as well and comes back without fuss
            spool.append(record(6))
            until(lambda: spool.pending()[0] == 0, "a later record arrived")
        assert "idle for 0.5 s" in caplog.text and "block at byte 0 did not arrive whole" in caplog.text
        assert "is down" not in caplog.text
    finally:
        sink.stop()
        spool.close()
        receiver.stop()
        for sock in (silent, slow):
            if sock is not None:
                sock.close()
    assert (tmp_path / "out.blocks").read_bytes() == every(range(1, 7))


def test_a_new_sender_replaces_the_one_before_so_their_records_never_interleave(receiver, tmp_path, caplog):
    with caplog.at_level(logging.INFO, "dcs.channel.receive"):
        first, _ = greeted(receiver)
        with first:
            first.sendall(record(1))
            assert receive_exactly(first, 24) == record(1)[:24]
            first.sendall(record(2)[:30])  # half a record when the new sender comes
            second, hello = greeted(receiver)
            with second:
                assert hung_up(first)
                assert hello == record(1)[:24]
                second.sendall(record(2) + record(3))
                assert receive_exactly(second, 48) == record(2)[:24] + record(3)[:24]
                first_port, second_port = first.getsockname()[1], second.getsockname()[1]
    assert f"a new sender from 127.0.0.1:{second_port} replaces the one from 127.0.0.1:{first_port}" in caplog.text
    assert (tmp_path / "out.blocks").read_bytes() == every([1, 2, 3])


def _connect_from(address, port):
    sock = socket.socket()
    sock.settimeout(10)
    sock.bind((address, 0))
    sock.connect(("127.0.0.1", port))
    return sock


def test_a_sender_from_an_address_not_allowed_is_closed_before_a_byte_and_logged_now_and_then(
        receiver, tmp_path, caplog, monkeypatch):
    monkeypatch.setattr(receiver._refused, "every_s", 2.0)
    with caplog.at_level(logging.WARNING, "dcs.channel.receive"):
        for _ in range(3):
            with _connect_from("127.0.0.2", receiver.port) as stranger:  # loopback, but not 127.0.0.1
                assert stranger.recv(100) == b""  # no hello: closed before anything was read or written
        time.sleep(2.1)
        with _connect_from("127.0.0.2", receiver.port) as stranger:
            assert stranger.recv(100) == b""
        sock, hello = greeted(receiver)  # 127.0.0.1 is served
        sock.close()
    assert hello == ZERO_HELLO
    assert [r.getMessage() for r in caplog.records if "refused" in r.getMessage()] == [
        "refused a connection from 127.0.0.2: not an allowed address (--allow)",
        ("refused a connection from 127.0.0.2: not an allowed address (--allow) (and 2 more from it since the last "
         "line)")]
    wide = Receiver("127.0.0.1", 0, tmp_path / "wide.blocks", allow=["127.0.0.0/8"]).start()
    try:
        with _connect_from("127.0.0.2", wide.port) as allowed:
            assert receive_exactly(allowed, 24) == ZERO_HELLO
    finally:
        wide.stop()


def test_receive_refuses_an_allow_that_is_not_an_address_or_network(tmp_path):
    result = run_dcs(["blocks", "receive", "--out", str(tmp_path / "out.blocks"), "--allow", "127.0.0.1",
                      "--allow", "daq.example.org"], dcs_env(tmp_path))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == ("dcs: --allow takes an IP address or network: 'daq.example.org' is not an IP address or "
                             "network (like 10.0.0.5 or 10.0.0.0/24; names are not accepted: a name can be made to "
                             "point anywhere).\n")


def _receive_process(env, port, out):
    process = subprocess.Popen([DCS, "blocks", "receive", "--listen", f"127.0.0.1:{port}", "--out", str(out)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    if f"on 127.0.0.1:{port} into {out}" not in line:
        process.kill()
        pytest.fail(f"dcs blocks receive did not start: {line}{process.stderr.read()}")
    return process


def test_a_receiver_killed_mid_stream_and_started_again_holds_every_record_exactly_once(tmp_path):
    env, port, out = dcs_env(tmp_path), free_port(), tmp_path / "out.blocks"
    first = _receive_process(env, port, out)
    spool = Spool(tmp_path / "spool")
    sink = TcpSink(spool, "127.0.0.1", port)
    second = None
    try:
        for number in range(1, 401):
            spool.append(record(number))
        sink.start()
        until(lambda: out.stat().st_size >= 40 * len(record(1)), "records arrived")
        first.kill()  # SIGKILL, mid-stream
        first.communicate(timeout=10)
        held = len(decode(out.read_bytes()))
        assert held < 400, "the stream was over before the kill: make it longer"
        second = _receive_process(env, port, out)
        until(lambda: spool.pending()[0] == 0, "the rest arrived at the restarted receiver")
        second.send_signal(signal.SIGTERM)
        said, _ = second.communicate(timeout=10)
    finally:
        sink.stop()
        spool.close()
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.communicate()
    assert second.returncode == 0 and f"wrote {400 - held} records to {out}" in said
    assert out.read_bytes() == every(range(1, 401))


# --- the dump ----------------------------------------------------------------------------------------------

SPILL = Record(T0, 123_456_789, 42,
               in_spill=(DeviceData("E:TOR101", T0, 5, (1048576.5, 0.1)), DeviceData("M:OUTTMP", T0, 7, (74,), "I")),
               out_of_spill=(DeviceData("E:PROF", T0 + 1, 250, tuple(i / 4 for i in range(20))),))
POLL = Record(T0 + 2, 0, 42, out_of_spill=(DeviceData("M:OUTTMP", T0 + 2, 0, (-3,), "I"),))


def test_dump_shows_each_record_and_device_and_says_every_block_checks_out(tmp_path):
    path = tmp_path / "beam.blocks"
    path.write_bytes(encode(SPILL) + encode(POLL))
    result = run_dcs(["blocks", "dump", str(path)], dcs_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "record 1  spill 42  2026-09-21T14:13:20.123456789Z  at byte 0",
        "  in-spill      E:TOR101  F  2026-09-21T14:13:20.005Z  2 values: 1048576.5 0.1",
        "  in-spill      M:OUTTMP  I  2026-09-21T14:13:20.007Z  1 value: 74",
        "  out-of-spill  E:PROF    F  2026-09-21T14:13:21.250Z  20 values: 0 0.25 0.5 0.75 1 1.25 1.5 1.75 …",
        f"record 2  spill 42  2026-09-21T14:13:22.000000000Z  at byte {len(encode(SPILL))}",
        "  out-of-spill  M:OUTTMP  I  2026-09-21T14:13:22.000Z  1 value: -3",
        "2 records, 5 blocks: every size and checksum checks out",
    ]


def test_dump_as_json_gives_every_value_exactly(tmp_path):
    path = tmp_path / "beam.blocks"
    path.write_bytes(encode(SPILL) + encode(POLL))
    result = run_dcs(["blocks", "dump", str(path), "--json"], dcs_env(tmp_path))
    assert result.returncode == 0, result.stderr
    dumped = json.loads(result.stdout)
    assert dumped["blocks"] == 5 and len(dumped["records"]) == 2
    first = dumped["records"][0]
    assert {k: first[k] for k in ("offset", "spill", "seconds", "nanos", "time")} == {
        "offset": 0, "spill": 42, "seconds": T0, "nanos": 123_456_789, "time": "2026-09-21T14:13:20.123456789Z"}
    assert first["in_spill"][0] == {"name": "E:TOR101", "kind": "F", "seconds": T0, "millis": 5,
                                    "values": [1048576.5, struct.unpack("<f", struct.pack("<f", 0.1))[0]]}
    assert first["in_spill"][1]["values"] == [74] and len(first["out_of_spill"][0]["values"]) == 20
    assert dumped["records"][1]["in_spill"] == [] and dumped["records"][1]["out_of_spill"][0]["values"] == [-3]


@pytest.mark.parametrize("as_json", [False, True])
def test_dump_of_damaged_data_shows_the_good_records_then_where_and_why_and_fails(tmp_path, as_json):
    path = tmp_path / "beam.blocks"
    damaged = bytearray(encode(SPILL) + encode(POLL))
    at = len(encode(SPILL)) + 24
    damaged[at + 12] ^= 0xFF  # a word inside the poll's payload block
    path.write_bytes(bytes(damaged))
    result = run_dcs(["blocks", "dump", str(path), *(["--json"] if as_json else [])], dcs_env(tmp_path))
    assert result.returncode == 1
    assert result.stderr.startswith(f"dcs: {path}: block at byte {at}: the checksum is ")
    assert len(result.stderr.splitlines()) == 1
    if as_json:
        assert [r["spill"] for r in json.loads(result.stdout)["records"]] == [42]
    else:
        assert result.stdout.startswith("record 1  spill 42") and "record 2" not in result.stdout
        assert "checks out" not in result.stdout


def test_dump_of_a_file_that_ends_in_a_header_block_calls_it_a_torn_tail(tmp_path):
    path = tmp_path / "beam.blocks"
    path.write_bytes(encode(SPILL) + encode(POLL)[:24])
    result = run_dcs(["blocks", "dump", str(path)], dcs_env(tmp_path))
    assert result.returncode == 1 and "record 1" in result.stdout
    assert f"block at byte {len(encode(SPILL))}: a header block without its payload" in result.stderr


def test_dump_of_a_missing_file_is_a_one_line_usage_error(tmp_path):
    result = run_dcs(["blocks", "dump", str(tmp_path / "nowhere.blocks")], dcs_env(tmp_path))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == f"dcs: Cannot read {tmp_path / 'nowhere.blocks'}: No such file or directory.\n"
