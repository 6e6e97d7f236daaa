"""Sinks take the spool's records in order and deliver each exactly once: over TCP to the reference receiver
(acknowledged) or to anything that listens (plain), or into daily block files; through receivers that are down,
hang, lie in their acknowledgements, and senders that stop mid-stream."""

import logging
import socket
import threading
import time

import pytest

from dcs.channel.blockfile import BlockFile, DailyFiles
from dcs.channel.blocks import DeviceData, Record, encode
from dcs.channel.receive import Receiver
from dcs.channel.sinks import FileSink, TcpSink
from dcs.channel.spool import Spool
from tests.channel.helpers import receive_exactly, until
from tests.server import free_port

T0 = 1_790_035_190  # ten seconds before 2026-09-22 00:00:00 UTC
ZERO_HELLO = encode(Record(0, 0, 0))


def record(number):
    return encode(Record(T0 + number, number, number,
                         in_spill=(DeviceData("E:TOR101", T0 + number, 5, (float(number), 0.5, -1.25)),
                                   DeviceData("M:OUTTMP", T0 + number, 7, (number,), "I"))))


def every(numbers):
    return b"".join(record(n) for n in numbers)


@pytest.fixture
def cleanup():
    """Things to stop or close at the end of a test, whatever happened."""
    things = []
    yield things
    for thing in reversed(things):
        (getattr(thing, "stop", None) or thing.close)()


def spool_with(path, numbers, cleanup):
    spool = Spool(path)
    cleanup.append(spool)
    for number in numbers:
        spool.append(record(number))
    return spool


def sink_to_a_socket(tmp_path, cleanup, numbers, **options):
    """A listening socket standing in for the receiver, and a TcpSink sending it a spool of `numbers`."""
    server = socket.create_server(("127.0.0.1", 0))
    cleanup.append(server)
    server.settimeout(10)
    spool = spool_with(tmp_path / "spool", numbers, cleanup)
    sink = TcpSink(spool, "127.0.0.1", server.getsockname()[1], **options).start()
    cleanup.append(sink)
    return server, spool, sink


def test_a_tcp_sink_delivers_every_record_once_in_order_bit_for_bit(tmp_path, cleanup):
    receiver = Receiver("127.0.0.1", 0, tmp_path / "out.blocks").start()
    cleanup.append(receiver)
    spool = spool_with(tmp_path / "spool", range(1, 51), cleanup)
    sink = TcpSink(spool, "127.0.0.1", receiver.port).start()
    cleanup.append(sink)
    for number in range(51, 101):  # while it sends
        spool.append(record(number))
    until(lambda: spool.pending() == (0, 0), "the spool emptied")
    status = sink.status()
    assert status["connected"] and status["records_sent"] == 100 and status["last_error"] is None
    assert status["protocol"] == "acknowledged" and status["pending_records"] == 0
    assert (tmp_path / "out.blocks").read_bytes() == every(range(1, 101))


def test_records_wait_while_the_receiver_is_down_and_the_log_says_so_once_each_way(tmp_path, cleanup, caplog):
    port = free_port()
    spool = spool_with(tmp_path / "spool", range(1, 6), cleanup)
    sink = TcpSink(spool, "127.0.0.1", port)
    cleanup.append(sink)
    with caplog.at_level(logging.INFO, "dcs.channel.sinks"):
        sink.start()
        until(lambda: sink.status()["last_error"], "the sink noticed nobody listens")
        time.sleep(1)  # several retries (0.2 s, 0.4 s, 0.8 s ...)
        status = sink.status()
        assert not status["connected"] and status["pending_records"] == 5 and status["down_since"]
        assert "refused" in status["last_error"]
        receiver = Receiver("127.0.0.1", port, tmp_path / "out.blocks").start()
        cleanup.append(receiver)
        until(lambda: spool.pending()[0] == 0, "the records arrived once the receiver was up")
    assert caplog.text.count("is down") == 1 and caplog.text.count("is back") == 1
    assert sink.status()["connected"] and sink.status()["down_since"] is None
    assert (tmp_path / "out.blocks").read_bytes() == every(range(1, 6))


