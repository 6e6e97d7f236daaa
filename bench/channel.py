"""Beam channel latency: from the source sending a callback to the spill's record written (and fsynced) at the
sink, on loopback. The channel runs as its own process (`dcs channel run`, TCP sink, acknowledged protocol); the
simulated ACNET source and the reference receiver run here. Side by side, on the same spills, a bare listener
(stdlib SimpleXMLRPCServer) that turns each callback into a record and appends it to a file with fsync: the least
any channel has to do. Target: p99 under 50 ms."""

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer

from dcs.channel import acnet
from dcs.channel.blocks import Record, encode
from dcs.channel.receive import Receiver
from dcs.channel.source import Source

from tests.server import free_port

SPILLS = 1000
WARMUP = 20
PERIOD_S = 0.02
TARGET_MS = 50.0
DEVICES = ["E:TOR101", "E:TORTGT", "E:HP121", "E:VP121", "E:HPTGT", "E:VPTGT", "E:HRNCUR", "E:HADMDS", "E:MM1CNT"]
DCS = str(Path(sys.executable).with_name("dcs"))


class TimedSource(Source):
    """The simulated source, noting when it sends each callback."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sent = {}  # (registration, event number) -> perf_counter_ns

    def _deliver(self, registration, event, readings):
        self.sent[(registration.id, event["number"])] = time.perf_counter_ns()
        return super()._deliver(registration, event, readings)


class Quiet(SimpleXMLRPCRequestHandler):
    def log_message(self, *args):
        pass


def bare_listener(path):
    """The baseline: parse the callback, make its record, append it with fsync."""
    written, fd = {}, os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    server = SimpleXMLRPCServer(("127.0.0.1", 0), requestHandler=Quiet, logRequests=False, allow_none=True)

    def spill(secret, registration, event, readings):
        devices = acnet.device_data(readings, DEVICES)
        data = encode(Record(event["seconds"], event["millis"] * 1_000_000, event["number"], in_spill=devices))
        os.write(fd, data)
        os.fsync(fd)
        written[event["number"]] = time.perf_counter_ns()
        return True

    server.register_function(spill, "dcs.spill")
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
    return server, written, fd


def percentiles(samples_ms):
    ordered = sorted(samples_ms)

    def at(q):
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return {"p50": at(0.50), "p90": at(0.90), "p99": at(0.99), "max": ordered[-1],
            "mean": statistics.fmean(ordered), "count": len(ordered)}


def run():
    with tempfile.TemporaryDirectory(prefix="dcs-bench-channel-") as tmp:
        tmp = Path(tmp)
        source = TimedSource(spill_period_s=PERIOD_S, seed=3).start()
        receiver = Receiver("127.0.0.1", 0, tmp / "received.blocks").start()
        written = {}
        append = receiver._file.append

        def timed_append(data):
            append(data)
            written[int.from_bytes(data[20:24], "little")] = time.perf_counter_ns()  # the header's spill count

        receiver._file.append = timed_append
        (tmp / "channel.secret").write_text("bench-secret\n")
        listener_port = free_port()
        (tmp / "channel.toml").write_text(f"""
mode = "callback"
[source]
url = "{source.url}"
secret_file = "channel.secret"
keepalive_s = 0.5
[listener]
port = {listener_port}
rate_per_s = 1000
burst = 1000
[callback]
trigger = "E:SPILL"
devices = {DEVICES!r}
[sink]
kind = "tcp"
address = "127.0.0.1:{receiver.port}"
spool = "spool"
""".replace("'", '"'))
        env = {k: v for k, v in os.environ.items() if not k.startswith("DCS_")} | {"DCS_LOG_LEVEL": "WARNING"}
        channel = subprocess.Popen([DCS, "channel", "run", "--config", str(tmp / "channel.toml")], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        bare, bare_written, fd = bare_listener(tmp / "bare.blocks")
        bare_url = f"http://127.0.0.1:{bare.server_address[1]}/RPC2"
        try:
            client = acnet.Client(source.url, 5)
            ours = client.register("E:SPILL", DEVICES, bare_url, "dcs.spill", "")["id"]
            deadline = time.monotonic() + 30
            while len(client.status()["registrations"]) < 2:  # the channel has registered too
                if time.monotonic() > deadline or channel.poll() is not None:
                    raise RuntimeError("the channel did not register: " + (channel.stderr.read() if channel.poll()
                                                                            is not None else "timeout"))
                time.sleep(0.05)
            theirs = next(r for r in client.status()["registrations"] if r != ours)
            print(f"   {SPILLS} spills every {PERIOD_S * 1000:.0f} ms to the channel (a process, TCP sink, "
                  "acknowledged) and, side by side, to a bare listener")
            deadline = time.monotonic() + SPILLS * PERIOD_S * 3 + 60
            while len(written) < SPILLS + WARMUP or len(bare_written) < SPILLS + WARMUP:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"only {len(written)} channel and {len(bare_written)} bare records arrived")
                time.sleep(0.1)
        finally:
            source.stop()
            channel.terminate()
            channel.wait(20)
            receiver.stop()
            bare.shutdown()
            bare.server_close()
            os.close(fd)
        channel_ms = [(written[n] - source.sent[(theirs, n)]) / 1e6 for n in range(WARMUP + 1, SPILLS + WARMUP + 1)]
        bare_ms = [(bare_written[n] - source.sent[(ours, n)]) / 1e6 for n in range(WARMUP + 1, SPILLS + WARMUP + 1)]
    result = {"spills": SPILLS, "period_ms": PERIOD_S * 1000, "devices": len(DEVICES),
              "channel_ms": percentiles(channel_ms), "bare_ms": percentiles(bare_ms), "target_p99_ms": TARGET_MS}
    c, b = result["channel_ms"], result["bare_ms"]
    result["ratio_p99"] = c["p99"] / b["p99"]
    result["meets_target"] = c["p99"] < TARGET_MS
    for name, p in (("channel (callback -> spool -> TCP -> receiver fsync)", c), ("bare listener (fsync)", b)):
        print(f"   {name}: p50 {p['p50']:.2f} ms, p90 {p['p90']:.2f} ms, p99 {p['p99']:.2f} ms, "
              f"max {p['max']:.2f} ms")
    print(f"   latency p99: channel / bare {result['ratio_p99']:.2f}")
    print(f"   channel: callback -> block written p99 {c['p99']:.2f} ms <{TARGET_MS:.0f} ms "
          f"{'yes' if result['meets_target'] else 'NO'}")
    return result
