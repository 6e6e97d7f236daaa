"""Notifications: per-user subscriptions by email (SMTP) or webhook, a message when an alert is raised,
reminders while it stays active and unacknowledged, and a message when it recovers.

Messages go through an outbox table: the engine queues rows in the same transaction as the alert change,
and a delivery thread of the process holding the engine's lease sends them, retrying with back-off (at
most five attempts), so a restart loses nothing and a slow mail server never holds up alerting.
"""

import json
import logging
import re
import smtplib
import threading
import urllib.error
import urllib.parse
import urllib.request
from email.message import EmailMessage

from ..audit import record
from ..auth.models import User
from ..db import database
from ..errors import bad_request, forbidden, not_found
from ..timeutil import NS, iso, now_ns
from ..topology.models import Device
from .models import SEVERITIES, SEVERITY_RANK, Alert, Notification, Subscription

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
CLAIM_S = 300
BATCH = 50
EMAIL = re.compile(r"[^@\s<>\"',;]{1,64}@[A-Za-z0-9.-]{1,253}")
WEBHOOK = re.compile(r"https?://[^\s]{1,480}")
MAX_SUBSCRIPTIONS = 20


# --- subscriptions ---------------------------------------------------------------------------------------

def subscriptions_of(user_id):
    return list(Subscription.select().where(Subscription.user == user_id).order_by(Subscription.id))


def webhook_allowed(settings, url):
    """None when the URL's host is one the admins allow webhooks to (DCS_WEBHOOK_HOSTS), else why not: a portal
    must not be made to POST to any address its users choose."""
    allowed = {h.strip().lower() for h in settings.webhook_hosts.split(",") if h.strip()}
    if not allowed:
        return "webhooks are off on this portal (an admin lists the hosts they may go to in DCS_WEBHOOK_HOSTS)"
    host = (urllib.parse.urlsplit(url).hostname or "").lower()
    if host not in allowed:
        return f"webhooks may only go to {', '.join(sorted(allowed))}, not {host or 'this URL'}"
    return None


def subscribe(actor, settings, user, channel, target, min_severity="alarm", subsystem="", remind_s=0,
              on_recovery=True):
    if channel not in Subscription.CHANNELS:
        raise bad_request("The channel must be email or webhook.")
    pattern = EMAIL if channel == "email" else WEBHOOK
    if not pattern.fullmatch(target):
        what = "an email address" if channel == "email" else "an http:// or https:// URL"
        raise bad_request(f"The target must be {what}, not {target!r}.",
                          errors=[{"field": "target", "error": f"must be {what}"}])
    refused = webhook_allowed(settings, target) if channel == "webhook" else None
    if refused:
        raise bad_request(f"The target is refused: {refused}.", errors=[{"field": "target", "error": refused}])
    if min_severity not in SEVERITIES:
        raise bad_request(f"The severity must be one of {', '.join(SEVERITIES)}.")
    if remind_s and not 60 <= remind_s <= 7 * 86400:
        raise bad_request("Reminders come every 60 seconds at the most often, and at least once a week (or never: 0).")
    with database.atomic():
        if Subscription.select().where(Subscription.user == user.id).count() >= MAX_SUBSCRIPTIONS:
            raise bad_request(f"A person has at most {MAX_SUBSCRIPTIONS} subscriptions.")
        subscription = Subscription.create(user=user.id, channel=channel, target=target, min_severity=min_severity,
                                           subsystem=subsystem, remind_s=remind_s, on_recovery=int(on_recovery),
                                           created_ns=now_ns())
        record(actor, "subscription.create", "subscription", str(subscription.id),
               f"{user.username} subscribed to {min_severity} alerts by {channel}", after=_logged(subscription))
    return subscription


def _logged(subscription):
    """A subscription for the audit log: a webhook's path and query often hold its secret, so only the host."""
    found = subscription.to_dict()
    if subscription.channel == "webhook":
        parts = urllib.parse.urlsplit(subscription.target)
        found["target"] = f"{parts.scheme}://{parts.netloc}/..."
    return found


