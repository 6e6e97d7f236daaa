"""XML-RPC for legacy device controllers: heartbeats, start and fail signals and readings with a heartbeat-scope
token as the first argument; every refusal is a fault whose code is the HTTP status, and writes nothing."""

import datetime
import math
import threading
import xmlrpc.client

import pytest
from waitress.server import create_server

from dcs.auth.models import ApiToken, User
from dcs.auth.tokens import create_token, revoke_token
from dcs.monitoring import parameters
from dcs.monitoring.models import Heartbeat, Reading
from dcs.timeutil import now_ns
from dcs.topology.devices import add_device, add_type
from dcs.web.app import create_app

from ..conftest import TEST_ACTOR, assert_error, snapshot

DEVICE = "sipm-x01"


@pytest.fixture
def controller(people):
    """An HV board of the ecal group with a temperature parameter, and a heartbeat token of a member."""
    add_type(TEST_ACTOR, "sipm", "HV board", "ecal")
    device = add_device(TEST_ACTOR, DEVICE, subsystem="ECal", group="ecal")
    parameters.define(TEST_ACTOR, device, "temp", {"unit": "C", "warn_high": 35.0, "alarm_high": 40.0})
    return secret_for("maya", ["heartbeat"])


def secret_for(username, scopes):
    _, secret = create_token(TEST_ACTOR, User.by_name(username), f"{username}-{'-'.join(scopes)}", scopes)
    return secret


def post(client, body, content_type="text/xml"):
    return client.post("/api/xmlrpc", body, content_type=content_type, expect_errors=True)


def call(client, method, *params):
    """The answer to one call: the parsed result, or the Fault it raises when parsed."""
    response = post(client, xmlrpc.client.dumps(params, method).encode())
    assert response.status_int == 200, response.body[:300]
    assert response.content_type == "text/xml"
    (result,), _ = xmlrpc.client.loads(response.body)
    return result


def fault(client, body, code, *words):
    """A refused call: an XML-RPC fault with the HTTP status as its code and a sentence naming the words."""
    response = post(client, body)
    assert response.status_int == 200, response.body[:300]
    with pytest.raises(xmlrpc.client.Fault) as raised:
        xmlrpc.client.loads(response.body)
    assert raised.value.faultCode == code, raised.value.faultString
    text = raised.value.faultString
    assert text.endswith((".", "?")) and "Traceback" not in text, text
    for word in words:
        assert word.lower() in text.lower(), text
    return text


def watch(login, name=DEVICE):
    return login("vera").get(f"/api/monitoring/devices/{name}").json["heartbeat"]


def test_a_heartbeat_of_a_members_token_is_stored_and_the_device_is_up(client, controller, login):
    assert call(client, "dcs.heartbeat", controller, DEVICE, "ramping", {}, 7) == "up"
    beat = watch(login)
    assert (beat["state"], beat["last_signal"], beat["last_status"], beat["last_seq"], beat["beats"]) == (
        "up", "beat", "ramping", 7, 1)
    heartbeat = Heartbeat.get()
    assert heartbeat.source == "token:maya-heartbeat(maya) (XML-RPC)"


def test_a_heartbeat_payload_becomes_readings_of_the_devices_parameters(client, controller, login):
    assert call(client, "dcs.heartbeat", controller, DEVICE, "", {"temp": 31.5}) == "up"
    found = login("vera").get(f"/api/monitoring/parameters?device={DEVICE}").json["parameters"]
    assert [(p["name"], p["last_value"]) for p in found] == [("temp", 31.5)]


def test_start_and_fail_set_the_signal_and_a_failure_puts_the_device_down(client, controller, login):
    assert call(client, "dcs.start", controller, DEVICE, "booted") == "up"
    started = watch(login)
    assert (started["last_signal"], started["last_status"]) == ("start", "booted") and started["started"]
    assert call(client, "dcs.fail", controller, DEVICE, "HV supply tripped", 3) == "down"
    failed = watch(login)
    assert (failed["state"], failed["last_signal"], failed["exit_code"], failed["last_status"]) == (
        "down", "fail", 3, "HV supply tripped")
    assert call(client, "dcs.heartbeat", controller, DEVICE) == "up"


def test_readings_are_stored_all_of_them_and_counted(client, controller, login):
    t = now_ns() // 10**9 - 60
    rows = [[DEVICE, "temp", t, 30.0], [DEVICE, "temp", t + 30, 30.5], [DEVICE, "temp", str(t + 45), "31"]]
    assert call(client, "dcs.readings", controller, rows) == 3
    assert sorted(v for (v,) in Reading.select(Reading.value).tuples()) == [30.0, 30.5, 31.0]
    found = login("vera").get(f"/api/monitoring/parameters?device={DEVICE}").json["parameters"]
    assert found[0]["last_value"] == 31.0


