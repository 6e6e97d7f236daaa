"""Raw data blocks as DESIGN.md fixes them: words, ids, checksums, names; records that round-trip bit for bit,
and damaged data refused with where and why."""

import re
import struct

import pytest

from dcs.channel.blocks import (HEADER, IN_SPILL, OUT_OF_SPILL, BlockError, DeviceData, Record, block_id, decode,
                                encode, parse_id)

RECORD = Record(1_790_000_000, 123_456_789, 42,
                in_spill=(DeviceData("E:TOR101", 1_790_000_000, 5, (1048576.5, 0.25)),
                          DeviceData("M:OUTTMP", 1_790_000_000, 7, (74,), "I")),
                out_of_spill=(DeviceData("M:OUTTMP", 1_790_000_001, 250, (-3,), "I"),))


def words(data):
    return list(struct.unpack(f"<{len(data) // 4}I", data))


def test_a_block_id_holds_the_schema_the_type_and_the_fixed_bits():
    assert block_id(HEADER) == 1 | 0x310 << 8 | 1 << 20 | 1 << 21 == 0x331001
    assert parse_id(block_id(OUT_OF_SPILL, 3)) == (OUT_OF_SPILL, 3)
    with pytest.raises(BlockError, match="not a DCS data block"):
        parse_id(0x310 << 8)


def test_a_record_is_a_header_block_and_its_payload_blocks_word_by_word():
    data = encode(RECORD)
    w = words(data)
    assert w[:6] == [6, (6 + block_id(HEADER) + 1_790_000_000 + 123_456_789 + 42) % 2**32, block_id(HEADER),
                     1_790_000_000, 123_456_789, 42]
    payload = w[6:6 + w[6]]
    assert payload[2] == block_id(IN_SPILL) and payload[3] == 2
    assert struct.pack("<2I", *payload[4:6]) == b"EFTOR101"  # ':' becomes F for float data
    assert payload[6:9] == [1_790_000_000, 5, 2]
    assert struct.unpack("<2f", struct.pack("<2I", *payload[9:11])) == (1048576.5, 0.25)
    assert struct.pack("<2I", *payload[11:13]) == b"MIOUTTMP"  # and I for integer data
    assert payload[1] == (sum(payload) - payload[1]) % 2**32


def test_what_is_decoded_is_what_was_encoded_bit_for_bit():
    second = Record(1_790_000_002, 0, 43, in_spill=(DeviceData("E:TOR1", 1_790_000_002, 0, (0.1,)),))
    data = encode(RECORD) + encode(second)
    decoded = decode(data)
    assert decoded[0] == RECORD and decoded[1].spill == 43
    assert encode(decoded[0]) + encode(decoded[1]) == data
    assert struct.pack("<f", decoded[1].in_spill[0].values[0]) == struct.pack("<f", 0.1)  # float32 as sent
    assert decoded[1].in_spill[0].name == "E:TOR1"  # short names are space padded and come back as they were


@pytest.mark.parametrize("damage, words_", [
    (lambda d: d[:-4], "does not fit"),
    (lambda d: d[:4] + struct.pack("<I", (words(d)[1] + 1) % 2**32) + d[8:], "checksum"),
    (lambda d: d + b"\x01\x02", "whole 32-bit words"),
    (lambda d: d[24:], "payload block before any header"),
    (lambda d: struct.pack("<I", 2) + d[4:], "does not fit"),
])
def test_damaged_data_is_refused_saying_where_and_why(damage, words_):
    with pytest.raises(BlockError, match=words_):
        decode(damage(encode(RECORD)))


@pytest.mark.parametrize("device, words_", [
    (lambda: DeviceData("OUTTMP", 0, 0, ()), "not an ACNET device name"),
    (lambda: DeviceData("M:TOOLONGNAME", 0, 0, ()), "not an ACNET device name"),
    (lambda: DeviceData("M:OUTTMP", 0, 1000, ()), "out of range"),
    (lambda: DeviceData("M:OUTTMP", 0, 0, (2**31,), "I"), "32-bit integer"),
    (lambda: DeviceData("M:OUTTMP", 0, 0, (1e39,)), "float32"),
    (lambda: DeviceData("M:OUTTMP", 0, 0, (10**400,)), "does not fit a float32"),
    (lambda: DeviceData("M:OUTTMP", 0, 0, (-2**200,)), "does not fit a float32"),
    (lambda: DeviceData("M:OUTTMP", 0, 0, (1,), "X"), "F (float) or I"),
])
def test_data_that_the_format_cannot_hold_is_refused_before_encoding(device, words_):
    with pytest.raises(BlockError, match=re.escape(words_)):
        device()