def unsubscribe(actor, principal, subscription_id):
    with database.atomic():
        found = Subscription.get_or_none(Subscription.id == subscription_id) if 0 < subscription_id < 2**62 else None
        if found is None:
            raise not_found(f"There is no subscription {subscription_id}.")
        if found.user_id != principal.user_id and not principal.is_admin:
            raise forbidden("You may only end your own subscriptions.")
        record(actor, "subscription.delete", "subscription", str(found.id),
               f"ended the {found.channel} subscription of {found.user.username}", before=_logged(found))
        found.delete_instance()


# --- the outbox ------------------------------------------------------------------------------------------

def _wanted(subscription, alert, subsystem):
    return (SEVERITY_RANK[alert.severity] >= SEVERITY_RANK[subscription.min_severity]
            and (not subscription.subsystem or subscription.subsystem == subsystem))


class Recipients:
    """The subscriptions and the devices' subsystems, read once for all the alerts one engine round changes."""

    def __init__(self):
        self._subscriptions = None
        self._subsystems = None

    @property
    def subscriptions(self):
        if self._subscriptions is None:
            self._subscriptions = list(Subscription.select())
        return self._subscriptions

    def subsystem(self, device_id):
        if self._subsystems is None:
            self._subsystems = dict(Device.select(Device.id, Device.subsystem).tuples())
        return self._subsystems.get(device_id, "")


def queue(alert, reason, now, recipients=None):
    """Queue messages about an alert for every subscription that wants them; how many."""
    recipients = recipients or Recipients()
    subscriptions = recipients.subscriptions
    if not subscriptions:
        return 0
    if reason == "recovered":
        told = {s for (s,) in Notification.select(Notification.subscription)
                .where(Notification.alert == alert.id, Notification.reason == "raised").tuples()}
        chosen = [s for s in subscriptions if s.on_recovery and s.id in told]
    else:
        subsystem = recipients.subsystem(alert.device_id)
        chosen = [s for s in subscriptions if _wanted(s, alert, subsystem)]
    if chosen:
        Notification.insert_many([{"subscription": s.id, "alert": alert.id, "reason": reason, "created_ns": now,
                                   "due_ns": now} for s in chosen]).execute()
        Alert.update(notified_ns=now).where(Alert.id == alert.id).execute()
    return len(chosen)


REMINDERS_DUE = (
    "SELECT n.subscription_id, n.alert_id FROM notifications n "
    "JOIN alerts a ON a.id = n.alert_id JOIN subscriptions s ON s.id = n.subscription_id "
    "WHERE a.state = 'active' AND a.bad = 1 AND a.shelved_until_ns IS NULL AND a.suppressed_by = '' "
    "AND s.remind_s > 0 GROUP BY n.subscription_id, n.alert_id, s.remind_s "
    "HAVING MAX(n.created_ns) <= {p} - CAST(s.remind_s AS BIGINT) * {ns}")


def queue_reminders(now):
    """A reminder for every subscription told about an alert that is still active and unacknowledged, once its
    reminder interval has passed since the last message; how many."""
    due = database.execute_sql(REMINDERS_DUE.format(p=database.param, ns=NS), (now,)).fetchall()
    if due:
        Notification.insert_many([{"subscription": s, "alert": a, "reason": "reminder", "created_ns": now,
                                   "due_ns": now} for s, a in due]).execute()
        Alert.update(reminders=Alert.reminders + 1).where(Alert.id.in_(sorted({a for _, a in due}))).execute()
    return len(due)


def _claim(now):
    """Due messages, each claimed by pushing its due time ahead (so another sender skips it)."""
    rows = list(Notification.select().where(Notification.state == "pending", Notification.due_ns <= now)
                .order_by(Notification.due_ns, Notification.id).limit(BATCH))
    claimed = []
    for row in rows:
        if Notification.update(due_ns=now + CLAIM_S * NS, attempts=Notification.attempts + 1).where(
                Notification.id == row.id, Notification.due_ns == row.due_ns).execute():
            row.attempts += 1
            claimed.append(row)
    return claimed