def test_a_time_in_xmlrpcs_own_date_type_is_read_as_utc(client, controller):
    when = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0, tzinfo=None) - datetime.timedelta(
        minutes=1)
    assert call(client, "dcs.readings", controller, [[DEVICE, "temp", xmlrpc.client.DateTime(when), 29.5]]) == 1
    (t_ns,) = Reading.select(Reading.t_ns).tuples().get()
    assert t_ns == int(when.replace(tzinfo=datetime.timezone.utc).timestamp()) * 10**9


def laughs():
    """The "billion laughs": ten levels of ten references each, a few hundred bytes that expand to 10**9."""
    entities = ['<!ENTITY lol "lol">'] + [f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">'
                                           .replace("&lol0;", "&lol;") for i in range(1, 10)]
    return ('<?xml version="1.0"?>\n<!DOCTYPE lolz [' + "".join(entities) + ']>\n<methodCall><methodName>'
            'dcs.heartbeat</methodName><params><param><value><string>&lol9;</string></value></param></params>'
            '</methodCall>').encode()


REFUSALS = {
    # name: (body made from the member's heartbeat secret, fault code, words in the sentence)
    "no token": (lambda s: xmlrpc.client.dumps((), "dcs.heartbeat"), 401, ["token", "first argument"]),
    "a token that is not text": (lambda s: xmlrpc.client.dumps((42, DEVICE), "dcs.heartbeat"), 401, ["token"]),
    "a wrong token": (lambda s: xmlrpc.client.dumps(("dcs_" + "x" * 40, DEVICE), "dcs.heartbeat"), 401,
                      ["not known"]),
    "something else than a token": (lambda s: xmlrpc.client.dumps(("hunter2", DEVICE), "dcs.heartbeat"), 401,
                                    ["not a DCS API token"]),
    "an unknown device": (lambda s: xmlrpc.client.dumps((s, "sipm-x99"), "dcs.heartbeat"), 404, ["sipm-x99"]),
    "an unknown method": (lambda s: xmlrpc.client.dumps((s, DEVICE), "dcs.reboot"), 404,
                          ["dcs.reboot", "dcs.heartbeat"]),
    "too few arguments": (lambda s: xmlrpc.client.dumps((s,), "dcs.start"), 400, ["dcs.start", "number of arguments"]),
    "too many arguments": (lambda s: xmlrpc.client.dumps((s, DEVICE, "", 1, 2), "dcs.fail"), 400,
                           ["number of arguments"]),
    "a device name that is not text": (lambda s: xmlrpc.client.dumps((s, 17), "dcs.heartbeat"), 400, ["device"]),
    "a NaN reading": (lambda s: xmlrpc.client.dumps((s, [[DEVICE, "temp", "", math.nan]]), "dcs.readings"), 400,
                      ["not a finite number"]),
    "an infinite payload value": (lambda s: xmlrpc.client.dumps((s, DEVICE, "", {"temp": math.inf}),
                                                                "dcs.heartbeat"), 400, ["finite"]),
    "readings that are not rows": (lambda s: xmlrpc.client.dumps((s, [[DEVICE, "temp"]]), "dcs.readings"), 400,
                                   ["[device, parameter, time, value]"]),
    "a reading of a parameter the device lacks": (
        lambda s: xmlrpc.client.dumps((s, [[DEVICE, "humidity", "", 40.0]]), "dcs.readings"), 404, ["humidity"]),
    "malformed XML": (lambda s: b"<methodCall><methodName>dcs.heartbeat</methodName><params>", 400,
                      ["well-formed"]),
    "not XML at all": (lambda s: b"\x00\xff garbage", 400, ["well-formed"]),
    "a billion laughs": (lambda s: laughs(), 400, ["document type"]),
    "an external entity": (lambda s: ('<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                                      '<methodCall><methodName>dcs.heartbeat</methodName><params><param><value>'
                                      f'<string>{s}</string></value></param><param><value><string>&x;</string>'
                                      '</value></param></params></methodCall>'), 400, ["document type"]),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_bad_call_is_a_fault_with_the_http_status_and_writes_nothing(client, controller, case):
    make, code, words = REFUSALS[case]
    call(client, "dcs.heartbeat", controller, DEVICE)  # the token has been seen: refusals touch no row at all
    body = make(controller)
    before = snapshot()
    fault(client, body if isinstance(body, bytes) else body.encode(), code, *words)
    assert snapshot() == before


def test_a_revoked_token_is_refused(client, controller):
    call(client, "dcs.heartbeat", controller, DEVICE)
    revoke_token(TEST_ACTOR, ApiToken.get(ApiToken.name == "maya-heartbeat"))
    before = snapshot()
    fault(client, xmlrpc.client.dumps((controller, DEVICE), "dcs.heartbeat").encode(), 401, "revoked")
    assert snapshot() == before


@pytest.mark.parametrize("username, scopes", [("maya", ["read"]), ("maya", ["write"]), ("vera", ["heartbeat"]),
                                              ("nobody", ["heartbeat"])])
def test_a_token_without_the_heartbeat_scope_or_a_members_role_is_refused(client, controller, username, scopes):
    secret = secret_for(username, scopes)
    fault(client, xmlrpc.client.dumps((secret, DEVICE), "dcs.heartbeat").encode(), 403)  # first use marks the token
    before = snapshot()
    fault(client, xmlrpc.client.dumps((secret, DEVICE), "dcs.heartbeat").encode(), 403, "heartbeat scope")
    assert snapshot() == before


def test_a_token_of_another_groups_member_may_not_report_for_the_device(client, controller):
    add_type(TEST_ACTOR, "trk", "tracker board", "shift")
    add_device(TEST_ACTOR, "trk-01", subsystem="Tracker", group="shift")
    olaf = secret_for("olaf", ["heartbeat"])  # operator of ecal, only a viewer of shift
    assert call(client, "dcs.heartbeat", olaf, DEVICE) == "up"
    before = snapshot()
    fault(client, xmlrpc.client.dumps((olaf, "trk-01"), "dcs.heartbeat").encode(), 403, "trk-01")
    assert snapshot() == before


def test_a_document_type_is_refused_in_utf16_as_well(client, controller):
    """The check for a DOCTYPE must not depend on the encoding: expat reads UTF-16 just as well, and then
    expands the entities the declaration defines (here one that names the device)."""
    call(client, "dcs.heartbeat", controller, DEVICE)
    text = ('<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE m [<!ENTITY dev "sipm-x01">]>\n'
            '<methodCall><methodName>dcs.heartbeat</methodName><params>'
            f'<param><value><string>{controller}</string></value></param>'
            '<param><value><string>&dev;</string></value></param></params></methodCall>')
    before = snapshot()
    response = post(client, text.encode("utf-16"))
    assert response.status_int == 200
    try:
        answer = xmlrpc.client.loads(response.body)
    except xmlrpc.client.Fault as refused:
        assert refused.faultCode == 400 and "document type" in refused.faultString
    else:
        pytest.fail(f"a UTF-16 body with a DOCTYPE was accepted and its entity expanded: {answer!r}")
    assert snapshot() == before


def test_a_body_over_four_megabytes_is_refused_with_a_413_before_it_is_read(client, controller):
    body = xmlrpc.client.dumps((controller, DEVICE, "x" * (4 * 1024**2)), "dcs.heartbeat").encode()
    before = snapshot()
    assert_error(post(client, body), 413, "too large")
    assert snapshot() == before


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "application/x-www-form-urlencoded"])
def test_a_body_that_is_not_declared_xml_is_refused_with_a_415(client, controller, content_type):
    before = snapshot()
    response = post(client, xmlrpc.client.dumps((controller, DEVICE), "dcs.heartbeat").encode(), content_type)
    assert_error(response, 415, "Content-Type: text/xml")
    assert snapshot() == before


@pytest.fixture
def server(settings, db):
    """The portal served by waitress on a free loopback port, in a thread."""
    serving = create_server(create_app(settings), host="127.0.0.1", port=0, threads=2)
    thread = threading.Thread(target=serving.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{serving.effective_port}"
    serving.close()
    thread.join(5)


def test_a_real_xmlrpc_client_beats_over_a_real_server(server, controller, login):
    with xmlrpc.client.ServerProxy(server + "/api/xmlrpc") as proxy:
        assert proxy.dcs.heartbeat(controller, DEVICE, "from a real client") == "up"
        assert proxy.dcs.readings(controller, [[DEVICE, "temp", "", 29.5]]) == 1
        with pytest.raises(xmlrpc.client.Fault) as refused:
            proxy.dcs.heartbeat(controller, "sipm-x99")
        assert refused.value.faultCode == 404 and "sipm-x99" in refused.value.faultString
    beat = watch(login)
    assert (beat["state"], beat["last_status"], beat["beats"]) == ("up", "from a real client", 1)
    assert Heartbeat.get().source == "token:maya-heartbeat(maya) (XML-RPC)"
