"""About the service itself: health, the OpenAPI document, the roles and scopes."""

from bottle import request

from ... import __version__
from ...auth.permissions import ROLES, SCOPES
from ...db import database
from ...timeutil import iso, now_ns
from ..openapi import document


def register(api):
    @api.route("/health", "GET", perm="public", tag="meta")
    def health():
        """Whether the server and its database answer."""
        database.execute_sql("SELECT 1")
        return {"ok": True, "version": __version__, "database": "ok", "time": iso(now_ns())}

    @api.route("/openapi.json", "GET", perm="public", tag="meta")
    def openapi():
        """This API described as OpenAPI 3."""
        # The root app keeps the API app in its config (no closure over `api`: Bottle would unwrap it).
        return document(request.app.config["dcs.api"].routes)

    @api.route("/roles", "GET", perm="authenticated", tag="meta")
    def roles():
        """The roles and token scopes, with what each allows."""
        return {"ok": True,
                "roles": [{"name": name, "description": text} for name, text in ROLES.items()],
                "scopes": [{"name": name, "description": text} for name, text in SCOPES.items()]}
