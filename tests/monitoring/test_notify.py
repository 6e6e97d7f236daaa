"""Alert notifications through a real SMTP server and a real webhook receiver on loopback: a message when an
alert is raised, reminders while it stays active and unacknowledged, one when it recovers; filters by severity
and subsystem; nothing for shelved or suppressed alerts; retries with back-off; personal subscriptions checked
by the API."""

import email
import email.policy
import http.server
import json
import threading

import peewee
import pytest
import webtest
from aiosmtpd.controller import Controller

from dcs.monitoring import notify
from dcs.monitoring.models import Notification
from dcs.timeutil import NS, now_ns

from ..conftest import PASSWORD, assert_error, make_settings, snapshot
from ..postgres import postgres_server
from ..server import free_port
from .conftest import beat, limits, read, watch

PUBLIC = "https://dcs.example.org/"
GUIDANCE = "Check the rack's cooling fans; above 40 C ramp the HV down."


class Inbox:
    """An aiosmtpd handler keeping every message it is given."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 Message accepted"

    def subjects(self):
        return [subject(message) for _, message in self.messages]


def subject(mail):
    """The subject as a mail program shows it: a long one is folded onto the next header line (by Python's
    email package), which leaves a space in front when unfolded."""
    return " ".join(str(mail["Subject"]).split())


@pytest.fixture
def inbox():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture
def settings(request, tmp_path, inbox):
    """Mail goes to the loopback SMTP server; links point at the public address. Parametrized indirectly with
    "postgresql", the database is a throwaway PostgreSQL server."""
    mail = {"smtp_host": "127.0.0.1", "smtp_port": inbox.port, "public_url": PUBLIC, "webhook_hosts": "127.0.0.1"}
    if getattr(request, "param", "sqlite") == "postgresql":
        with postgres_server() as (url, _):
            yield make_settings(tmp_path, database_url=url, **mail)
    else:
        yield make_settings(tmp_path, **mail)


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((self.headers["Content-Type"], json.loads(body)))
        self.send_response(self.server.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook():
    """A webhook receiver on loopback: .url, .received [(content type, document)], .status it answers."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.received, server.status = [], 204
    server.url = f"http://127.0.0.1:{server.server_address[1]}/dcs-alerts"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


def subscribe(browser, **body):
    response = browser.post("/api/subscriptions", {"channel": "email", **body})
    assert response.status_int == 200, response.body
    return response.json["subscription"]


def raise_temp(engine, at, value=45.0):
    """The HV board's temperature with warn and alarm limits, a reading of it at `at` and a tick then."""
    temp = limits("sipm-hv01", warn_high=35.0, alarm_high=40.0, guidance=GUIDANCE)
    read(temp, value, start_ns=at)
    engine.tick(at)
    return temp


def open_alerts(login):
    return login("vera").get("/api/alerts").json["alerts"]


NOTHING = {"sent": 0, "failed": 0, "retry": 0}


def test_a_subscriber_is_mailed_the_severity_message_guidance_and_link_of_a_raised_alert(inbox, settings, engine,
                                                                                        login):
    subscribe(login("maya"), target="maya@example.org")
    raise_temp(engine, now_ns())
    assert inbox.messages == []  # the engine only queues; the delivery sends
    assert notify.deliver_due(settings) == {"sent": 1, "failed": 0, "retry": 0}
    (alert,) = open_alerts(login)
    ((recipients, mail),) = inbox.messages
    assert recipients == ["maya@example.org"] and mail["To"] == "maya@example.org"
    assert subject(mail) == "[DCS ALARM] sipm-hv01 temp is 45 C, above its alarm high limit of 40 C"
    text = mail.get_content()
    assert GUIDANCE in text and "sipm-hv01 (ECal)" in text
    assert f"Open the alert: https://dcs.example.org/alerts/{alert['id']}" in text
    assert notify.deliver_due(settings) == NOTHING  # sent once


