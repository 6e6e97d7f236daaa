"""A real portal server for the benchmarks that go over HTTP: waitress on a free loopback port, in a thread."""

import http.client
import threading

from dcs.audit import Actor
from dcs.auth.tokens import create_token
from dcs.auth.users import create_user
from dcs.cli import WAITRESS_OPTIONS
from dcs.web.app import create_app
from waitress.server import create_server


def http_getter(settings, path):
    """A function that GETs path with an admin's read token, as a script or a farm job would, and returns the
    body; the server runs (in a daemon thread) until the process ends."""
    actor = Actor("bench")
    user = create_user(actor, "farm", "farm-password-123", 10, is_admin=True)
    _, secret = create_token(actor, user, "farm", ["read"])
    server = create_server(create_app(settings), host="127.0.0.1", port=0, threads=4, **WAITRESS_OPTIONS)
    threading.Thread(target=server.run, daemon=True).start()
    connection = http.client.HTTPConnection("127.0.0.1", server.effective_port, timeout=60)
    headers = {"Authorization": f"Bearer {secret}"}

    def get():
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path}: {response.status} {body[:200]!r}")
        return body

    return get
