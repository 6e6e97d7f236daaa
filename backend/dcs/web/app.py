"""The app factory: `create_app(settings) -> Bottle`, with nothing bound at import time."""

import logging

from bottle import Bottle, request, response

from ..commands.modules import load as load_modules
from ..db import connect, pending_migrations
from . import spa
from .errors import ErrorPlugin, error_response, install_error_handlers
from .plugins import AuthPlugin, DatabasePlugin, InjectionPlugin, check_routes
from .routes import register_all

log = logging.getLogger("dcs.web")

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                               "frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
}


_SECURITY = {name: [value] for name, value in SECURITY_HEADERS.items()}


def create_app(settings):
    """A fresh portal app on settings' database, which must be migrated (`dcs migrate`)."""
    db = connect(settings.database_url)
    with db.connection_context():
        pending = pending_migrations(db)
    if pending:
        raise RuntimeError(f"The database needs {len(pending)} migration(s) ({', '.join(pending)}): run `dcs migrate`.")

    load_modules(settings)  # command modules: their commands, and the emergency actions they offer
    api = Bottle()
    api.config["dcs.settings"] = settings
    for plugin in (ErrorPlugin(), DatabasePlugin(), AuthPlugin(settings), InjectionPlugin(settings)):
        api.install(plugin)
    register_all(api)
    check_routes(api)

    root = Bottle()
    root.config["dcs.settings"] = settings
    root.config["dcs.api"] = api
    root.mount("/api/", api)
    spa.register(root, settings.static_dir)
    install_error_handlers(root)

    @root.hook("after_request")
    def secure_headers():
        # Bottle's set_header checks and normalises each name and value on every call; these are constants, so
        # they go straight into its header table (Bottle is pinned to 0.13): a heartbeat costs less.
        headers = response._headers
        headers.update(_SECURITY)
        if "Cache-Control" not in headers and request.path.startswith("/api/"):
            headers["Cache-Control"] = ["no-store"]

    root.route("/api", ["GET", "POST", "PUT", "PATCH", "DELETE"],
               lambda: error_response(404, "The API lives under /api/; see /api/openapi.json."))
    return root