def test_a_controller_that_falls_silent_is_mailed_about(inbox, settings, engine, login):
    subscribe(login("maya"), target="maya@example.org")
    watch("switch-01", period_s=10, grace_s=5)
    beat("switch-01")
    t0 = now_ns()
    engine.tick(t0 + 12 * NS)
    assert notify.deliver_due(settings, t0 + 12 * NS) == NOTHING  # late (past the period), not down yet
    engine.tick(t0 + 16 * NS)
    notify.deliver_due(settings, t0 + 16 * NS)
    (title,) = inbox.subjects()
    assert title.startswith("[DCS ALARM] No heartbeat from switch-01 for 1") and "every 10 s, 5 s grace" in title


def test_a_webhook_receives_the_alert_as_a_json_document(webhook, settings, engine, login):
    subscribe(login("vera"), channel="webhook", target=webhook.url)
    raise_temp(engine, now_ns())
    assert notify.deliver_due(settings)["sent"] == 1
    (alert,) = open_alerts(login)
    ((content_type, document),) = webhook.received
    assert content_type == "application/json"
    assert document["reason"] == "raised" and document["link"] == f"https://dcs.example.org/alerts/{alert['id']}"
    assert {k: document["alert"][k] for k in ("id", "device", "severity", "state", "message", "value", "guidance")} \
        == {k: alert[k] for k in ("id", "device", "severity", "state", "message", "value", "guidance")}
    assert document["alert"]["guidance"] == GUIDANCE


def test_reminders_come_while_the_alert_stays_active_and_unacknowledged_and_stop_once_acknowledged(
        inbox, settings, engine, login):
    subscribe(login("maya"), target="maya@example.org", remind_s=60)
    subscribe(login("erin"), target="erin@example.org")  # no reminders
    t0 = now_ns()
    raise_temp(engine, t0)
    notify.deliver_due(settings, t0)
    reminders = notify.queue_reminders
    assert reminders(t0 + 59 * NS) == 0
    assert reminders(t0 + 60 * NS) == 1
    assert notify.deliver_due(settings, t0 + 60 * NS)["sent"] == 1
    assert reminders(t0 + 119 * NS) == 0  # a minute after the last message, not after the first
    assert reminders(t0 + 120 * NS) == 1
    notify.deliver_due(settings, t0 + 120 * NS)
    message = "sipm-hv01 temp is 45 C, above its alarm high limit of 40 C"
    assert inbox.subjects() == [f"[DCS ALARM] {message}"] * 2 + [f"[DCS ALARM] reminder: {message}"] * 2
    assert [r for r, _ in inbox.messages[2:]] == [["maya@example.org"]] * 2
    (alert,) = open_alerts(login)
    acked = login("olaf").post("/api/alerts/acknowledge", {"ids": [alert["id"]], "comment": "fans replaced"})
    assert acked.status_int == 200
    assert reminders(t0 + 3600 * NS) == 0
    assert notify.deliver_due(settings, t0 + 3600 * NS) == NOTHING


@pytest.mark.parametrize("settings", ["postgresql"], indirect=True)
def test_on_postgresql_an_alert_is_raised_mailed_and_reminded_of_as_well(inbox, settings, engine, login):
    subscribe(login("maya"), target="maya@example.org", remind_s=60)
    t0 = now_ns()
    try:
        raise_temp(engine, t0)  # the tick queues the message and then looks for reminders due
        reminded = notify.queue_reminders(t0 + 60 * NS)
    except peewee.DataError as error:
        pytest.fail("with a subscription that asks for reminders, the engine's tick fails on PostgreSQL and "
                    f"rolls back the alert it raised: {str(error).strip()}")
    assert reminded == 1
    notify.deliver_due(settings, t0 + 60 * NS)
    message = "sipm-hv01 temp is 45 C, above its alarm high limit of 40 C"
    assert inbox.subjects() == [f"[DCS ALARM] {message}", f"[DCS ALARM] reminder: {message}"]


def test_a_recovery_message_goes_only_to_those_told_of_the_alert_who_asked_for_it(inbox, settings, engine, login):
    subscribe(login("maya"), target="maya@example.org")
    subscribe(login("erin"), target="erin@example.org", on_recovery=False)
    t0 = now_ns()
    temp = raise_temp(engine, t0)
    subscribe(login("olaf"), target="olaf@example.org")  # came after the alert was raised
    notify.deliver_due(settings, t0)
    read(temp, 30.0, start_ns=t0 + 5 * NS)
    engine.tick(t0 + 5 * NS)
    (alert,) = open_alerts(login)
    assert alert["state"] == "returned"  # latching: still to be acknowledged
    assert notify.deliver_due(settings, t0 + 5 * NS)["sent"] == 1
    recipients, mail = inbox.messages[-1]
    assert recipients == ["maya@example.org"]
    assert subject(mail).startswith("[DCS RECOVERED] recovered: sipm-hv01 temp")
    assert "State:     returned" in mail.get_content()
    assert sorted(r[0] for r, _ in inbox.messages) == ["erin@example.org", "maya@example.org", "maya@example.org"]


