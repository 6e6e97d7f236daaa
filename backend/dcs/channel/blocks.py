"""Raw data blocks of the beam monitor channel, exactly as DESIGN.md fixes them.

Little-endian 32-bit words. Every block starts with its size in words (itself included), its checksum (the sum
of every other word of the block, modulo 2**32) and its id:

    id = minor | major << 8 | S << 20 | CFN << 21 | csf << 24      S = 1 (DCS), CFN = 0b001 (near), csf = 0

with minor the schema version and major 0x310 (header), 0x320 (in-spill) or 0x330 (out-of-spill).

- Header block: size, checksum, id, seconds, nanoseconds, spill count (6 words).
- Payload block: size, checksum, id, number of devices, then per device: the name in two words (8 ASCII bytes
  `X:YYYYYY`, space padded, with the `:` replaced by `F` for float data or `I` for integer data), seconds,
  milliseconds, the number of values, the values (IEEE-754 float32 or int32).
- A spill's record is a header block followed by its payload blocks, sent contiguously.
"""

import math
import re
import struct
from dataclasses import dataclass, field

SCHEMA = 1
HEADER, IN_SPILL, OUT_OF_SPILL = 0x310, 0x320, 0x330
MAJORS = {HEADER: "header", IN_SPILL: "in-spill", OUT_OF_SPILL: "out-of-spill"}
S, CFN, CSF = 1, 0b001, 0
NAME = re.compile(r"[A-Z0-9]:[A-Z0-9_]{1,6}")  # ACNET: a letter, a colon, up to six characters (M:OUTTMP)
MAX_VALUES = 1 << 20


class BlockError(ValueError):
    """A block or record that is not as the format says: what is wrong, and where."""


def block_id(major, minor=SCHEMA):
    return minor | major << 8 | S << 20 | CFN << 21 | CSF << 24


def parse_id(word):
    """(major, minor) of a block id; a BlockError when its fixed bits are not S=1, CFN=001, csf=0."""
    if (word >> 20) & 1 != S or (word >> 21) & 0b111 != CFN or word >> 24 != CSF:
        raise BlockError(f"the block id {word:#010x} is not a DCS data block (S=1, CFN=001, csf=0)")
    return (word >> 8) & 0xFFF, word & 0xFF


def checksum(words):
    """The checksum of a block's words (the checksum word, the second, left out)."""
    return (sum(words) - words[1]) % 2**32


@dataclass(frozen=True)
class DeviceData:
    """One device's values in a payload block, with the source's own time stamp."""

    name: str  # ACNET name, e.g. M:OUTTMP
    seconds: int
    millis: int
    values: tuple
    kind: str = "F"  # F: float32, I: int32

    def __post_init__(self):
        if not NAME.fullmatch(self.name):
            raise BlockError(f"{self.name!r} is not an ACNET device name like M:OUTTMP (a letter, ':', up to 6)")
        if self.kind not in ("F", "I"):
            raise BlockError(f"the data kind is F (float) or I (integer), not {self.kind!r}")
        if not 0 <= self.seconds < 2**32 or not 0 <= self.millis < 1000:
            raise BlockError(f"{self.name}: the time stamp {self.seconds}.{self.millis:03d} is out of range")
        if len(self.values) > MAX_VALUES:
            raise BlockError(f"{self.name}: at most {MAX_VALUES} values")
        for value in self.values:
            if self.kind == "I" and (isinstance(value, bool) or not isinstance(value, int)
                                     or not -2**31 <= value < 2**31):
                raise BlockError(f"{self.name}: {value!r} is not a 32-bit integer")
            if self.kind == "F" and (isinstance(value, bool) or not isinstance(value, (int, float))
                                     or (math.isfinite(value) and abs(value) > 3.4028234663852886e38)):
                raise BlockError(f"{self.name}: {value!r} does not fit a float32")

    def name_words(self):
        text = self.name.replace(":", self.kind).ljust(8).encode("ascii")
        return struct.unpack("<2I", text)


@dataclass(frozen=True)
class Record:
    """A spill: when, which spill, and the devices' data in and out of the spill."""

    seconds: int
    nanos: int
    spill: int
    in_spill: tuple = field(default_factory=tuple)
    out_of_spill: tuple = field(default_factory=tuple)