def test_a_sender_stopped_mid_stream_and_started_again_on_the_same_spool_delivers_exactly_once(tmp_path, cleanup):
    receiver = Receiver("127.0.0.1", 0, tmp_path / "out.blocks").start()
    cleanup.append(receiver)
    for round_ in range(3):
        spool = Spool(tmp_path / "spool")
        if round_ == 0:
            for number in range(1, 301):
                spool.append(record(number))
        sink = TcpSink(spool, "127.0.0.1", receiver.port).start()
        if round_ < 2:
            until(lambda enough=60 * (round_ + 1): receiver.records_written >= enough, "records arrived")
        else:
            until(lambda spool=spool: spool.pending()[0] == 0, "the rest arrived")
        sink.stop(drain_s=0)  # at once, mid-stream
        assert not sink._thread.is_alive()
        spool.close()
    assert receiver.records_written == 300
    assert (tmp_path / "out.blocks").read_bytes() == every(range(1, 301))


def test_records_the_receiver_holds_already_are_skipped_not_sent_and_the_log_says_how_many(tmp_path, cleanup,
                                                                                           caplog):
    with BlockFile(tmp_path / "out.blocks") as held:
        held.append(every(range(1, 6)))
    receiver = Receiver("127.0.0.1", 0, tmp_path / "out.blocks").start()
    cleanup.append(receiver)
    spool = spool_with(tmp_path / "spool", range(1, 11), cleanup)
    with caplog.at_level(logging.INFO, "dcs.channel.sinks"):
        sink = TcpSink(spool, "127.0.0.1", receiver.port).start()
        cleanup.append(sink)
        until(lambda: spool.pending()[0] == 0, "the spool emptied")
    assert sink.status()["records_sent"] == 5 and receiver.records_written == 5
    assert (tmp_path / "out.blocks").read_bytes() == every(range(1, 11))
    said = [r for r in caplog.records if "records of the spool already" in r.getMessage()]
    assert len(said) == 1 and said[0].levelno == logging.INFO
    assert f"to 127.0.0.1:{receiver.port} holds 5 records of the spool already: skipped" in said[0].getMessage()


def _ahead_errors(caplog):
    return [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR and "another writer" in r.getMessage()]


def test_a_receiver_holding_records_after_everything_the_spool_took_gets_nothing_skipped_and_an_error_once(
        tmp_path, cleanup, caplog):
    with BlockFile(tmp_path / "out.blocks") as held:  # another writer's records, up to 10
        held.append(every(range(1, 11)))
    receiver = Receiver("127.0.0.1", 0, tmp_path / "out.blocks").start()
    cleanup.append(receiver)
    spool = spool_with(tmp_path / "spool", range(1, 6), cleanup)  # this channel never went past 5
    with caplog.at_level(logging.INFO):
        sink = TcpSink(spool, "127.0.0.1", receiver.port).start()
        cleanup.append(sink)
        until(lambda: caplog.text.count("a sender connected from") >= 3, "the sink tried three times")
    assert spool.pending()[0] == 5 and receiver.records_written == 0  # nothing dropped, nothing sent
    assert _ahead_errors(caplog) == [
        (f"the tcp sink to 127.0.0.1:{receiver.port} holds records up to 2026-09-22T00:00:00.000000010Z, spill 10, "
         "after everything this channel wrote (up to 2026-09-21T23:59:55.000000005Z, spill 5): another writer uses "
         f"it or a clock was wrong; nothing is skipped: the records stay in the spool {tmp_path / 'spool'} and the "
         "sink tries again every few seconds")]
    status = sink.status()
    assert not status["connected"] and "another writer uses it or a clock was wrong" in status["last_error"]
    assert "is down" not in caplog.text  # the error says it all


def test_a_new_spool_whose_first_record_is_not_after_the_receivers_last_keeps_it_and_says_so(tmp_path, cleanup,
                                                                                            caplog):
    with BlockFile(tmp_path / "out.blocks") as held:
        held.append(every(range(1, 11)))
    receiver = Receiver("127.0.0.1", 0, tmp_path / "out.blocks").start()
    cleanup.append(receiver)
    spool = spool_with(tmp_path / "spool", [], cleanup)
    with caplog.at_level(logging.INFO):
        sink = TcpSink(spool, "127.0.0.1", receiver.port).start()
        cleanup.append(sink)
        until(lambda: "a sender connected from" in caplog.text, "the sink connected")
        spool.append(record(3))  # a clock that runs behind the receiver's records
        until(lambda: _ahead_errors(caplog), "the sink said why it skips nothing")
        until(lambda: caplog.text.count("a sender connected from") >= 3, "the sink tried again twice")
    assert spool.pending()[0] == 1 and receiver.records_written == 0
    assert len(_ahead_errors(caplog)) == 1 and "its record 2026-09-21T23:59:53.000000003Z, spill 3 is not newer" \
        in _ahead_errors(caplog)[0]