def test_a_subscription_hears_of_alerts_of_its_severity_and_worse_only(inbox, settings, engine, login):
    subscribe(login("maya"), target="warnings@example.org", min_severity="warning")
    subscribe(login("maya"), target="alarms@example.org", min_severity="alarm")
    subscribe(login("maya"), target="critical@example.org", min_severity="critical")
    t0 = now_ns()
    temp = raise_temp(engine, t0, value=37.0)  # a warning
    notify.deliver_due(settings, t0)
    assert [r for r, _ in inbox.messages] == [["warnings@example.org"]]
    read(temp, 42.0, start_ns=t0 + NS)  # worse: an alarm
    engine.tick(t0 + NS)
    notify.deliver_due(settings, t0 + NS)
    assert sorted(r[0] for r, _ in inbox.messages[1:]) == ["alarms@example.org", "warnings@example.org"]
    assert inbox.subjects()[0].startswith("[DCS WARNING] ") and inbox.subjects()[1].startswith("[DCS ALARM] ")


def test_a_subscription_for_one_subsystem_hears_nothing_of_the_others(inbox, settings, engine, login):
    subscribe(login("maya"), target="ecal@example.org", subsystem="ECal")
    subscribe(login("maya"), target="daq@example.org", subsystem="DAQ")
    raise_temp(engine, now_ns())  # sipm-hv01 is an ECal device
    notify.deliver_due(settings)
    assert [r for r, _ in inbox.messages] == [["ecal@example.org"]]


def test_a_shelved_alert_sends_no_reminder_no_repeat_and_no_recovery(inbox, settings, engine, login):
    subscribe(login("maya"), target="maya@example.org", remind_s=60)
    t0 = now_ns()
    temp = raise_temp(engine, t0)
    notify.deliver_due(settings, t0)
    (alert,) = open_alerts(login)
    shelved = login("olaf").post("/api/alerts/shelve", {"ids": [alert["id"]], "minutes": 60,
                                                        "comment": "sensor being replaced"})
    assert shelved.status_int == 200
    assert notify.queue_reminders(t0 + 600 * NS) == 0
    read(temp, 30.0, start_ns=t0 + 601 * NS)
    engine.tick(t0 + 601 * NS)  # returns to normal while shelved
    read(temp, 46.0, start_ns=t0 + 602 * NS)
    engine.tick(t0 + 602 * NS)  # and bad again
    notify.deliver_due(settings, t0 + 602 * NS)
    assert login("vera").get(f"/api/alerts/{alert['id']}").json["alert"]["shelved"] is True
    assert inbox.subjects() == ["[DCS ALARM] sipm-hv01 temp is 45 C, above its alarm high limit of 40 C"], \
        "a shelved alert's notifications are muted until the shelving ends"


def test_an_alert_suppressed_behind_a_down_controller_sends_nothing(inbox, settings, engine, login):
    subscribe(login("maya"), target="ecal@example.org", subsystem="ECal")
    watch("switch-01", period_s=10, grace_s=5)  # the switch (DAQ) serves the HV board
    beat("switch-01")
    t1 = now_ns() + 20 * NS
    raise_temp(engine, t1)
    alerts = {a["device"]: a for a in open_alerts(login)}
    assert alerts["sipm-hv01"]["suppressed_by"] == "switch-01" and alerts["switch-01"]["kind"] == "heartbeat"
    assert notify.deliver_due(settings, t1) == NOTHING
    assert inbox.messages == []


@pytest.fixture
def dead_port():
    return free_port()  # nothing listens there


