"""The channel end to end, against the simulated ACNET source and the reference receiver: what the source served
is what the sink holds, value for value and bit for bit, once, whatever is killed and restarted on the way."""

import http.client
import signal
import struct
import subprocess
import threading
import time
import xmlrpc.client
from pathlib import Path

import pytest

from dcs.channel.blocks import decode
from dcs.channel.configfile import load
from dcs.channel.listener import Refusal
from dcs.channel.process import Channel
from dcs.channel.receive import Receiver
from dcs.channel.source import Source
from tests.channel.helpers import until
from tests.server import DCS, dcs_env, free_port, run_dcs

IN_SPILL = ["E:TOR101", "E:HPTGT", "E:VPTGT", "E:HADMDS", "E:MM1CNT", "E:SPILL"]
OUT_OF_SPILL = ["M:OUTTMP", "E:HADMPD"]


def write_config(tmp_path, source, mode="mixed", sink=None, name="channel.toml"):
    (tmp_path / "channel.secret").write_text("beam-secret\n")
    sink = sink or f'kind = "tcp"\naddress = "127.0.0.1:{free_port()}"'
    text = f"""
mode = "{mode}"
[source]
url = "{source.url}"
addresses = ["127.0.0.1"]
secret_file = "channel.secret"
keepalive_s = 0.1
timeout_s = 2
[sink]
{sink}
spool = "spool"
"""
    if mode != "polling":
        text += f'[listener]\nport = {free_port()}\nrate_per_s = 500\nburst = 500\n' \
                f'[callback]\ntrigger = "E:SPILL"\ndevices = {IN_SPILL!r}\n'.replace("'", '"')
    if mode != "callback":
        text += f'[polling]\ndevices = {OUT_OF_SPILL!r}\n'.replace("'", '"') \
                + ("every_s = 0.05\n" if mode == "polling" else "after_spill_s = 0.01\n")
    path = tmp_path / name
    path.write_text(text)
    return path


def tcp_sink(port):
    return f'kind = "tcp"\naddress = "127.0.0.1:{port}"'


def served(source, how="callback"):
    return [entry for entry in source.served if entry["how"] == how]


def wire(readings):
    """What the source sent, as the sink must hold it: names, kinds, time stamps and the values' bits."""
    return [(r["name"], r["kind"], r["seconds"], r["millis"],
             struct.pack(f"<{len(r['values'])}{'f' if r['kind'] == 'F' else 'i'}", *r["values"]))
            for r in readings]


def held(devices):
    return [(d.name, d.kind, d.seconds, d.millis,
             struct.pack(f"<{len(d.values)}{'f' if d.kind == 'F' else 'i'}", *d.values)) for d in devices]


def records(path):
    return decode(Path(path).read_bytes()) if Path(path).exists() else []


def in_spill_records(path):
    return [r for r in records(path) if r.in_spill]


def assert_held_once_in_order(sink_records, served_entries, extra=0):
    """Every served callback is in the sink once, in order; at most `extra` records the source does not count as
    served (a channel killed after keeping a record but before answering the callback)."""
    kept = [held(r.in_spill) for r in sink_records]
    expected = [wire(entry["readings"]) for entry in served_entries]
    positions = [kept.index(item) for item in expected]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    assert len(kept) - len(expected) <= extra
    assert [r.spill for r in sink_records] == list(range(sink_records[0].spill, sink_records[0].spill + len(kept)))
    stamps = [(r.seconds, r.nanos) for r in sink_records]
    assert stamps == sorted(set(stamps))  # header times only go forward


@pytest.fixture
def source():
    with Source(spill_period_s=0.05, seed=7) as running:
        yield running


