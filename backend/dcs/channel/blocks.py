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


FLOAT32_MAX = 3.4028234663852886e38


def _fits_float32(value):
    """Whether a value can be written as a float32: a float or an int (not a bool) within its range; NaN and the
    infinities are float32 values too. An int too big for even a float64 (10**400) does not fit either."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        number = float(value)
    except OverflowError:
        return False
    return not math.isfinite(number) or abs(number) <= FLOAT32_MAX


def _short(value):
    """A value for an error sentence, without writing out all 400 digits of a huge int."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:20]}...({len(text)} characters)"


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
            if self.kind == "F" and not _fits_float32(value):
                raise BlockError(f"{self.name}: {_short(value)} does not fit a float32")

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


def payload_devices(words, offset=0):
    """The devices of a payload block's words (sizes and checksum already checked), every name, time stamp and
    count checked as DeviceData does; a BlockError naming the block's byte offset otherwise."""
    if len(words) < 4:
        raise BlockError(f"block at byte {offset}: a payload block has at least 4 words (the number of devices)")
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
        try:
            found.append(DeviceData(name, seconds, millis, tuple(values), kind))
        except BlockError as error:
            raise BlockError(f"block at byte {offset}: {error}") from None
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
        current[key] = current[key] + payload_devices(words, offset)
    return [Record(**r) for r in records]


# --- reading blocks one at a time from a file or a socket ----------------------------------------------------

MAX_BLOCK_WORDS = 16 * 1024 * 1024  # 64 MiB: far above any real block, low enough to refuse garbage sizes early


class TornBlock(BlockError):
    """The data ends inside a block: an append or a send that was cut short, rather than damaged data."""


def block_head(head, offset=0, max_words=MAX_BLOCK_WORDS):
    """(size in words, major, minor) of a block's first 3 words (12 bytes), checked before anything more is read:
    a size of 3 to max_words and a DCS id of a known type; a BlockError naming the byte offset otherwise."""
    size, _, ident = struct.unpack("<3I", head)
    if size < 3 or size > max_words:
        raise BlockError(f"block at byte {offset}: a size of {size} words is not a block size (3 to {max_words})")
    try:
        major, minor = parse_id(ident)
    except BlockError as error:
        raise BlockError(f"block at byte {offset}: {error}") from None
    if major not in MAJORS:
        raise BlockError(f"block at byte {offset}: unknown block type {major:#x}")
    if major == HEADER and size != 6:
        raise BlockError(f"block at byte {offset}: a header block has 6 words, not {size}")
    return size, major, minor


def block_words(head, body, offset=0):
    """The words of a whole block (its head and the rest), its checksum checked."""
    words = list(struct.unpack(f"<{(len(head) + len(body)) // 4}I", head + body))
    if checksum(words) != words[1]:
        raise BlockError(f"block at byte {offset}: the checksum is {words[1]:#010x}, the words sum to "
                         f"{checksum(words):#010x}")
    return words


def read_block(read, offset=0, max_words=MAX_BLOCK_WORDS):
    """The next block as (major, minor, words) from read(n) (which returns n bytes, or fewer only at the end),
    or None at a clean end. Sizes, ids and checksums are checked before the block is trusted, and an absurd size
    or a foreign id is refused before its body is read; a TornBlock when the data ends inside the block."""
    head = read(12)
    if not head:
        return None
    if len(head) < 12:
        raise TornBlock(f"block at byte {offset}: cut short, less than the 3 words every block starts with")
    size, major, minor = block_head(head, offset, max_words)
    body = read(4 * size - 12)
    if len(body) < 4 * size - 12:
        raise TornBlock(f"block at byte {offset}: cut short, {12 + len(body)} of its {4 * size} bytes are there")
    return major, minor, block_words(head, body, offset)


def read_blocks(stream, offset=0):
    """(byte offset, major, minor, words) of each block read from a binary stream, like blocks() but one block
    at a time, so a file of any size streams through. Damage raises a BlockError (a TornBlock for data that
    ends inside a block) naming the byte offset, after every good block before it was yielded."""
    while True:
        block = read_block(stream.read, offset)
        if block is None:
            return
        yield offset, *block
        offset += 4 * len(block[2])


def header_of(words, offset=0):
    """(seconds, nanos, spill) of a header block's words; a BlockError when it is not 6 words long."""
    if len(words) != 6:
        raise BlockError(f"block at byte {offset}: a header block has 6 words, not {len(words)}")
    return words[3], words[4], words[5]


def read_records(stream):
    """(byte offset, Record, number of blocks) of each record read from a binary stream, one record at a time.
    A record is yielded once the next header block or the end shows it whole, so damage (a BlockError naming
    the byte offset) comes after every good record before it; a header block without any payload block at the
    very end is a torn tail and a BlockError too."""
    current = None  # the record being read: offset, fields, blocks
    for offset, major, _, words in read_blocks(stream):
        if major == HEADER:
            if current is not None:
                yield current["offset"], Record(**current["fields"]), current["blocks"]
            seconds, nanos, spill = header_of(words, offset)
            current = {"offset": offset, "blocks": 1, "fields": {"seconds": seconds, "nanos": nanos, "spill": spill,
                                                                 "in_spill": (), "out_of_spill": ()}}
            continue
        if current is None:
            raise BlockError(f"block at byte {offset}: a payload block before any header block")
        key = "in_spill" if major == IN_SPILL else "out_of_spill"
        current["fields"][key] += payload_devices(words, offset)
        current["blocks"] += 1
    if current is not None:
        if current["blocks"] == 1:
            raise BlockError(f"block at byte {current['offset']}: a header block without its payload at the end "
                             "(a torn tail)")
        yield current["offset"], Record(**current["fields"]), current["blocks"]
