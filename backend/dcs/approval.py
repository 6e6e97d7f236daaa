"""The one approval workflow, shared by calibration sets and configuration sets.

    draft --propose--> proposed --approve--> approved --(a newer one is approved)--> superseded
                          |  \\--reject (comment required)--> rejected
                          \\--withdraw--> draft

Who may do what is decided per subject by the group it belongs to (`Approvable.approver_group_id`):
members and up edit drafts and propose; experts of that group (and admins) approve or reject, never
the person who proposed (the two-person rule). Approved and rejected subjects are frozen: a change
starts a new draft (`revise`, which the subject's own module implements). Every transition is kept
in `approval_events` and in the audit log, in the same transaction as the change.
"""

import peewee

from .audit import record
from .auth.users import at_least, group_role
from .db import Model, database
from .errors import bad_request, conflict, forbidden
from .timeutil import iso, now_ns

STATES = ("draft", "proposed", "approved", "rejected", "superseded")
# action: (the state it starts from, the state it leads to)
ACTIONS = {
    "propose": ("draft", "proposed"),
    "withdraw": ("proposed", "draft"),
    "approve": ("proposed", "approved"),
    "reject": ("proposed", "rejected"),
}

DONE = {"propose": "proposed", "withdraw": "withdrawn", "approve": "approved", "reject": "rejected"}


class ApprovalEvent(Model):
    kind = peewee.CharField(max_length=32)
    subject = peewee.CharField(max_length=200)
    from_state = peewee.CharField(max_length=16)
    to_state = peewee.CharField(max_length=16)
    actor = peewee.CharField(max_length=200)
    comment = peewee.TextField(default="")
    at_ns = peewee.BigIntegerField()

    class Meta:
        table_name = "approval_events"

    def to_dict(self):
        return {"from_state": self.from_state, "to_state": self.to_state, "actor": self.actor,
                "comment": self.comment, "time": iso(self.at_ns)}


class Approvable(Model):
    """The columns every approvable subject has. Subclasses have `name`, `created_ns` and `label`, set
    `approval_kind` and implement `approver_group_id` and `same_scope` (the query of the subjects one
    approved subject supersedes, None when it has no scope)."""

    state = peewee.CharField(max_length=16, default="draft")
    created_by = peewee.CharField(max_length=200, default="")
    proposed_by = peewee.CharField(max_length=200, null=True)
    proposed_ns = peewee.BigIntegerField(null=True)
    decided_by = peewee.CharField(max_length=200, null=True)
    decided_ns = peewee.BigIntegerField(null=True)
    decision_comment = peewee.TextField(default="")

    approval_kind = None  # e.g. calib_set: names its events and audit actions

    def subject_name(self):
        return self.name

    @classmethod
    def listed(cls, state=None):
        """Newest first; of one state when given."""
        query = cls.select().order_by(cls.created_ns.desc(), cls.id.desc())
        if state is not None:
            if state not in STATES:
                raise bad_request(f"The state must be one of {', '.join(STATES)}.")
            query = query.where(cls.state == state)
        return query

    def previous_approved(self):
        """The subject this one replaces: the latest approved in its scope other than itself (for an approved
        or superseded one: the one approved before it), or None."""
        scope = self.same_scope()
        if scope is None:
            return None
        kind = type(self)
        query = scope.where(kind.id != self.id, kind.state.in_(("approved", "superseded")))
        if self.state in ("approved", "superseded") and self.decided_ns:
            query = query.where(kind.decided_ns < self.decided_ns)
        return query.order_by(kind.decided_ns.desc()).first()

    def approval_dict(self):
        return {"state": self.state, "created_by": self.created_by, "proposed_by": self.proposed_by,
                "proposed": iso(self.proposed_ns), "decided_by": self.decided_by, "decided": iso(self.decided_ns),
                "decision_comment": self.decision_comment}