def test_every_spill_and_poll_the_source_served_is_in_the_sink_bit_for_bit(tmp_path, source):
    receiver = Receiver("127.0.0.1", 0, tmp_path / "received.blocks").start()
    channel = Channel(load(write_config(tmp_path, source, sink=tcp_sink(receiver.port)))).start()
    try:
        until(lambda: len(served(source)) >= 30 and len(served(source, "read")) >= 20, "30 spills")
        source.stop()
        until(lambda: channel.spool.pending()[0] == 0, "the spool to drain")
    finally:
        channel.stop()
        receiver.stop()
    kept = records(tmp_path / "received.blocks")
    spills = [r for r in kept if r.in_spill]
    assert [held(r.in_spill) for r in spills] == [wire(e["readings"]) for e in served(source)]
    assert [held(r.out_of_spill) for r in kept if r.out_of_spill] == [wire(e["readings"])
                                                                       for e in served(source, "read")]
    assert [r.spill for r in spills] == list(range(1, len(spills) + 1))
    last = 0
    for record in kept:  # out-of-spill data carries the count of the most recent callback
        if record.in_spill:
            last = record.spill
        else:
            assert record.spill == last
    first = served(source)[0]["event"]
    assert (spills[0].seconds, spills[0].nanos // 1_000_000) == (first["seconds"], first["millis"])


def receiving(port, out):
    return subprocess.Popen([DCS, "blocks", "receive", "--listen", f"127.0.0.1:{port}", "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=dcs_env(out.parent))


def test_a_sink_killed_mid_stream_and_restarted_gets_every_spill_once(tmp_path, source):
    port, out = free_port(), tmp_path / "received.blocks"
    sink = receiving(port, out)
    channel = Channel(load(write_config(tmp_path, source, mode="callback", sink=tcp_sink(port)))).start()
    try:
        until(lambda: len(in_spill_records(out)) >= 10, "10 records at the sink")
        sink.send_signal(signal.SIGKILL)
        sink.wait()
        count = len(served(source))
        until(lambda: len(served(source)) >= count + 10, "10 spills while the sink is down")
        assert channel.spool.pending()[0] > 0 and not channel.sink.status()["connected"]
        sink = receiving(port, out)
        until(lambda: len(served(source)) >= count + 20, "10 more spills")
        source.stop()
        until(lambda: len(in_spill_records(out)) >= len(served(source)), "every spill at the sink")
    finally:
        channel.stop()
        sink.terminate()
        sink.wait(10)
    assert_held_once_in_order(in_spill_records(out), served(source))
    assert len(in_spill_records(out)) == len(served(source))


def test_a_channel_killed_mid_stream_and_restarted_loses_and_repeats_no_spill(tmp_path, source):
    receiver = Receiver("127.0.0.1", 0, tmp_path / "received.blocks").start()
    config = write_config(tmp_path, source, mode="callback", sink=tcp_sink(receiver.port))
    env = dcs_env(tmp_path, DCS_LOG_LEVEL="INFO")
    out = tmp_path / "received.blocks"

    def run():
        return subprocess.Popen([DCS, "channel", "run", "--config", str(config)], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, env=env)

    channel = run()
    try:
        until(lambda: len(in_spill_records(out)) >= 10, "10 spills from the first channel")
        channel.send_signal(signal.SIGKILL)
        channel.wait()
        before = len(served(source))
        time.sleep(0.3)  # spills the source cannot deliver: it gives up on the dead listener
        channel = run()
        until(lambda: len(served(source)) >= before + 10, "10 spills for the restarted channel")
        source.stop()
        until(lambda: len(in_spill_records(out)) >= len(served(source)), "every served spill at the sink")
    finally:
        channel.terminate()
        output = channel.communicate(timeout=20)[0]
        receiver.stop()
    assert "the spill count continues at" in output and "registering" in output
    assert_held_once_in_order(in_spill_records(out), served(source), extra=1)
    assert in_spill_records(out)[0].spill == 1


def test_a_restarted_source_is_registered_with_again_and_the_files_sink_continues(tmp_path, source):
    port = int(source.url.split(":")[2].split("/")[0])
    config = write_config(tmp_path, source, mode="callback", sink='kind = "files"\ndirectory = "blocks"')
    channel = Channel(load(config)).start()
    second = None
    try:
        until(lambda: len(served(source)) >= 5, "5 spills")
        source.stop()
        first = served(source)
        second = Source(port=port, spill_period_s=0.05, seed=8).start()
        until(lambda: len(served(second)) >= 5, "5 spills from the restarted source")
        second.stop()
        until(lambda: channel.spool.pending()[0] == 0, "the spool to drain")
    finally:
        channel.stop()
        if second is not None:
            second.stop()
    files = sorted((tmp_path / "blocks").glob("beam-*.blocks"))
    kept = [r for path in files for r in records(path)]
    assert [held(r.in_spill) for r in kept] == [wire(e["readings"]) for e in first + served(second)]
    assert [r.spill for r in kept] == list(range(1, len(kept) + 1))


def test_a_flood_of_hostile_calls_does_not_cost_a_single_real_spill(tmp_path, source):
    receiver = Receiver("127.0.0.1", 0, tmp_path / "received.blocks").start()
    path = write_config(tmp_path, source, mode="callback", sink=tcp_sink(receiver.port))
    path.write_text(path.read_text().replace('addresses = ["127.0.0.1"]', 'addresses = ["127.0.0.1", "127.0.0.3"]')
                    .replace("rate_per_s = 500\nburst = 500", "rate_per_s = 50\nburst = 50"))
    config = load(path)
    channel = Channel(config).start()
    stop = threading.Event()

    def post(body, source_address, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", config.listener.port, timeout=5,
                                                source_address=(source_address, 0))
        try:
            connection.request("POST", "/RPC2", body=body, headers={"Content-Type": "text/xml", **(headers or {})})
            return connection.getresponse().read()
        finally:
            connection.close()

    forged = [{"name": "E:TOR101", "kind": "F", "seconds": 1, "millis": 0, "values": [9.0e99]}]
    attacks = [
        lambda: post(xmlrpc.client.dumps(("guess", "reg", {"seconds": 1, "millis": 0}, forged), "dcs.spill")
                     .encode(), "127.0.0.3"),
        lambda: post(b"<?xml version='1.0'?><!DOCTYPE l [<!ENTITY l0 'ha'><!ENTITY l1 '&l0;&l0;&l0;&l0;'>]>"
                     b"<methodCall><methodName>dcs.spill</methodName><params><param><value>&l1;</value>"
                     b"</param></params></methodCall>", "127.0.0.3"),
        lambda: post(b"<methodCall>" * 5, "127.0.0.3", {"Content-Length": str(512 * 1024**2)}),
        lambda: post(xmlrpc.client.dumps(("beam-secret", "reg", {}, forged), "dcs.spill").encode(), "127.0.0.2"),
        lambda: post(b"\x00" * 1000, "127.0.0.3"),
    ]

    def flood(attack):
        while not stop.is_set():
            try:
                attack()
            except (OSError, http.client.HTTPException):
                pass

    threads = [threading.Thread(target=flood, args=(attack,)) for attack in attacks for _ in range(2)]
    try:
        until(lambda: len(served(source)) >= 1, "the first spill")
        for thread in threads:
            thread.start()
        start = len(served(source))
        until(lambda: len(served(source)) >= start + 40, "40 spills during the flood")
        stop.set()
        for thread in threads:
            thread.join(10)
        source.stop()
        until(lambda: channel.spool.pending()[0] == 0, "the spool to drain")
    finally:
        stop.set()
        channel.stop()
        receiver.stop()
    numbers = [entry["event"]["number"] for entry in served(source)]
    assert numbers == list(range(1, len(numbers) + 1))  # no delivery failed during the flood
    kept = in_spill_records(tmp_path / "received.blocks")
    assert [held(r.in_spill) for r in kept] == [wire(e["readings"]) for e in served(source)]
    refused = channel.listener.refused.counts
    assert refused["address"] > 0 and refused["secret"] + refused["rate"] > 0 and refused["size"] + refused["rate"] > 0


def test_check_says_what_the_channel_would_do_and_a_bad_file_stops_it_with_the_key(tmp_path, source):
    config = write_config(tmp_path, source)
    env = dcs_env(tmp_path)
    checked = run_dcs(["channel", "check", "--config", str(config)], env)
    assert checked.returncode == 0, checked.stderr
    assert "in-spill by callback on E:SPILL: E:TOR101" in checked.stdout
    assert "out-of-spill by polling 0.01 s after each spill: M:OUTTMP, E:HADMPD" in checked.stdout
    config.write_text(config.read_text().replace('mode = "mixed"', 'mode = "mixed"\nmodee = 1'))
    for action in ("check", "run"):
        refused = run_dcs(["channel", action, "--config", str(config)], env)
        assert refused.returncode == 2 and "modee is not a setting the channel knows" in refused.stderr


def test_polls_follow_spills_even_when_they_come_faster_than_the_poll_delay(tmp_path, source):
    path = write_config(tmp_path, source)
    path.write_text(path.read_text().replace("after_spill_s = 0.01", "after_spill_s = 0.12"))
    channel = Channel(load(path)).start()
    try:
        until(lambda: len(served(source, "read")) >= 3, "3 polls while spills come every 0.05 s")
    finally:
        channel.stop()


def test_a_callback_from_another_day_or_without_readings_is_refused_and_nothing_is_kept(tmp_path, source):
    channel = Channel(load(write_config(tmp_path, source, mode="callback", sink=tcp_sink(free_port()))))
    channel.registration = "mine"
    now = int(time.time())
    reading = [{"name": "E:TOR101", "kind": "F", "seconds": now, "millis": 1, "values": [1.0]}]
    try:
        for event, readings, words in (({"seconds": now + 3 * 86400, "millis": 0}, reading, "more than a day"),
                                       ({"seconds": 2**32 + 5, "millis": 0}, reading, "more than a day"),
                                       ({"seconds": now, "millis": 0}, [], "no readings"),
                                       ({"seconds": now, "millis": 1000}, reading, "whole seconds and millis")):
            with pytest.raises(Refusal, match=words):
                channel.on_callback("mine", event, readings)
        assert channel.spool.pending() == (0, 0) and channel.spill == 0
        assert channel.on_callback("mine", {"seconds": now, "millis": 0}, reading) is True
        assert channel.spool.pending()[0] == 1 and channel.spill == 1
    finally:
        channel.spool.close()
        if channel.listener is not None:
            channel.listener.server.server_close()


def test_a_channel_that_cannot_start_says_why_in_one_sentence(tmp_path, source):
    config = write_config(tmp_path, source, mode="callback")
    env = dcs_env(tmp_path)
    first = Channel(load(config))  # holds the spool and the listener's port
    try:
        refused = run_dcs(["channel", "run", "--config", str(config)], env)
        assert refused.returncode == 2 and "Traceback" not in refused.stderr
        assert "the channel cannot start" in refused.stderr
    finally:
        first.spool.close()
        first.listener.server.server_close()


def test_polling_alone_records_out_of_spill_data_with_no_spill_counted(tmp_path, source):
    receiver = Receiver("127.0.0.1", 0, tmp_path / "received.blocks").start()
    channel = Channel(load(write_config(tmp_path, source, mode="polling", sink=tcp_sink(receiver.port)))).start()
    try:
        until(lambda: len(served(source, "read")) >= 5, "5 polls")
        source.stop()
        until(lambda: channel.spool.pending()[0] == 0, "the spool to drain")
    finally:
        channel.stop()
        receiver.stop()
    kept = records(tmp_path / "received.blocks")
    assert channel.listener is None and all(not r.in_spill and r.spill == 0 for r in kept)
    assert [held(r.out_of_spill) for r in kept] == [wire(e["readings"]) for e in served(source, "read")]


def test_a_timer_trigger_makes_a_spill_of_each_tick(tmp_path, source):
    path = write_config(tmp_path, source, mode="callback", sink='kind = "files"\ndirectory = "blocks"')
    path.write_text(path.read_text().replace('trigger = "E:SPILL"', 'trigger = "timer:0.07"'))
    channel = Channel(load(path)).start()
    try:
        until(lambda: len(served(source)) >= 4, "4 timer callbacks")
    finally:
        channel.stop()
    assert {e["event"]["trigger"] for e in served(source)} == {"timer:0.07"}
    kept = [r for path in (tmp_path / "blocks").glob("*.blocks") for r in records(path)]
    assert [r.spill for r in kept][:4] == [1, 2, 3, 4]
