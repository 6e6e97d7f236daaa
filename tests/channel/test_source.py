"""The simulated ACNET source, spoken to as the channel will: XML-RPC over real sockets on 127.0.0.1, listeners
that are small stdlib XML-RPC servers, and `dcs channel simulate` as a real subprocess."""

import json
import math
import random
import selectors
import signal
import subprocess
import threading
import time
import urllib.request
import xmlrpc.client
from xmlrpc.server import SimpleXMLRPCServer

import pytest

from dcs.channel.source import DEVICES, MAX_REGISTRATIONS, Beam, Pending, Source, float32
from tests.server import DCS, dcs_env, free_port

NAMES = [device.name for device in DEVICES]


def wait_until(predicate, timeout=10, what="the condition"):
    deadline = time.monotonic() + timeout
    while not (result := predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not come true within {timeout} s")
        time.sleep(0.02)
    return result


class Listener:
    """A listener like the channel's: an XML-RPC server whose dcs.spill keeps what it got. `answer` says how it
    answers the n-th call (from 1): True, or a fault."""

    def __init__(self, answer=lambda number: True):
        self.got, self.answer = [], answer
        self.server = SimpleXMLRPCServer(("127.0.0.1", 0), logRequests=False)
        self.server.register_function(self.spill, "dcs.spill")
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/RPC2"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def spill(self, secret, id, event, readings):
        self.got.append((secret, id, event, readings))
        if self.answer(len(self.got)) is not True:
            raise xmlrpc.client.Fault(500, "the listener refuses this one")
        return True

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.close()


@pytest.fixture
def source():
    with Source(spill_period_s=0.05, seed=8) as running:
        yield running


def proxy(source):
    return xmlrpc.client.ServerProxy(source.url)


def fault_of(call):
    with pytest.raises(xmlrpc.client.Fault) as caught:
        call()
    return caught.value.faultCode, caught.value.faultString


def callbacks(source, registration):
    return [(entry["event"], entry["readings"]) for entry in source.served
            if entry["how"] == "callback" and entry["registration"] == registration]


def assert_readings_are_well_formed(readings, names, before, after):
    assert [reading["name"] for reading in readings] == names
    for reading in readings:
        device = next(device for device in DEVICES if device.name == reading["name"])
        assert reading["kind"] == device.kind and len(reading["values"]) == device.count
        assert before - 1 <= reading["seconds"] + reading["millis"] / 1000 <= after + 1
        assert 0 <= reading["millis"] <= 999
        for value in reading["values"]:
            if device.kind == "F":
                assert isinstance(value, float) and math.isfinite(value) and float32(value) == value
            else:
                assert type(value) is int and -2**31 <= value < 2**31


def test_the_catalogue_lists_about_ten_beam_devices_with_their_kinds_counts_and_units(source):
    catalogue = {device["name"]: device for device in proxy(source).acnet.devices()}
    assert set(catalogue) == set(NAMES) and len(catalogue) >= 10
    assert catalogue["E:TOR101"] == {"name": "E:TOR101", "kind": "F", "count": 1, "unit": "ppp",
                                     "description": catalogue["E:TOR101"]["description"]}
    assert (catalogue["E:HADMDS"]["count"], catalogue["E:MM1CNT"]["count"]) == (49, 81)
    assert (catalogue["E:MM1CNT"]["kind"], catalogue["E:SPILL"]["kind"]) == ("I", "I")
    assert catalogue["E:HRNCUR"]["unit"] == "kA" and catalogue["M:OUTTMP"]["unit"] == "degF"
    assert all(device["description"] for device in catalogue.values())


def test_a_poll_returns_every_asked_device_in_order_with_its_own_time_stamp_and_float32_exact_values(source):
    asked = list(reversed(NAMES)) + ["E:TOR101"]  # any order, repeats allowed
    before = time.time()
    readings = proxy(source).acnet.read(asked)
    assert_readings_are_well_formed(readings, asked, before, time.time())
    stamps = {(reading["seconds"], reading["millis"]) for reading in readings}
    assert len(stamps) > 1  # a DAE reads its devices a few ms apart
    assert source.served[-1] == {"how": "read", "registration": None, "event": None, "readings": readings}


def test_the_simulated_beam_is_about_3e13_protons_with_now_and_then_a_weak_spill_and_a_spot_on_the_monitor():
    beam = Beam(random.Random(1))
    pulses = []
    for _ in range(400):
        beam.next_spill()
        pulses.append({name: beam.values(name, time.time()) for name in NAMES})
    intensities = [pulse["E:TOR101"][0] for pulse in pulses]
    assert sum(2.7e13 < value < 3.3e13 for value in intensities) > 300
    assert any(value < 1e13 for value in intensities)  # a weak spill
    assert len(set(intensities)) == len(intensities)  # every spill differs
    assert all(abs(pulse[name][0]) < 3 for pulse in pulses for name in ("E:HP121", "E:VP121", "E:HPTGT",
                                                                          "E:VPTGT"))
    assert all(180 < pulse["E:HRNCUR"][0] < 190 for pulse in pulses)
    assert pulses[-1]["E:SPILL"] == [400]
    spot = pulses[0]["E:HADMDS"]
    assert max(range(49), key=spot.__getitem__) in {16, 17, 18, 23, 24, 25, 30, 31, 32}  # near the centre


def test_unknown_and_badly_named_devices_answer_faults_with_sentences(source):
    acnet = proxy(source).acnet
    assert fault_of(lambda: acnet.read(["E:TOR101", "X:NOPE"])) == (404, "unknown device 'X:NOPE'")
    code, text = fault_of(lambda: acnet.read(["e:tor101"]))
    assert code == 400 and "is not an ACNET device name" in text
    for bad in ("E:TOR101", [1, 2], [], ["E:TOR101"] * 65):
        code, text = fault_of(lambda bad=bad: acnet.read(bad))
        assert (code, text) == (400, "acnet.read takes a list of 1 to 64 device names like ['E:TOR101', 'M:OUTTMP'].")
    assert fault_of(lambda: acnet.read()) == (400, "acnet.read takes 1 argument (names), not 0.")
    code, text = fault_of(lambda: acnet.subscribe(["E:TOR101"]))
    assert code == 404 and text.startswith("There is no method 'acnet.subscribe'")


@pytest.mark.parametrize(("args", "says"), [
    (("E:TOR101", ["E:TOR101"], "http://127.0.0.1:9/", "dcs.spill", ""), "The trigger is 'E:SPILL'"),
    (("timer:0.01", ["E:TOR101"], "http://127.0.0.1:9/", "dcs.spill", ""), "with 0.05 to 3600 seconds"),
    (("timer:soon", ["E:TOR101"], "http://127.0.0.1:9/", "dcs.spill", ""), "not 'timer:soon'"),
    (("E:SPILL", ["E:TOR101"], "https://127.0.0.1:9/", "dcs.spill", ""), "http, a host and a port"),
    (("E:SPILL", ["E:TOR101"], "http://127.0.0.1/", "dcs.spill", ""), "http, a host and a port"),
    (("E:SPILL", ["E:TOR101"], "http://:9/", "dcs.spill", ""), "http, a host and a port"),
    (("E:SPILL", ["E:TOR101"], "http://127.0.0.1:9/", "1spill", ""), "The callback method is a name"),
    (("E:SPILL", ["E:TOR101"], "http://127.0.0.1:9/", "dcs.spill", "x" * 257), "at most 256 printable"),
    (("E:SPILL", ["E:TOR101"], "http://127.0.0.1:9/", "dcs.spill", 7), "at most 256 printable"),
    (("E:SPILL", "E:TOR101", "http://127.0.0.1:9/", "dcs.spill", ""), "acnet.register takes a list of 1 to 64"),
    (("E:SPILL", ["E:TOR101"], "http://127.0.0.1:9/", "dcs.spill"), "takes 5 arguments (trigger, names, url, "),
])
def test_a_bad_registration_answers_a_fault_400_with_a_sentence(source, args, says):
    code, text = fault_of(lambda: proxy(source).acnet.register(*args))
    assert code == 400 and says in text and text.endswith(".")
    assert proxy(source).acnet.status()["registrations"] == []


def test_the_source_holds_at_most_16_registrations(source):
    acnet = proxy(source).acnet
    ids = [acnet.register("timer:3600", ["M:OUTTMP"], "http://127.0.0.1:9/", "dcs.spill", "")["id"]
           for _ in range(MAX_REGISTRATIONS)]
    assert len(set(ids)) == MAX_REGISTRATIONS
    code, text = fault_of(lambda: acnet.register("E:SPILL", ["E:TOR101"], "http://127.0.0.1:9/", "dcs.spill", ""))
    assert code == 429 and "at most 16 registrations" in text
    assert acnet.unregister(ids[0]) is True and acnet.unregister(ids[0]) is False
    assert acnet.register("E:SPILL", ["E:TOR101"], "http://127.0.0.1:9/", "dcs.spill", "")["boot"] == source.boot


def test_a_listener_gets_the_spills_in_order_and_what_was_served_matches_value_for_value(tmp_path):
    log = tmp_path / "served.jsonl"
    with Listener() as listener, Source(spill_period_s=0.05, seed=3, served_log=str(log)) as source:
        names = ["E:SPILL", "E:TOR101", "E:HADMDS", "E:MM1CNT", "M:OUTTMP"]
        before = time.time()
        answer = proxy(source).acnet.register("E:SPILL", names, listener.url, "dcs.spill", "s3cret")
        assert answer["boot"] == proxy(source).acnet.status()["boot"] == source.boot
        wait_until(lambda: len(callbacks(source, answer["id"])) >= 5, what="five spills served")
    served = callbacks(source, answer["id"])
    got = listener.got
    assert [event for event, _ in served] == [event for _, _, event, _ in got[:len(served)]]
    assert len(got) - len(served) in (0, 1)  # the source may have stopped before reading the last answer
    assert all((secret, id) == ("s3cret", answer["id"]) for secret, id, _, _ in got)
    assert served == [(event, readings) for _, _, event, readings in got[:len(served)]]
    assert [event["number"] for event, _ in served] == list(range(1, len(served) + 1))
    assert all(event["trigger"] == "E:SPILL" for event, _ in served)
    spills = [readings[0]["values"][0] for _, readings in served]
    assert spills == sorted(spills) and len(set(spills)) == len(spills)  # one spill each, in order
    assert len({readings[1]["values"][0] for _, readings in served}) == len(served)  # the beam varies
    for _, readings in served:
        assert_readings_are_well_formed(readings, names, before, time.time())
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert lines == source.served  # another process can compare the same way


def test_a_timer_registration_fires_every_period_between_spills():
    with Listener() as listener, Source(spill_period_s=3600) as source:
        registration = proxy(source).acnet.register("timer:0.05", ["E:HADMPD", "M:OUTTMP"], listener.url,
                                                    "dcs.spill", "")["id"]
        wait_until(lambda: len(callbacks(source, registration)) >= 3, what="three timer triggers")
        assert proxy(source).acnet.status()["spills"] == 0
    events = [event for event, _ in callbacks(source, registration)]
    assert [event["number"] for event in events] == list(range(1, len(events) + 1))
    assert {event["trigger"] for event in events} == {"timer:0.05"}


def test_a_listener_that_stops_answering_is_dropped_after_3_failed_deliveries(source):
    listener = Listener()
    registration = proxy(source).acnet.register("E:SPILL", ["E:TOR101"], listener.url, "dcs.spill", "")["id"]
    wait_until(lambda: callbacks(source, registration), what="a first delivery")
    listener.close()
    wait_until(lambda: registration not in proxy(source).acnet.status()["registrations"], what="the drop")
    served = len(callbacks(source, registration))
    spills = proxy(source).acnet.status()["spills"]
    wait_until(lambda: proxy(source).acnet.status()["spills"] >= spills + 3, what="three more spills")
    assert len(callbacks(source, registration)) == served


def test_a_listener_answering_faults_is_dropped_after_3_in_a_row_but_not_for_one_now_and_then(source):
    with Listener(answer=lambda number: False) as refusing, Listener(answer=lambda n: n % 2 == 0) as flaky:
        acnet = proxy(source).acnet
        refused = acnet.register("E:SPILL", ["E:TOR101"], refusing.url, "dcs.spill", "")["id"]
        sometimes = acnet.register("E:SPILL", ["E:TOR101"], flaky.url, "dcs.spill", "")["id"]
        wait_until(lambda: refused not in acnet.status()["registrations"], what="the drop")
        assert len(refusing.got) == 3 and callbacks(source, refused) == []
        wait_until(lambda: len(flaky.got) >= 8, what="eight deliveries")
        assert sometimes in acnet.status()["registrations"]
        assert [event["number"] for event, _ in callbacks(source, sometimes)][:3] == [2, 4, 6]  # not retried


def test_a_restarted_source_has_a_new_boot_id_and_no_registrations():
    first = Source(spill_period_s=0.05).start()
    port = first.port
    registration = proxy(first).acnet.register("E:SPILL", ["E:TOR101"], "http://127.0.0.1:9/", "dcs.spill", "")
    first.stop()
    with Source(port=port, spill_period_s=0.05) as second:
        status = proxy(second).acnet.status()
        assert second.url == first.url and status["boot"] != registration["boot"]
        assert status["registrations"] == [] and proxy(second).acnet.unregister(registration["id"]) is False


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_a_request_declaring_a_document_type_or_entities_is_refused_before_any_entity_expands(source, encoding):
    call = ('<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lollollollol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
            '<methodCall><methodName>acnet.read</methodName><params><param><value><array><data>'
            '<value><string>&lol2;</string></value></data></array></value></param></params></methodCall>')
    if encoding != "utf-8":
        call = call.replace('version="1.0"', f'version="1.0" encoding="{encoding}"')
    request = urllib.request.Request(source.url, call.encode(encoding), {"Content-Type": "text/xml"})
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
    with pytest.raises(xmlrpc.client.Fault) as caught:
        xmlrpc.client.loads(body)
    assert caught.value.faultCode == 400
    assert "may not declare a document type or entities" in caught.value.faultString


def test_a_request_that_is_not_an_xml_rpc_call_answers_a_fault_400(source):
    for body in (b"hello", b"<methodResponse><params/></methodResponse>"):
        request = urllib.request.Request(source.url, body, {"Content-Type": "text/xml"})
        with urllib.request.urlopen(request, timeout=10) as response, pytest.raises(xmlrpc.client.Fault) as caught:
            xmlrpc.client.loads(response.read())
        assert caught.value.faultCode == 400 and "well-formed" in caught.value.faultString


def test_stop_ends_every_thread_even_while_a_listener_never_answers():
    import socket

    with socket.socket() as silent:  # accepts connections (the kernel does), never reads or answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/RPC2"
        source = Source(spill_period_s=0.05).start()
        registration = proxy(source).acnet.register("E:SPILL", ["E:TOR101"], url, "dcs.spill", "")["id"]
        wait_until(lambda: proxy(source).acnet.status()["spills"] >= 2, what="two spills")
        source.stop()
    assert not [thread.name for thread in threading.enumerate() if thread.name.startswith("acnet-source-")]
    assert callbacks(source, registration) == []


def test_pending_callbacks_are_bounded_so_a_dead_listener_cannot_grow_memory():
    pending = Pending(limit=3)
    for number in range(1, 6):
        pending.put(number)
    assert (pending.get(), pending.get(), pending.get(), pending.dropped) == (3, 4, 5, 2)
    pending.close()
    assert pending.get() is None


def test_dcs_channel_simulate_serves_until_sigterm_and_logs_what_it_served(tmp_path):
    port, log = free_port(), tmp_path / "served.jsonl"
    process = subprocess.Popen([DCS, "channel", "simulate", "--port", str(port), "--spill-period", "0.05",
                                "--seed", "5", "--served-log", str(log)], env=dcs_env(tmp_path),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            assert selector.select(timeout=30), "dcs channel simulate printed nothing in 30 s"
        line = process.stdout.readline()
        assert f"http://127.0.0.1:{port}/RPC2" in line and "E:TOR101" in line and "M:OUTTMP" in line
        acnet = xmlrpc.client.ServerProxy(f"http://127.0.0.1:{port}/RPC2").acnet
        assert acnet.status()["registrations"] == []
        wait_until(lambda: acnet.status()["spills"] >= 2, what="two spills")
        readings = acnet.read(["E:TORTGT"])
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0, process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()
    assert [json.loads(line) for line in log.read_text().splitlines()] == [
        {"how": "read", "registration": None, "event": None, "readings": readings}]