def refusal(principal, subject, action):
    """Why the principal may not do action on subject now (a sentence), or None when they may."""
    role = group_role(principal, subject.approver_group_id())
    name = f"{subject.label} {subject.subject_name()}"
    if action in ("edit", "revise", "propose"):
        if not at_least(role, "member"):
            return f"Only members of the owning group (or admins) may {action} the {name}."
        if action in ("edit", "propose") and subject.state != "draft":
            return f"The {name} is {subject.state}; only a draft can be changed or proposed (make a new draft from it)."
        return None
    start, _ = ACTIONS[action]
    if subject.state != start:
        return f"The {name} is {subject.state}, not {start}: it cannot be {DONE[action]} now."
    if action == "withdraw":
        if principal is None or (principal.username != subject.proposed_by and role != "admin"):
            return f"Only the proposer ({subject.proposed_by}) or an admin may withdraw the {name}."
        return None
    if not at_least(role, "expert"):
        return f"Only experts of the owning group (or admins) may {action} the {name}."
    if principal.username == subject.proposed_by:
        return f"You proposed the {name}; someone else must {action} it (two-person rule)."
    return None


def allowed(principal, subject):
    """What the principal may do with the subject now, for the UI: {action: bool}."""
    return {action: refusal(principal, subject, action) is None
            for action in ("edit", "propose", "withdraw", "approve", "reject", "revise")}


def transition(actor, principal, subject, action, comment=""):
    """Move subject by action (propose, withdraw, approve, reject); refused with 403 or 409 and a reason."""
    if action not in ACTIONS:
        raise bad_request(f"The action must be one of {', '.join(ACTIONS)}.")
    comment = (comment or "").strip()
    if action == "reject" and not comment:
        raise bad_request("Say why: a rejection needs a comment.", errors=[{"field": "comment",
                                                                              "error": "A comment is required."}])
    with database.atomic():
        subject = type(subject).get_by_id(subject.id)  # the state as stored now, not as the caller read it
        reason = refusal(principal, subject, action)
        if reason:
            raise (conflict if subject.state != ACTIONS[action][0] else forbidden)(reason)
        start, end = ACTIONS[action]
        now = now_ns()
        if action == "propose":
            subject.proposed_by, subject.proposed_ns = principal.username, now
        elif action == "withdraw":
            subject.proposed_by, subject.proposed_ns = None, None
        else:
            subject.decided_by, subject.decided_ns, subject.decision_comment = principal.username, now, comment
        subject.state = end
        subject.save()
        _event(actor, subject, start, end, comment, now)
        if action == "approve" and subject.same_scope() is not None:
            for older in subject.same_scope().where(type(subject).state == "approved",
                                                    type(subject).id != subject.id):
                older.state = "superseded"
                older.save()
                _event(actor, older, "approved", "superseded", f"superseded by {subject.subject_name()}", now)
    return subject


def _event(actor, subject, start, end, comment, now):
    ApprovalEvent.create(kind=subject.approval_kind, subject=subject.subject_name(), from_state=start, to_state=end,
                         actor=actor.label, comment=comment, at_ns=now)
    record(actor, f"{subject.approval_kind}.{end}", subject.approval_kind, subject.subject_name(),
           f"{subject.label} {subject.subject_name()}: {start} -> {end}"
           + (f" ({comment})" if comment else ""), before={"state": start}, after={"state": end})


def page(subject, principal, diff):
    """What every subject's page shows of its approval: history, the subject it would replace and the
    diff(subject, other) against it, and what the principal may do."""
    other = subject.previous_approved()
    return {"history": history(subject), "previous_approved": other.name if other else None,
            "diff": diff(subject, other) if other else None, "can": allowed(principal, subject)}


def started(actor, subject, comment=""):
    """Record the birth of a draft (created or revised), so the history starts at the beginning."""
    _event(actor, subject, "", "draft", comment, now_ns())


def history(subject):
    return [e.to_dict() for e in ApprovalEvent.select()
            .where(ApprovalEvent.kind == subject.approval_kind, ApprovalEvent.subject == subject.subject_name())
            .order_by(ApprovalEvent.at_ns, ApprovalEvent.id)]
