"""The spool and the block files: records kept on disk in order, whole, exactly once, across reopening and
crashes; a torn tail cut wherever the cut fell, and a file that is no block file left alone."""

import errno
import logging
import os
import threading

import pytest

from dcs.channel.blockfile import BlockFile, DailyFiles, scan
from dcs.channel.blocks import BlockError, DeviceData, Record, decode, encode
from dcs.channel.spool import Spool, SpoolBroken, SpoolBusy, SpoolFull

T0 = 1_790_000_000  # 2026-09-21 UTC


def record(number, values=2):
    """The bytes of record `number`: a header and one in-spill payload block, header time T0 + number s."""
    return encode(Record(T0 + number, number, number,
                         in_spill=(DeviceData("E:TOR101", T0 + number, number % 1000,
                                              tuple(float(number) + i / 4 for i in range(values))),)))


def segments(directory):
    return sorted(p.name for p in directory.glob("segment-*.blocks"))


def test_records_come_out_in_the_order_they_went_in_bit_for_bit(tmp_path):
    with Spool(tmp_path) as spool:
        for number in range(1, 6):
            spool.append(record(number))
        taken = list(spool.unsent())
        assert [r.data for r in taken] == [record(n) for n in range(1, 6)]
        assert [r.header for r in taken] == [(T0 + n, n, n) for n in range(1, 6)]
        assert {r.payloads for r in taken} == {1}
        assert spool.pending() == (5, sum(len(record(n)) for n in range(1, 6)))
        assert spool.take(taken[2].position).data == record(4)  # a consumer may read ahead of what it acknowledged


def test_acknowledged_records_are_not_taken_again_even_after_reopening(tmp_path):
    with Spool(tmp_path) as spool:
        for number in range(1, 6):
            spool.append(record(number))
        third = list(spool.unsent())[2]
        spool.acknowledge(third.position)
        assert spool.pending() == (2, len(record(4)) + len(record(5)))
        assert spool.take().data == record(4)
    with Spool(tmp_path) as spool:
        assert [r.data for r in spool.unsent()] == [record(4), record(5)]
        assert spool.pending()[0] == 2
        spool.append(record(6))
        assert [r.header[2] for r in spool.unsent()] == [4, 5, 6]


def test_a_torn_tail_is_cut_on_opening_and_the_whole_records_before_it_stay(tmp_path, caplog):
    with Spool(tmp_path) as spool:
        for number in range(1, 4):
            spool.append(record(number))
        spool.acknowledge(next(spool.unsent()).position)
    path = tmp_path / segments(tmp_path)[-1]
    with open(path, "ab") as handle:  # the process died inside append(record 4): it never returned
        handle.write(record(4)[:30])
    with caplog.at_level(logging.WARNING, "dcs.channel.blockfile"), Spool(tmp_path) as spool:
        assert [r.header[2] for r in spool.unsent()] == [2, 3]
        assert spool.last_header() == (T0 + 3, 3, 3)
        spool.append(record(4))
        assert [r.header[2] for r in spool.unsent()] == [2, 3, 4]
    assert "cut a torn tail of 30 bytes" in caplog.text
    assert path.read_bytes() == b"".join(record(n) for n in range(1, 5))


def test_the_last_header_survives_full_delivery_deleted_segments_and_a_restart(tmp_path):
    size = len(record(1))
    with Spool(tmp_path, segment_bytes=2 * size) as spool:
        assert spool.last_header() is None
        for number in range(1, 8):
            spool.append(record(number))
        assert len(segments(tmp_path)) == 4  # two records a segment
        for taken in list(spool.unsent()):
            spool.acknowledge(taken.position)
        assert spool.pending() == (0, 0)
        assert segments(tmp_path) == ["segment-000000000004.blocks"]  # the newest stays: it says the last header
    with Spool(tmp_path, segment_bytes=2 * size) as spool:
        assert spool.last_header() == (T0 + 7, 7, 7)
        assert list(spool.unsent()) == []
        spool.append(record(8))  # a new segment; make its only record torn, as if append had died
    newest = tmp_path / segments(tmp_path)[-1]
    newest.write_bytes(record(8)[:40])
    with Spool(tmp_path, segment_bytes=2 * size) as spool:
        assert spool.last_header() == (T0 + 7, 7, 7)  # from the meta file: the segment holding 7 is gone
        assert list(spool.unsent()) == []


