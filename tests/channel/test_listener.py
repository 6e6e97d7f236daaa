"""The callback listener takes calls from the source's addresses only, with the secret, as safe XML-RPC, and
refuses everything else, quickly and with a reason, without getting in the way of the real callbacks."""

import http.client
import ipaddress
import socket
import threading
import time
import xmlrpc.client

import pytest

from dcs.channel.configfile import Listener as ListenerSettings
from dcs.channel.listener import Listener, Refusal
from tests.server import free_port

SECRET = "s3cret-word"


class Calls:
    def __init__(self):
        self.received, self.lock = [], threading.Lock()

    def __call__(self, registration, event, readings):
        if registration == "stale":
            raise Refusal(404, "unknown registration")
        with self.lock:
            self.received.append((registration, event, readings))
        return True


@pytest.fixture
def calls():
    return Calls()


@pytest.fixture
def listener(calls):
    port = free_port()
    settings = ListenerSettings(host="127.0.0.1", port=port, url=f"http://127.0.0.1:{port}/RPC2", method="dcs.spill",
                                max_body_bytes=64 * 1024, max_connections=4, max_connections_per_client=2,
                                request_timeout_s=1.0, rate_per_s=50, burst=20)
    allowed = (ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("127.0.0.3/32"))
    server = Listener(settings, allowed, SECRET, calls, socket_timeout_s=0.5).start()
    yield server
    server.stop()


