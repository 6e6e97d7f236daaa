"""What the foundation costs per request, measured side by side in one run.

Every variant answers through WebTest in this process (the same harness for all), in interleaved
rounds so that drift of the machine hits them alike; the figure per variant is the median round.
- plain Bottle: a bare Bottle app returning a small JSON dict: the floor of the framework itself.
- health: our full stack (plugins, error handling, security headers) on a public route with one query.
- devices by token / by session: authentication, permission check and a 15-row query.
- login: one scrypt password check at the default cost, plus a session written.
"""

import statistics
import tempfile
import time

import webtest
from bottle import Bottle
from dcs import demo
from dcs.audit import Actor
from dcs.auth.models import User
from dcs.auth.tokens import create_token
from dcs.web.app import create_app

from .fresh import fresh_portal

ROUNDS, PER_ROUND = 7, 300


def _plain_app():
    app = Bottle()

    @app.route("/api/health")
    def health():
        return {"ok": True, "version": "0", "database": "ok"}

    return app


def _timed(call, count):
    start = time.perf_counter()
    for _ in range(count):
        call()
    return (time.perf_counter() - start) / count


def run():
    with tempfile.TemporaryDirectory() as tmp:
        settings, db = fresh_portal(tmp)
        created = demo.seed(settings.password_cost)
        _, secret = create_token(Actor("bench"), User.by_name("otto"), "bench", ["read"])
        app = create_app(settings)

        plain = webtest.TestApp(_plain_app())
        ours = webtest.TestApp(app, extra_environ={"REMOTE_ADDR": "127.0.0.1"})
        browser = webtest.TestApp(app, extra_environ={"REMOTE_ADDR": "127.0.0.2"})
        browser.post_json("/api/auth/login", {"username": "otto", "password": created["people_password"]})
        auth = {"Authorization": f"Bearer {secret}"}
        login_body = {"username": "otto", "password": created["people_password"]}
        variants = {
            "plain bottle": lambda: plain.get("/api/health"),
            "health": lambda: ours.get("/api/health"),
            "devices by token": lambda: ours.get("/api/devices", headers=auth),
            "devices by session": lambda: browser.get("/api/devices"),
        }
        for call in variants.values():  # warm up caches and lazily built things
            _timed(call, 20)
        rounds = {name: [] for name in variants}
        logins = []
        for _ in range(ROUNDS):
            for name, call in variants.items():
                rounds[name].append(_timed(call, PER_ROUND))
            logins.append(_timed(lambda: ours.post_json("/api/auth/login", login_body), 3))
        db.close()

    per_request = {name: statistics.median(times) for name, times in rounds.items()}
    per_request["login"] = statistics.median(logins)
    ratios = {
        "health / plain bottle": per_request["health"] / per_request["plain bottle"],
        "devices by token / health": per_request["devices by token"] / per_request["health"],
        "devices by session / devices by token": per_request["devices by session"] / per_request["devices by token"],
        "login / devices by token": per_request["login"] / per_request["devices by token"],
    }
    for name, seconds in per_request.items():
        print(f"   {name:<22} {seconds * 1e6:10.1f} us/request  ({1 / seconds:8.0f} requests/s)")
    for name, ratio in ratios.items():
        print(f"   ratio {name:<38} {ratio:8.2f}")
    return {"rounds": ROUNDS, "per_round": PER_ROUND, "password_cost": settings.password_cost,
            "seconds_per_request": per_request, "ratios": ratios}
