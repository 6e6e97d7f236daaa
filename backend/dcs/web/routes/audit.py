"""The audit log, newest first, with filters and paging."""

from bottle import request

from ... import audit
from ...errors import bad_request

FILTERS = (
    ("actor", "Part of the actor, e.g. alice or token:"),
    ("action", "Start of the action, e.g. user. or token.revoke"),
    ("object", "Object type, or type:id, e.g. user:bob"),
    ("since", "From this time (Unix seconds or ISO 8601)"),
    ("until", "Before this time (Unix seconds or ISO 8601)"),
    ("limit", f"How many entries, 1 to {audit.MAX_LIMIT} (default 50)"),
    ("before_id", "Entries older than this id (paging: next_before_id of the previous answer)"),
)


def _whole(name, default=None):
    text = request.query.getunicode(name)
    if text in (None, ""):
        return default
    if not text.isdigit() or len(text) > 18:
        raise bad_request(f"The query parameter {name} must be a whole number, not {text!r}.")
    return int(text)


def register(api):
    @api.route("/audit", "GET", perm="audit.read", tag="audit", query=FILTERS)
    def entries():
        """Audit entries matching the filters, newest first."""
        q = request.query
        rows, next_id = audit.query(actor=q.getunicode("actor") or None, action=q.getunicode("action") or None,
                                    obj=q.getunicode("object") or None, since=q.getunicode("since") or None,
                                    until=q.getunicode("until") or None, limit=_whole("limit", 50),
                                    before_id=_whole("before_id"))
        return {"ok": True, "entries": [r.to_dict() for r in rows], "next_before_id": next_id}