def test_a_full_spool_refuses_a_record_with_sizes_and_keeps_what_it_had(tmp_path):
    size = len(record(1))
    with Spool(tmp_path, max_bytes=3 * size) as spool:
        for number in range(1, 4):
            spool.append(record(number))
        with pytest.raises(SpoolFull, match=rf"holds {3 * size} bytes of unsent records and may hold {3 * size} "
                                            rf"bytes: a record of {size} bytes does not fit"):
            spool.append(record(4))
        assert [r.header[2] for r in spool.unsent()] == [1, 2, 3]
        spool.acknowledge(next(spool.unsent()).position)  # one delivered: room for one more
        spool.append(record(4))
    with Spool(tmp_path) as spool:
        assert [r.data for r in spool.unsent()] == [record(2), record(3), record(4)]


def test_what_is_not_one_whole_record_is_refused(tmp_path):
    with Spool(tmp_path) as spool:
        with pytest.raises(BlockError, match="at least one payload block"):
            spool.append(encode(Record(T0, 0, 0)))
        with pytest.raises(BlockError, match="second header"):
            spool.append(record(1) + record(2))
        with pytest.raises(BlockError, match="checksum"):
            spool.append(record(1)[:4] + b"\0\0\0\0" + record(1)[8:])
        assert spool.pending() == (0, 0)


def test_a_failed_write_that_cannot_be_cut_back_stops_appends_until_a_reopen_cuts_it(tmp_path, monkeypatch,
                                                                                     caplog):
    spool = Spool(tmp_path)
    for number in range(1, 4):
        spool.append(record(number))
    segment, real_write = tmp_path / segments(tmp_path)[0], os.write

    def half_then_no_space(fd, data):  # the disk fills up in the middle of record 4
        real_write(fd, bytes(data[:30]))
        raise OSError(errno.ENOSPC, "No space left on device")

    def cannot_cut(fd, length):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "write", half_then_no_space)
    monkeypatch.setattr(os, "ftruncate", cannot_cut)
    with pytest.raises(SpoolBroken) as failed:
        spool.append(record(4))
    monkeypatch.undo()  # the disk works again, but the segment still ends in 30 bytes of record 4
    assert isinstance(failed.value, OSError) and str(failed.value) == (
        f"the spool segment {segment} could not be repaired after a failed write (No space left on device, then "
        "Input/output error); restart the channel")
    with pytest.raises(SpoolBroken, match=r"could not be repaired after a failed write \(.*\); restart the channel"):
        spool.append(record(5))
    assert segment.stat().st_size == 3 * len(record(1)) + 30  # nothing landed after the torn bytes
    assert [r.header[2] for r in spool.unsent()] == [1, 2, 3] and spool.pending()[0] == 3
    spool.close()
    with caplog.at_level(logging.WARNING, "dcs.channel.blockfile"), Spool(tmp_path) as spool:
        assert "cut a torn tail of 30 bytes" in caplog.text
        spool.append(record(5))
        assert [r.header[2] for r in spool.unsent()] == [1, 2, 3, 5]


