"""The beam channel guide's worked example is the codec's own output, and its configuration example is one the
channel accepts."""

import re
import struct
from pathlib import Path

from dcs.channel.blocks import DeviceData, Record, decode, encode
from dcs.channel.configfile import parse
from tests.server import dcs_env, run_dcs

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "beam-channel.md"
ROW = re.compile(r"^([0-9a-f]{4})    ((?:[0-9a-f]{2} ){3}[0-9a-f]{2})   0x([0-9a-f]{8})  ", re.M)


def fenced_after(heading, language=""):
    text = GUIDE.read_text()
    return re.search(rf"{re.escape(heading)}.*?```{language}\n(.*?)```", text, re.S).group(1)


def test_the_record_in_hex_is_what_the_codec_writes_and_reads():
    rows = ROW.findall(fenced_after("### A record in hex"))
    data = b"".join(bytes.fromhex(row[1]) for row in rows)
    assert [int(row[0], 16) for row in rows] == list(range(0, len(data), 4))
    assert all(struct.unpack("<I", bytes.fromhex(b))[0] == int(w, 16) for _, b, w in rows)
    toroid = struct.unpack("<f", struct.pack("<f", 3.0e13))[0]
    record = Record(1795305600, 250_000_000, 42, in_spill=(DeviceData("E:TOR101", 1795305600, 248, (toroid,), "F"),
                                                           DeviceData("E:SPILL", 1795305600, 249, (42,), "I")))
    assert data == encode(record) and decode(data) == [record]


def test_the_dump_shown_is_what_dcs_blocks_dump_prints(tmp_path):
    rows = ROW.findall(fenced_after("### A record in hex"))
    path = tmp_path / "one.blocks"
    path.write_bytes(b"".join(bytes.fromhex(row[1]) for row in rows))
    dumped = run_dcs(["blocks", "dump", str(path)], dcs_env(tmp_path))
    assert dumped.returncode == 0, dumped.stderr
    assert dumped.stdout == fenced_after("`dcs blocks dump` prints the same record as:")


def test_the_example_configuration_is_one_the_channel_accepts(tmp_path):
    import tomllib

    (tmp_path / "channel.secret").write_text("word\n")
    (tmp_path / "channel.token").write_text("token\n")
    config = parse(tomllib.loads(fenced_after("## The configuration file", "toml")), tmp_path / "channel.toml")
    assert config.mode == "mixed" and "E:HADMDS" in config.in_spill and config.out_of_spill == ("M:OUTTMP",
                                                                                                 "E:HADMPD")
    assert config.sink.protocol == "acknowledged" and config.portal.heartbeat_device == "bmon-mimosa"


def test_the_quick_start_configuration_is_complete_with_its_defaults(tmp_path):
    import tomllib

    config = parse(tomllib.loads(fenced_after("By hand, with this `channel.toml`", "toml")), tmp_path / "c.toml")
    assert config.mode == "mixed" and config.listener.url == "http://127.0.0.1:8092/RPC2"
    assert [str(n) for n in config.addresses] == ["127.0.0.1/32"] and config.sink.spool == tmp_path / "spool"
    assert config.trigger == "E:SPILL" and config.secret == ""