def _block(major, body):
    words = [len(body) + 3, 0, block_id(major), *body]
    words[1] = checksum(words)
    return struct.pack(f"<{len(words)}I", *words)


def _payload(major, devices):
    body = [len(devices)]
    for device in devices:
        body += [*device.name_words(), device.seconds, device.millis, len(device.values)]
        fmt = f"<{len(device.values)}{'f' if device.kind == 'F' else 'i'}"
        body += struct.unpack(f"<{len(device.values)}I", struct.pack(fmt, *device.values))
    return _block(major, body)


def encode(record):
    """The bytes of a spill's record: its header block, then an in-spill and/or an out-of-spill payload block
    (each only when it has devices)."""
    if not (0 <= record.seconds < 2**32 and 0 <= record.nanos < 10**9 and 0 <= record.spill < 2**32):
        raise BlockError("the record's time or spill count is out of range")
    out = _block(HEADER, [record.seconds, record.nanos, record.spill])
    if record.in_spill:
        out += _payload(IN_SPILL, record.in_spill)
    if record.out_of_spill:
        out += _payload(OUT_OF_SPILL, record.out_of_spill)
    return out


def _devices(words, offset):
    count, at, found = words[3], 4, []
    for number in range(count):
        if at + 5 > len(words):
            raise BlockError(f"block at byte {offset}: device {number + 1} of {count} runs past the block's end")
        raw = struct.pack("<2I", words[at], words[at + 1])
        try:
            text = raw.decode("ascii").rstrip(" ")
        except UnicodeDecodeError:
            raise BlockError(f"block at byte {offset}: device {number + 1} has a name that is not ASCII") from None
        if len(text) < 3 or text[1] not in "FI":
            raise BlockError(f"block at byte {offset}: {text!r} is not a name with F or I in place of ':'")
        kind, name = text[1], text[0] + ":" + text[2:]
        seconds, millis, n = words[at + 2], words[at + 3], words[at + 4]
        at += 5
        if at + n > len(words):
            raise BlockError(f"block at byte {offset}: {name} has {n} values, more than the block holds")
        values = struct.unpack(f"<{n}{'f' if kind == 'F' else 'i'}", struct.pack(f"<{n}I", *words[at:at + n]))
        at += n
        found.append(DeviceData(name, seconds, millis, tuple(values), kind))
    if at != len(words):
        raise BlockError(f"block at byte {offset}: {len(words) - at} words after the last device")
    return tuple(found)


def blocks(data):
    """(byte offset, major, minor, words) of each block in data, checking sizes and checksums."""
    if len(data) % 4:
        raise BlockError(f"{len(data)} bytes are not whole 32-bit words")
    offset = 0
    while offset < len(data):
        if offset + 12 > len(data):
            raise BlockError(f"block at byte {offset}: cut short, less than the 3 words every block starts with")
        size = struct.unpack_from("<I", data, offset)[0]
        if size < 3 or offset + 4 * size > len(data):
            raise BlockError(f"block at byte {offset}: its size of {size} words does not fit the data "
                             f"({(len(data) - offset) // 4} words left)")
        words = list(struct.unpack_from(f"<{size}I", data, offset))
        if checksum(words) != words[1]:
            raise BlockError(f"block at byte {offset}: the checksum is {words[1]:#010x}, the words sum to "
                             f"{checksum(words):#010x}")
        major, minor = parse_id(words[2])
        if major not in MAJORS:
            raise BlockError(f"block at byte {offset}: unknown block type {major:#x}")
        yield offset, major, minor, words
        offset += 4 * size


def decode(data):
    """The records in data (a header block, then its payload blocks), every size and checksum checked."""
    records, current = [], None
    for offset, major, _, words in blocks(data):
        if major == HEADER:
            if len(words) != 6:
                raise BlockError(f"block at byte {offset}: a header block has 6 words, not {len(words)}")
            current = {"seconds": words[3], "nanos": words[4], "spill": words[5], "in_spill": (),
                       "out_of_spill": ()}
            records.append(current)
            continue
        if current is None:
            raise BlockError(f"block at byte {offset}: a payload block before any header block")
        key = "in_spill" if major == IN_SPILL else "out_of_spill"
        current[key] = current[key] + _devices(words, offset)
    return [Record(**r) for r in records]
