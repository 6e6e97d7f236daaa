"""Plugins of the API app, outermost first: errors, database, authentication/authorization, injection.

Every route declares `perm=<permission name>` (and `body=<Body>` when it takes one); `check_routes`
makes the app refuse to start when a route does not, so nothing is reachable by accident.
"""

import inspect

from bottle import request

from ..audit import Actor
from ..auth.permissions import PERMISSIONS
from ..auth.sessions import COOKIE, check_csrf, session_principal
from ..auth.tokens import token_principal
from ..db import database
from ..errors import DcsError
from .body import read_json

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def check_routes(app):
    """Every route names a known permission; otherwise the app does not start."""
    problems = []
    for route in app.routes:
        perm = route.config.get("perm")
        if perm is None:
            problems.append(f"{route.method} {route.rule} declares no permission")
        elif perm not in PERMISSIONS:
            problems.append(f"{route.method} {route.rule} names the unknown permission {perm!r}")
        if route.get_undecorated_callback() is not route.callback:
            # Bottle takes a closure for a decorated function and would inspect the wrong signature.
            problems.append(f"{route.method} {route.rule} is a closure over a local name; use module-level helpers")
    if problems:
        raise RuntimeError("Refusing to start: " + "; ".join(problems) + ".")


def client_ip():
    # REMOTE_ADDR only: waitress rewrites it from X-Forwarded-For when DCS_TRUSTED_PROXY is set.
    return request.environ.get("REMOTE_ADDR", "")


class DatabasePlugin:
    """A connection for the request's thread (kept open for the thread's next request)."""

    name = "database"
    api = 2

    def apply(self, callback, route):
        def wrapper(*args, **kwargs):
            database.connect(reuse_if_open=True)
            return callback(*args, **kwargs)

        return wrapper


class AuthPlugin:
    """Find who is asking (bearer token, else session cookie), check CSRF on cookie writes, then the permission."""

    name = "auth"
    api = 2

    def __init__(self, settings):
        self.settings = settings

    def authenticate(self):
        header = request.get_header("Authorization")
        if header is not None:
            scheme, _, value = header.partition(" ")
            if scheme.lower() != "bearer" or not value.strip():
                raise DcsError(401, "The Authorization header must read 'Bearer <token>'.")
            return token_principal(value.strip()), None
        return session_principal(self.settings, request.get_cookie(COOKIE))

    def apply(self, callback, route):
        permission = PERMISSIONS[route.config["perm"]]
        if permission.anonymous:
            return callback

        def wrapper(*args, **kwargs):
            principal, session_hash = self.authenticate()
            if principal is None:
                raise DcsError(401, "You need to log in first.")
            if session_hash and request.method not in SAFE_METHODS:
                if not check_csrf(self.settings.secret_key, session_hash, request.get_header("X-CSRF-Token")):
                    raise DcsError(403, "The CSRF token is missing or wrong; reload the page and try again.")
            if not permission.allows(principal):
                scope = f" (with a token scope of {permission.scope!r})" if principal.token_scopes is not None else ""
                raise DcsError(403, f"You are not allowed to do this; it is for {permission.description}{scope}.")
            request.environ["dcs.principal"] = principal
            request.environ["dcs.session_hash"] = session_hash
            return callback(*args, **kwargs)

        return wrapper


class InjectionPlugin:
    """Hand `settings`, `principal`, `actor` and the checked `body` to callbacks that name them."""

    name = "inject"
    api = 2

    def __init__(self, settings):
        self.settings = settings

    def apply(self, callback, route):
        wanted = set(inspect.signature(route.get_undecorated_callback()).parameters)
        schema = route.config.get("body")

        def wrapper(*args, **kwargs):
            principal = request.environ.get("dcs.principal")
            if schema is not None:
                body = schema.validate(read_json(self.settings.max_body))
                if "body" in wanted:
                    kwargs["body"] = body
            if "settings" in wanted:
                kwargs["settings"] = self.settings
            if "principal" in wanted:
                kwargs["principal"] = principal
            if "actor" in wanted:
                kwargs["actor"] = Actor.of(principal, client_ip())
            return callback(*args, **kwargs)

        return wrapper
