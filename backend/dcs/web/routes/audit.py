"""The audit log, newest first, with filters and paging."""

from ... import audit
from .. import query

FILTERS = (
    ("actor", "Part of the actor, e.g. alice or token:"),
    ("action", "Start of the action, e.g. user. or token.revoke"),
    ("object", "Object type, or type:id, e.g. user:bob"),
    ("since", "From this time (Unix seconds or ISO 8601)"),
    ("until", "Before this time (Unix seconds or ISO 8601)"),
    ("limit", f"How many entries, 1 to {audit.MAX_LIMIT} (default 50)"),
    ("before_id", "Entries older than this id (paging: next_before_id of the previous answer)"),
)


def register(api):
    @api.route("/audit", "GET", perm="audit.read", tag="audit", query=FILTERS)
    def entries():
        """Audit entries matching the filters, newest first."""
        rows, next_id = audit.query(actor=query.text("actor"), action=query.text("action"), obj=query.text("object"),
                                    since=query.text("since"), until=query.text("until"),
                                    limit=query.whole("limit", 50), before_id=query.whole("before_id"))
        return {"ok": True, "entries": [r.to_dict() for r in rows], "next_before_id": next_id}