def deliver_due(settings, now=None):
    """Send what is due; {sent, failed, retry}."""
    now = now or now_ns()
    counts = {"sent": 0, "failed": 0, "retry": 0}
    for row in _claim(now):
        alert = Alert.select().where(Alert.id == row.alert_id).first()
        subscription = Subscription.get_or_none(Subscription.id == row.subscription_id)
        if alert is not None and row.reason != "recovered" and (alert.shelved or alert.suppressed_by):
            row.state, row.last_error = "muted", "the alert was shelved or suppressed before it was sent"
            row.save()
            continue
        try:
            if alert is None or subscription is None:
                raise DeliveryError("the alert or the subscription is gone")
            send(settings, subscription, alert, row.reason)
        except Exception as error:  # noqa: BLE001 - one message that cannot go must not hold up the others
            if not isinstance(error, DeliveryError):
                log.exception("notification %s could not be composed or sent", row.id)
            row.last_error = str(error)[:500]
            if row.attempts >= MAX_ATTEMPTS:
                row.state = "failed"
                counts["failed"] += 1
                log.warning("gave up on notification %s after %s attempts: %s", row.id, row.attempts, error)
            else:
                row.due_ns = now_ns() + 30 * NS * 2 ** (row.attempts - 1)
                counts["retry"] += 1
            row.save()
            continue
        row.state, row.sent_ns, row.last_error = "sent", now_ns(), ""
        row.save()
        counts["sent"] += 1
    return counts


class DeliveryError(Exception):
    pass


TITLES = {"raised": "", "reminder": "reminder: ", "recovered": "recovered: "}


def compose(settings, alert, reason):
    """(subject, text, JSON document) of a message about an alert."""
    device = alert.device
    link = settings.public_url.rstrip("/") + f"/alerts/{alert.id}"
    label = "RECOVERED" if reason == "recovered" else alert.severity.upper()
    subject = " ".join(f"[DCS {label}] {TITLES[reason]}{alert.message}".split())  # one line, whatever came in
    lines = [alert.message, "", f"Device:    {device.name} ({device.subsystem or 'no subsystem'})",
             f"Severity:  {alert.severity}", f"State:     {alert.state}", f"Raised:    {iso(alert.raised_ns)}"]
    if alert.acked_by:
        lines.append(f"Acknowledged by {alert.acked_by} at {iso(alert.acked_ns)}: {alert.ack_comment}")
    if alert.guidance:
        lines += ["", "What to do:", alert.guidance]
    lines += ["", f"Open the alert: {link}"]
    document = {"reason": reason, "alert": alert.to_dict(), "link": link}
    return subject[:200], "\n".join(lines) + "\n", document


def send(settings, subscription, alert, reason):
    subject, text, document = compose(settings, alert, reason)
    if subscription.channel == "email":
        _mail(settings, subscription.target, subject, text)
        return
    refused = webhook_allowed(settings, subscription.target)
    if refused:
        raise DeliveryError(refused)
    _post(subscription.target, document)


def _mail(settings, to, subject, text):
    if not settings.smtp_host:
        raise DeliveryError("no SMTP server is configured (DCS_SMTP_HOST)")
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = settings.smtp_from, to, subject
    message.set_content(text)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise DeliveryError(f"mail to {to} failed: {error}") from None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A webhook that answers with a redirect is not followed anywhere (the allowed hosts are the only ones)."""

    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)


def _post(url, document):
    request = urllib.request.Request(url, data=json.dumps(document).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "User-Agent": "dcs-portal"})
    try:
        with _OPENER.open(request, timeout=5) as answer:
            answer.read(65536)
    except urllib.error.HTTPError as error:
        raise DeliveryError(f"the webhook answered {error.code}") from None
    except (OSError, ValueError) as error:
        raise DeliveryError(f"the webhook could not be reached: {error}") from None


class Delivery:
    """A thread that sends due messages while its process holds the engine's lease."""

    def __init__(self, settings, stopping):
        self.settings, self.stopping = settings, stopping
        self.active = False
        self.thread = None

    def start(self):
        self.thread = threading.Thread(target=self.run, name="dcs-notifications", daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(15)

    def run(self):
        database.connect(reuse_if_open=True)
        try:
            while not self.stopping.wait(1):
                if self.active:
                    try:
                        deliver_due(self.settings)
                    except Exception:
                        log.exception("sending notifications failed")
        finally:
            database.close()


def user_for(principal):
    return User.get_by_id(principal.user_id)