def test_a_new_spool_sends_its_records_after_what_the_receiver_holds_from_before(tmp_path, cleanup, caplog):
    with BlockFile(tmp_path / "out.blocks") as held:  # kept from an earlier installation
        held.append(every(range(1, 4)))
    receiver = Receiver("127.0.0.1", 0, tmp_path / "out.blocks").start()
    cleanup.append(receiver)
    spool = spool_with(tmp_path / "spool", [], cleanup)
    sink = TcpSink(spool, "127.0.0.1", receiver.port).start()
    cleanup.append(sink)
    spool.append(record(4))
    spool.append(record(5))
    until(lambda: spool.pending()[0] == 0, "the new records arrived")
    assert (tmp_path / "out.blocks").read_bytes() == every(range(1, 6)) and not _ahead_errors(caplog)


def test_a_file_sink_whose_files_hold_records_after_everything_the_spool_took_writes_and_drops_nothing(
        tmp_path, cleanup, caplog):
    files = DailyFiles(tmp_path / "days")
    for number in range(1, 13):  # another writer, up to 12
        files.append(record(number))
    files.close()
    before = {p.name: p.read_bytes() for p in (tmp_path / "days").iterdir()}
    spool = spool_with(tmp_path / "spool", range(1, 6), cleanup)
    with caplog.at_level(logging.INFO):
        sink = FileSink(spool, tmp_path / "days").start()
        cleanup.append(sink)
        until(lambda: sink.status()["last_error"], "the sink said why it writes nothing")
        time.sleep(1)  # several tries (0.2 s, 0.4 s ...)
    assert spool.pending()[0] == 5 and sink.status()["records_sent"] == 0
    assert {p.name: p.read_bytes() for p in (tmp_path / "days").iterdir()} == before
    assert len(_ahead_errors(caplog)) == 1 and "spill 12, after everything this channel wrote (up to " \
        "2026-09-21T23:59:55.000000005Z, spill 5)" in _ahead_errors(caplog)[0]


def test_the_plain_protocol_sends_the_bytes_without_hello_or_acknowledgements(tmp_path, cleanup):
    server, spool, sink = sink_to_a_socket(tmp_path, cleanup, range(1, 21), protocol="plain")
    connection, _ = server.accept()
    cleanup.append(connection)
    assert receive_exactly(connection, len(every(range(1, 21)))) == every(range(1, 21))
    until(lambda: spool.pending()[0] == 0, "the records left the spool")
    assert sink.status()["records_sent"] == 20 and sink.status()["protocol"] == "plain"


def test_a_wrong_acknowledgement_ends_the_connection_and_the_record_is_sent_again(tmp_path, cleanup):
    server, spool, sink = sink_to_a_socket(tmp_path, cleanup, [1])
    liar, _ = server.accept()
    cleanup.append(liar)
    liar.sendall(ZERO_HELLO)
    assert receive_exactly(liar, len(record(1))) == record(1)
    liar.sendall(record(2)[:24])  # the header of another record
    liar.settimeout(10)
    assert liar.recv(100) == b""  # the sink hung up
    until(lambda: sink.status()["last_error"], "the sink said why")
    assert spool.pending()[0] == 1 and "acknowledged the header" in sink.status()["last_error"]
    honest, _ = server.accept()
    cleanup.append(honest)
    honest.sendall(ZERO_HELLO)
    assert receive_exactly(honest, len(record(1))) == record(1)
    honest.sendall(record(1)[:24])
    until(lambda: spool.pending()[0] == 0, "the record left the spool once acknowledged")


@pytest.mark.parametrize("hangs", ["before the hello", "before the acknowledgement"])
def test_stop_ends_the_sink_even_when_the_receiver_hangs(tmp_path, cleanup, hangs):
    server, spool, sink = sink_to_a_socket(tmp_path, cleanup, [1])
    connection, _ = server.accept()
    cleanup.append(connection)
    if hangs == "before the acknowledgement":
        connection.sendall(ZERO_HELLO)
        receive_exactly(connection, len(record(1)))
    sink.stop(timeout=5)
    assert not sink._thread.is_alive()
    assert spool.pending()[0] == 1  # not acknowledged: still there for the next start