def retried_until_given_up(settings, expected_error):
    """Deliver the one pending message at each due time: four retries, 30 s apart and then twice as long each
    time, and a fifth attempt after which it is failed. The pause is counted from the failed attempt."""
    row = Notification.get()
    for attempt in range(1, 6):
        assert notify.deliver_due(settings, row.due_ns - NS) == NOTHING  # not due yet
        tried = now_ns()
        counts = notify.deliver_due(settings, row.due_ns)
        row = Notification.get()
        assert row.attempts == attempt and expected_error in row.last_error
        if attempt < 5:
            assert counts == {"sent": 0, "failed": 0, "retry": 1} and row.state == "pending"
            pause = 30 * 2 ** (attempt - 1) * NS
            assert tried + pause <= row.due_ns <= now_ns() + pause
    assert counts == {"sent": 0, "failed": 1, "retry": 0} and row.state == "failed"
    assert notify.deliver_due(settings, row.due_ns + 86400 * NS) == NOTHING  # given up for good
    return row


def test_an_unreachable_mail_server_is_retried_with_back_off_and_given_up_after_five_attempts(
        inbox, settings, engine, login, dead_port):
    subscribe(login("maya"), target="maya@example.org")
    raise_temp(engine, now_ns())
    row = retried_until_given_up(settings.replace(smtp_port=dead_port), "mail to maya@example.org failed")
    assert row.to_dict()["last_error"].startswith("mail to maya@example.org failed: ")
    assert row.sent_ns is None and inbox.messages == []


def test_a_webhook_answering_500_is_retried_with_back_off_and_given_up_after_five_attempts(webhook, settings, engine,
                                                                                         login):
    webhook.status = 500
    subscribe(login("vera"), channel="webhook", target=webhook.url)
    raise_temp(engine, now_ns())
    row = retried_until_given_up(settings, "the webhook answered 500")
    assert len(webhook.received) == 5 and {d["reason"] for _, d in webhook.received} == {"raised"}
    assert row.last_error == "the webhook answered 500"


def test_a_message_that_fails_once_is_sent_on_the_next_attempt(webhook, settings, engine, login):
    webhook.status = 503
    subscribe(login("vera"), channel="webhook", target=webhook.url)
    raise_temp(engine, now_ns())
    assert notify.deliver_due(settings)["retry"] == 1
    webhook.status = 200
    assert notify.deliver_due(settings, Notification.get().due_ns)["sent"] == 1
    row = Notification.get()
    assert (row.state, row.attempts, row.last_error) == ("sent", 2, "") and len(webhook.received) == 2


def test_without_a_mail_server_the_notification_says_that_none_is_configured(inbox, settings, engine, login):
    subscribe(login("maya"), target="maya@example.org")
    raise_temp(engine, now_ns())
    assert notify.deliver_due(settings.replace(smtp_host=""))["retry"] == 1
    row = Notification.get()
    assert row.last_error == "no SMTP server is configured (DCS_SMTP_HOST)" and inbox.messages == []


BAD_SUBSCRIPTIONS = {
    "an email address without @": ({"channel": "email", "target": "maya.example.org"}, ["email address"]),
    "an email address with a second recipient": ({"channel": "email", "target": "maya@example.org,eve@evil.org"},
                                                 ["email address"]),
    "an email address with a header": ({"channel": "email", "target": "maya@example.org\r\nBcc: eve@evil.org"},
                                       ["email address"]),
    "a javascript: URL": ({"channel": "webhook", "target": "javascript:alert(document.cookie)"}, ["http://"]),
    "a file: URL": ({"channel": "webhook", "target": "file:///etc/passwd"}, ["http://"]),
    "a URL with a space": ({"channel": "webhook", "target": "https://example.org/a b"}, ["http://"]),
    "an over-long target": ({"channel": "webhook", "target": "https://example.org/" + "a" * 500}, ["target"]),
    "an unknown channel": ({"channel": "sms", "target": "+41 79 000 00 00"}, ["channel"]),
    "reminders every 30 s": ({"channel": "email", "target": "maya@example.org", "remind_s": 30}, ["60 seconds"]),
    "reminders every 8 days": ({"channel": "email", "target": "maya@example.org", "remind_s": 8 * 86400},
                               ["remind_s"]),
    "negative reminders": ({"channel": "email", "target": "maya@example.org", "remind_s": -60}, ["remind_s"]),
    "an unknown severity": ({"channel": "email", "target": "maya@example.org", "min_severity": "panic"},
                            ["min_severity"]),
}