def test_appends_from_several_threads_each_arrive_once(tmp_path):
    with Spool(tmp_path, segment_bytes=4096) as spool:
        def producer(first):
            for number in range(first, first + 50):
                spool.append(record(number))

        threads = [threading.Thread(target=producer, args=(first,)) for first in (1, 101, 201, 301)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        taken = [r.header[2] for r in spool.unsent()]
    assert sorted(taken) == [n for first in (1, 101, 201, 301) for n in range(first, first + 50)]
    assert [n for n in taken if n < 100] == list(range(1, 51))  # each producer's own order is kept


def test_wait_wakes_when_a_record_is_appended_and_take_can_wait_for_one(tmp_path):
    with Spool(tmp_path) as spool:
        assert spool.wait(0.05) is False and spool.take(timeout=0.05) is None
        timer = threading.Timer(0.2, spool.append, args=(record(1),))
        timer.start()
        assert spool.take(timeout=10).data == record(1)
        assert spool.wait(0) is True
        timer.join()


def test_a_spool_directory_is_used_by_one_spool_at_a_time(tmp_path):
    with Spool(tmp_path), pytest.raises(SpoolBusy, match="open in another process"):
        Spool(tmp_path)
    Spool(tmp_path).close()  # free again once closed


# --- block files -----------------------------------------------------------------------------------------

TWO = record(1) + record(2, values=5)
SECOND = len(record(1))


@pytest.mark.parametrize("cut", [SECOND + 1, SECOND + 4, SECOND + 12, SECOND + 23, SECOND + 24, SECOND + 30,
                                 len(TWO) - 4])
def test_a_block_file_cut_anywhere_in_its_last_record_keeps_the_records_before(tmp_path, cut, caplog):
    path = tmp_path / "beam.blocks"
    path.write_bytes(TWO[:cut])
    with caplog.at_level(logging.WARNING, "dcs.channel.blockfile"), BlockFile(path) as blocks:
        assert blocks.last_header == (T0 + 1, 1, 1) and blocks.size == SECOND
        blocks.append(record(2))
    assert f"cut a torn tail of {cut - SECOND} bytes at byte {SECOND}" in caplog.text
    assert path.read_bytes() == record(1) + record(2)


def test_a_block_file_with_a_bad_checksum_at_its_end_loses_that_record_only(tmp_path, caplog):
    path = tmp_path / "beam.blocks"
    damaged = bytearray(TWO)
    damaged[-1] ^= 0x40
    path.write_bytes(bytes(damaged))
    with BlockFile(path) as blocks:
        assert blocks.last_header == (T0 + 1, 1, 1) and blocks.records == 1
    assert "checksum" in caplog.text and path.read_bytes() == record(1)


def test_a_whole_block_file_is_left_as_it_is_and_an_empty_one_holds_nothing(tmp_path, caplog):
    whole = tmp_path / "whole.blocks"
    whole.write_bytes(TWO)
    with BlockFile(whole) as blocks:
        assert (blocks.records, blocks.last_header) == (2, (T0 + 2, 2, 2))
    with BlockFile(tmp_path / "new" / "empty.blocks") as blocks:
        assert blocks.last_header is None and blocks.size == 0
    assert whole.read_bytes() == TWO and "cut" not in caplog.text


def test_a_file_that_is_no_block_file_is_refused_not_emptied(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("these are somebody's notes, not blocks\n")
    with pytest.raises(BlockError, match="not a raw block file"):
        BlockFile(path)
    assert path.read_text().startswith("these are")


def test_daily_files_take_records_by_the_utc_date_of_their_header(tmp_path):
    midnight = 1_790_035_200  # 2026-09-22 00:00:00 UTC
    late = encode(Record(midnight - 1, 999_999_999, 7, in_spill=(DeviceData("E:TOR101", midnight - 1, 999, (1.0,)),)))
    early = encode(Record(midnight, 0, 8, in_spill=(DeviceData("E:TOR101", midnight, 0, (2.0,)),)))
    files = DailyFiles(tmp_path)
    assert files.last_header is None
    files.append(late)
    files.append(early)
    files.close()
    assert (tmp_path / "beam-20260921.blocks").read_bytes() == late
    assert (tmp_path / "beam-20260922.blocks").read_bytes() == early
    assert DailyFiles(tmp_path).last_header == (midnight, 0, 8)
    (tmp_path / "beam-20260922.blocks").write_bytes(early[:20])  # the new day's first record was torn
    assert DailyFiles(tmp_path).last_header == (midnight - 1, 999_999_999, 7)
    assert scan(tmp_path / "beam-20260922.blocks").length == 0 and os.path.getsize(tmp_path /
                                                                                    "beam-20260922.blocks") == 0
    assert decode((tmp_path / "beam-20260921.blocks").read_bytes())[0].spill == 7
