"""The append-only audit log: who did what to which object, when, with a before/after summary.

`record()` is called inside the same transaction as the change it describes, so a change and its
entry land together or not at all. The database refuses UPDATE and DELETE on the table (triggers in
migration 0001). Secrets never enter it: keys that name passwords, hashes, secrets or tokens' keys
are dropped from the before/after summaries.
"""

import json

import peewee

from .db import Model
from .errors import bad_request
from .timeutil import iso, now_ns, to_ns

SECRET_KEYS = ("password", "password_hash", "secret", "key_hash", "csrf_token")


class AuditEntry(Model):
    at_ns = peewee.BigIntegerField()
    actor = peewee.CharField(max_length=200)
    user_id = peewee.BigIntegerField(null=True)
    action = peewee.CharField(max_length=64)
    object_type = peewee.CharField(max_length=64)
    object_id = peewee.CharField(max_length=200, default="")
    summary = peewee.TextField(default="")
    before_json = peewee.TextField(null=True)
    after_json = peewee.TextField(null=True)
    ip = peewee.CharField(max_length=64, default="")

    class Meta:
        table_name = "audit_log"

    def to_dict(self):
        return {
            "id": self.id,
            "time": iso(self.at_ns),
            "actor": self.actor,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "summary": self.summary,
            "before": json.loads(self.before_json) if self.before_json else None,
            "after": json.loads(self.after_json) if self.after_json else None,
            "ip": self.ip,
        }


class Actor:
    """Who acts, for the log: a request's principal, or the CLI (`cli:<login>`)."""

    def __init__(self, label, user_id=None, ip=""):
        self.label, self.user_id, self.ip = label, user_id, ip

    @classmethod
    def of(cls, principal, ip=""):
        return cls(principal.label, principal.user_id, ip) if principal else cls("anonymous", None, ip)


def _clean(state):
    if state is None:
        return None
    return json.dumps({k: v for k, v in state.items() if k not in SECRET_KEYS}, sort_keys=True, default=str)


def record(actor, action, object_type, object_id="", summary="", before=None, after=None):
    return AuditEntry.create(
        at_ns=now_ns(), actor=actor.label, user_id=actor.user_id, ip=actor.ip or "",
        action=action, object_type=object_type, object_id=str(object_id), summary=summary,
        before_json=_clean(before), after_json=_clean(after),
    )


def changes(before, after):
    """Only the keys whose values differ, as (before, after) dicts, for compact entries."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


MAX_LIMIT = 500


def query(actor=None, action=None, obj=None, since=None, until=None, limit=50, before_id=None):
    """Newest first. action matches a prefix ("user." finds every user action); obj is a type or type:id."""
    q = AuditEntry.select()
    if actor:
        q = q.where(AuditEntry.actor.contains(actor))
    if action:
        q = q.where(AuditEntry.action.startswith(action))
    if obj:
        object_type, _, object_id = obj.partition(":")
        q = q.where(AuditEntry.object_type == object_type)
        if object_id:
            q = q.where(AuditEntry.object_id == object_id)
    if since is not None:
        q = q.where(AuditEntry.at_ns >= to_ns(since, "since time"))
    if until is not None:
        q = q.where(AuditEntry.at_ns < to_ns(until, "until time"))
    if before_id is not None:
        q = q.where(AuditEntry.id < before_id)
    if not 1 <= limit <= MAX_LIMIT:
        raise bad_request(f"The limit must be from 1 to {MAX_LIMIT}.")
    rows = list(q.order_by(AuditEntry.id.desc()).limit(limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more else None)