@pytest.mark.parametrize("case", list(BAD_SUBSCRIPTIONS))
def test_the_api_refuses_a_bad_subscription_and_writes_nothing(login, case):
    body, words = BAD_SUBSCRIPTIONS[case]
    maya = login("maya")
    before = snapshot()
    assert_error(maya.post("/api/subscriptions", body), 400, *words)
    assert snapshot() == before


def test_webhooks_go_only_to_the_hosts_the_admins_allow(login, settings, app):
    maya = login("maya")
    before = snapshot()
    assert_error(maya.post("/api/subscriptions", {"channel": "webhook", "target": "http://169.254.169.254/latest"}),
                 400, "may only go to 127.0.0.1")
    assert snapshot() == before
    from dcs.web.app import create_app

    closed = webtest.TestApp(create_app(settings.replace(webhook_hosts="")), extra_environ={"REMOTE_ADDR": "1.2.3.4"})
    csrf = closed.post_json("/api/auth/login", {"username": "maya", "password": PASSWORD}).json["csrf_token"]
    answer = closed.post_json("/api/subscriptions", {"channel": "webhook", "target": "http://127.0.0.1:9/x"},
                              headers={"X-CSRF-Token": csrf}, expect_errors=True)
    assert_error(answer, 400, "webhooks are off", "DCS_WEBHOOK_HOSTS")


def test_a_message_queued_before_the_alert_was_shelved_is_not_sent(inbox, settings, engine, login):
    subscribe(login("maya"), target="maya@example.org")
    raise_temp(engine, now_ns())
    alert_id = open_alerts(login)[0]["id"]
    login("olaf").post("/api/alerts/shelve", {"ids": [alert_id], "minutes": 30, "comment": "known"})
    assert notify.deliver_due(settings)["sent"] == 0 and inbox.messages == []
    assert Notification.get().state == "muted"


def test_a_person_has_at_most_twenty_subscriptions(login):
    maya = login("maya")
    for number in range(20):
        subscribe(maya, target=f"maya+{number}@example.org")
    before = snapshot()
    assert_error(maya.post("/api/subscriptions", {"channel": "email", "target": "one-more@example.org"}), 400,
                 "at most 20")
    assert snapshot() == before
    subscribe(login("erin"), target="erin@example.org")  # the limit is per person


def test_the_api_lists_only_ones_own_subscriptions(login):
    mine = subscribe(login("maya"), target="maya@example.org", subsystem="ECal", remind_s=900)
    subscribe(login("erin"), channel="webhook", target="https://127.0.0.1/hooks/erin")
    listed = login("maya").get("/api/subscriptions").json["subscriptions"]
    assert listed == [mine]
    assert (mine["user"], mine["subsystem"], mine["remind_s"], mine["on_recovery"]) == ("maya", "ECal", 900, True)
    assert login("vera").get("/api/subscriptions").json["subscriptions"] == []
    # Someone without any role in any group reads no alerts, so is told of none either.
    assert_error(login("nobody").post("/api/subscriptions", {"channel": "email", "target": "n@example.org"}), 403)


def test_nobody_ends_someone_elses_subscription_but_their_own(login):
    theirs = subscribe(login("erin"), target="erin@example.org")
    maya = login("maya")
    before = snapshot()
    assert_error(maya.delete(f"/api/subscriptions/{theirs['id']}"), 403, "your own")
    assert_error(maya.delete("/api/subscriptions/999"), 404, "no subscription 999")
    assert snapshot() == before
    assert login("erin").delete(f"/api/subscriptions/{theirs['id']}").status_int == 200
    assert login("erin").get("/api/subscriptions").json["subscriptions"] == []
    entries = login("ada").get("/api/audit?action=subscription.").json["entries"]
    assert [e["action"] for e in entries] == ["subscription.delete", "subscription.create"]


def test_a_user_who_is_not_logged_in_has_no_subscriptions(client):
    assert_error(client.get("/api/subscriptions", expect_errors=True), 401)
    before = snapshot()
    response = client.post_json("/api/subscriptions", {"channel": "email", "target": "x@example.org"},
                                expect_errors=True)
    assert_error(response, 401)
    assert snapshot() == before