def post(listener, body, source="127.0.0.1", path="/RPC2", headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", listener.port, timeout=5, source_address=(source, 0))
    try:
        connection.request("POST", path, body=body, headers={"Content-Type": "text/xml", **(headers or {})})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def call(*params, method="dcs.spill"):
    return xmlrpc.client.dumps(params, method).encode()


def answer(raw):
    try:
        return xmlrpc.client.loads(raw)[0][0]
    except xmlrpc.client.Fault as fault:
        return fault


def spill(number):
    return call(SECRET, "reg-1", {"seconds": 1_800_000_000 + number, "millis": 5, "number": number},
                [{"name": "E:TOR101", "kind": "F", "seconds": 1_800_000_000, "millis": 7, "values": [3.25e13]}])


def test_a_callback_from_the_source_with_the_secret_is_taken(listener, calls):
    status, raw = post(listener, spill(1))
    assert status == 200 and answer(raw) is True
    registration, event, readings = calls.received[0]
    assert registration == "reg-1" and event["number"] == 1 and readings[0]["values"] == [3.25e13]


@pytest.mark.parametrize("body, code, words", [
    (call("wrong", "reg-1", {}, []), 401, "secret"),
    (call(SECRET, "reg-1", {}, [], method="system.listMethods"), 404, "no method"),
    (call(SECRET, "reg-1"), 400, "takes (secret, id, event, readings)"),
    (call(SECRET, "stale", {}, []), 404, "unknown registration"),
    (b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;'>]>"
     b"<methodCall><methodName>dcs.spill</methodName><params><param><value>&b;</value></param></params>"
     b"</methodCall>", 400, "document type"),
    ("<?xml version='1.0' encoding='UTF-16'?><!DOCTYPE x [<!ENTITY a 'a'>]><methodCall><methodName>dcs.spill"
     "</methodName></methodCall>".encode("utf-16"), 400, "document type"),
    (b"\x00\xffnot xml", 400, "well-formed"),
    (b"<methodCall><methodName>dcs.spill</methodName><params><param><value><int>12x</int></value></param>"
     b"</params></methodCall>", 400, "well-formed"),
])
def test_a_bad_call_gets_a_fault_that_says_why_and_nothing_is_taken(listener, calls, body, code, words):
    status, raw = post(listener, body)
    fault = answer(raw)
    assert status == 200 and isinstance(fault, xmlrpc.client.Fault)
    assert fault.faultCode == code and words in fault.faultString
    assert calls.received == []


def test_a_body_over_the_limit_is_refused_before_it_is_read(listener, calls):
    status, raw = post(listener, b"x" * 10, headers={"Content-Length": str(10 * 1024**2)})
    assert status == 413 and b"at most 65536" in raw
    assert calls.received == [] and listener.refused.counts["size"] == 1


@pytest.mark.parametrize("method, path, code", [("GET", "/RPC2", 405), ("POST", "/admin", 404)])
def test_other_methods_and_paths_are_refused(listener, method, path, code):
    connection = http.client.HTTPConnection("127.0.0.1", listener.port, timeout=5)
    connection.request(method, path, body=spill(1) if method == "POST" else None)
    assert connection.getresponse().status == code
    connection.close()


def test_a_caller_outside_the_source_addresses_is_cut_off_before_it_is_heard(listener, calls):
    with pytest.raises((ConnectionError, http.client.RemoteDisconnected, OSError)):
        post(listener, spill(1), source="127.0.0.2")
    assert calls.received == [] and listener.refused.counts["address"] >= 1


def test_a_client_that_calls_too_often_is_slowed_down_and_the_source_is_not(listener, calls):
    statuses = []
    for _ in range(40):
        try:
            statuses.append(post(listener, call("wrong", "x", {}, []), source="127.0.0.3")[0])
        except OSError:  # its previous connection not closed yet: over its share of connections
            statuses.append("closed")
    assert statuses.count(429) >= 5 and listener.refused.counts["rate"] == statuses.count(429)
    assert post(listener, spill(1))[0] == 200 and len(calls.received) == 1


def test_a_client_holding_its_share_of_connections_cannot_take_the_sources(listener, calls):
    idle = [socket.create_connection(("127.0.0.1", listener.port), source_address=("127.0.0.3", 0))
            for _ in range(2)]
    try:
        time.sleep(0.2)
        extra = socket.create_connection(("127.0.0.1", listener.port), source_address=("127.0.0.3", 0))
        extra.settimeout(2)
        assert extra.recv(100) == b""  # closed without a word
        extra.close()
        assert post(listener, spill(2))[0] == 200  # the source still gets through
    finally:
        for sock in idle:
            sock.close()
    assert calls.received[-1][1]["number"] == 2 and listener.refused.counts["connections"] == 1


def test_a_sender_that_stops_half_way_is_dropped_at_the_timeout(listener, calls):
    slow = socket.create_connection(("127.0.0.1", listener.port))
    body = spill(1)
    slow.sendall(b"POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\n"
                 + f"Content-Length: {len(body)}\r\n\r\n".encode() + body[:20])
    slow.settimeout(5)
    assert slow.recv(100) == b""  # the listener hung up after its 0.5 s socket timeout
    slow.close()
    assert calls.received == [] and listener.refused.counts["body"] == 1


def test_a_sender_dripping_a_byte_at_a_time_is_cut_at_the_request_deadline(listener, calls):
    drip = socket.create_connection(("127.0.0.1", listener.port), source_address=("127.0.0.3", 0))
    drip.settimeout(0.1)
    request = b"POST /RPC2 HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"a" * 100
    deadline, cut = time.monotonic() + 5, False
    try:
        for byte in request:  # each byte well within the 0.5 s socket timeout
            if time.monotonic() > deadline:
                break
            try:
                drip.sendall(bytes([byte]))
                if drip.recv(1) == b"":
                    cut = True
                    break
            except TimeoutError:
                pass
            except OSError:
                cut = True
                break
            time.sleep(0.2)
    finally:
        drip.close()
    assert cut and listener.refused.counts["slow"] == 1
    assert post(listener, spill(1))[0] == 200 and len(calls.received) == 1


def test_a_flood_of_hostile_calls_does_not_lose_a_real_callback(listener, calls):
    stop = threading.Event()
    hostile = [
        lambda: post(listener, call("wrong", "reg-1", {}, []), source="127.0.0.3"),
        lambda: post(listener, b"<!DOCTYPE x [<!ENTITY a 'a'>]><x>&a;</x>", source="127.0.0.3"),
        lambda: post(listener, b"y" * 10, source="127.0.0.3", headers={"Content-Length": str(2**30)}),
        lambda: post(listener, spill(99), source="127.0.0.2"),
    ]

    def flood(attack):
        while not stop.is_set():
            try:
                attack()
            except OSError:
                pass

    threads = [threading.Thread(target=flood, args=(attack,)) for attack in hostile for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        for number in range(1, 41):
            status, raw = post(listener, spill(number))
            assert status == 200 and answer(raw) is True, raw
            time.sleep(0.02)
    finally:
        stop.set()
        for thread in threads:
            thread.join(10)
    assert [event["number"] for _, event, _ in calls.received] == list(range(1, 41))
    refused = listener.refused.counts
    assert refused["secret"] + refused["rate"] > 0 and refused["address"] > 0