def test_a_file_sink_writes_daily_files_once_across_a_restart(tmp_path, cleanup, caplog):
    caplog.set_level(logging.INFO, "dcs.channel.sinks")
    spool = spool_with(tmp_path / "spool", range(1, 16), cleanup)
    sink = FileSink(spool, tmp_path / "days").start()
    until(lambda: spool.pending()[0] == 0, "the spool emptied")
    sink.stop()
    spool.close()
    again = spool_with(tmp_path / "spool-2", range(8, 21), cleanup)  # records 8..15 again, as after a crash
    sink = FileSink(again, tmp_path / "days").start()
    cleanup.append(sink)
    until(lambda: again.pending()[0] == 0, "the second spool emptied")
    assert sink.status()["records_sent"] == 5 and sink.status()["connected"]
    assert "holds 8 records of the spool already" in caplog.text
    assert (tmp_path / "days" / "beam-20260921.blocks").read_bytes() == every(range(1, 10))
    assert (tmp_path / "days" / "beam-20260922.blocks").read_bytes() == every(range(10, 21))


def test_a_sink_whose_spool_is_closed_under_it_stops_instead_of_spinning(tmp_path, cleanup):
    spool = spool_with(tmp_path / "spool", [], cleanup)
    sink = FileSink(spool, tmp_path / "days").start()
    until(lambda: sink.status()["connected"], "the file sink started")
    spool.close()
    sink._thread.join(5)
    assert not sink._thread.is_alive()


def test_a_receiver_that_fails_right_after_its_hello_is_not_called_back_each_time(tmp_path, cleanup, caplog):
    server = socket.create_server(("127.0.0.1", 0))
    cleanup.append(server)
    server.settimeout(10)
    spool = spool_with(tmp_path / "spool", [1], cleanup)
    with caplog.at_level(logging.INFO, "dcs.channel.sinks"):
        sink = TcpSink(spool, "127.0.0.1", server.getsockname()[1]).start()
        cleanup.append(sink)
        for _ in range(4):  # greets, takes the record, and hangs up without acknowledging it
            connection, _ = server.accept()
            with connection:
                connection.sendall(ZERO_HELLO)
                receive_exactly(connection, len(record(1)))
        until(lambda: sink.status()["last_error"], "the sink noticed")
    assert caplog.text.count("is down") == 1 and "is back" not in caplog.text
    assert not sink.status()["connected"] and spool.pending()[0] == 1


def test_a_receiver_that_sends_no_hello_or_no_acknowledgement_is_described_in_plain_words(tmp_path, cleanup):
    server, spool, sink = sink_to_a_socket(tmp_path, cleanup, [1], timeout=0.5)
    silent, _ = server.accept()
    cleanup.append(silent)
    until(lambda: sink.status()["last_error"], "the sink gave up on the hello")
    assert sink.status()["last_error"] == ('the receiver sent no hello within 0.5 s (is it a plain rotorooter? then '
                                           'set protocol = "plain")')
    greets, _ = server.accept()
    cleanup.append(greets)
    greets.sendall(ZERO_HELLO)
    until(lambda: sink.status()["last_error"].startswith("no acknowledgement"), "the sink gave up on the ack")
    assert sink.status()["last_error"] == "no acknowledgement came within 0.5 s"


def test_stop_lets_a_connected_sink_finish_what_waits_but_a_sink_that_is_down_stops_at_once(tmp_path, cleanup):
    server, spool, sink = sink_to_a_socket(tmp_path, cleanup, [1])
    connection, _ = server.accept()
    cleanup.append(connection)
    connection.sendall(ZERO_HELLO)
    receive_exactly(connection, len(record(1)))
    late = threading.Timer(0.5, connection.sendall, args=(record(1)[:24],))  # acknowledged while it stops
    late.start()
    sink.stop(timeout=5, drain_s=20)
    late.join()
    assert not sink._thread.is_alive() and spool.pending()[0] == 0
    down = TcpSink(spool_with(tmp_path / "spool-2", [1], cleanup), "127.0.0.1", free_port()).start()
    until(lambda: down.status()["last_error"], "the second sink found nobody listening")
    began = time.monotonic()
    down.stop(timeout=5, drain_s=60)
    assert not down._thread.is_alive() and time.monotonic() - began < 30  # it did not wait for a drain
