"""Helpers of the load and fault tests: a `dcs serve` subprocess we can kill -9, a small keep-alive JSON client,
seeding through the CLI and the API, and device controllers posting heartbeats or readings until told to stop."""

import http.client
import json
import sqlite3
import subprocess
import threading
import time
import urllib.request

from ..server import DCS, free_port, run_dcs

NS = 1_000_000_000
TIMEOUT = 60  # seconds a single answer may take on a loaded machine before it counts as an error
PASSWORD = "load-test-password-123"


class Server:
    """`dcs serve` on a free port with its output in a file: a pipe nobody reads fills up under load (waitress
    warns about its task queue) and would stall the server."""

    def __init__(self, env, log_path):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        with open(log_path, "a") as log:  # the server writes to its own copy of the descriptor
            self.process = subprocess.Popen([DCS, "serve"], stdout=log, stderr=subprocess.STDOUT,
                                            env=dict(env, DCS_PORT=str(self.port), DCS_HOST="127.0.0.1"))
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(self.base_url + "/api/health", timeout=5) as response:
                    if json.load(response)["ok"]:
                        return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.kill()
                    raise RuntimeError(f"dcs serve did not start:\n{self.output()}") from None
                time.sleep(0.1)

    @property
    def pid(self):
        return self.process.pid

    def output(self):
        """The end of what the server wrote, without waitress's warnings about its task queue (many, expected
        under load)."""
        with open(self.log_path) as log:
            lines = [line for line in log if "Task queue depth" not in line]
        return "".join(lines[-60:])

    def stop(self):
        """SIGTERM, as an admin stops it; SIGKILL if it does not end within 30 s."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self):
        """kill -9: no clean-up of any kind in the server."""
        if self.process.poll() is None:
            self.process.kill()  # SIGKILL on POSIX
        self.process.wait()


class Client:
    """One keep-alive HTTP/1.1 connection sending JSON with a bearer token, as a device controller does."""

    def __init__(self, base_url, token):
        self.host, self.port = base_url.removeprefix("http://").split(":")
        self.headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        self.connection = None

    def call(self, method, path, body=None):
        """(status, JSON answer); connection errors are raised (OSError, http.client.HTTPException)."""
        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.host, int(self.port), timeout=TIMEOUT)
        try:
            self.connection.request(method, path, json.dumps(body) if body is not None else None, self.headers)
            response = self.connection.getresponse()
            data = response.read()
        except BaseException:
            self.close()
            raise
        return response.status, json.loads(data) if data else None

    def ok(self, method, path, body=None):
        status, answer = self.call(method, path, body)
        assert status in (200, 201), f"{method} {path}: {status} {answer}"
        return answer

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def seed(env, group="load"):
    """A migrated database with a group and an admin, through the CLI; the admin's token (with every scope, so
    that it may hand them on)."""
    for args in (["migrate"], ["group", "add", group]):
        done = run_dcs(args, env)
        assert done.returncode == 0, done.stderr
    done = run_dcs(["user", "add", "root", "--role", "admin", "--password-stdin"], env, stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    done = run_dcs(["token", "create", "root-script", "--user", "root", "--scope", "read,write,admin,heartbeat"], env)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()[0]


def add_person(admin, username, role, group, scopes):
    """A user with a role in group, and a token of theirs with the scopes; the token's secret."""
    admin.ok("POST", "/api/users", {"username": username, "password": PASSWORD,
                                    "memberships": [{"group": group, "role": role}]})
    return admin.ok("POST", "/api/tokens", {"name": f"{username}-token", "scopes": scopes, "user": username})["secret"]


def sqlite_path(env):
    return env["DCS_DATABASE_URL"].removeprefix("sqlite:///")


def query(env, sql, params=()):
    """Rows of a query on the database file itself, with the server stopped or running."""
    connection = sqlite3.connect(sqlite_path(env), timeout=30)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


class Controller(threading.Thread):
    """A device controller: once every client has started, posts heartbeats with increasing seq for its device on
    one keep-alive connection, for `seconds` or until stop is set. Counts the 200 answers and notes when the
    first came; keeps every other answer (refused) and every connection error (broken)."""

    def __init__(self, base_url, token, device, start, stop, seconds=None, payload=None):
        super().__init__(daemon=True, name=f"controller {device}")
        self.client = Client(base_url, token)
        self.device, self.start_barrier, self.stop_event, self.seconds = device, start, stop, seconds
        self.payload = payload or {}
        self.seq = self.accepted = 0
        self.started = self.deadline = self.first_answer = None
        self.refused, self.broken = [], []

    def run(self):
        try:
            self.start_barrier.wait(timeout=TIMEOUT)
        except threading.BrokenBarrierError:
            self.broken.append("the clients never all started")
            return
        self.started = time.monotonic()
        self.deadline = None if self.seconds is None else self.started + self.seconds
        while not self.stop_event.is_set() and (self.deadline is None or time.monotonic() < self.deadline):
            self.seq += 1
            try:
                status, answer = self.client.call("POST", "/api/heartbeats", {
                    "device": self.device, "seq": self.seq, "payload": self.payload})
            except (OSError, http.client.HTTPException) as error:
                self.broken.append(f"seq {self.seq}: {type(error).__name__}: {error}")
                if self.stop_event.is_set() or len(self.broken) >= 3:
                    break
                continue
            if status == 200:
                self.accepted += 1
                self.first_answer = self.first_answer or time.monotonic()
            else:
                self.refused.append(f"seq {self.seq}: {status} {answer}")
        self.client.close()


class ReadingsPoster(threading.Thread):
    """Posts batches of readings of one parameter with unique, increasing whole-second times until stop is set
    or the connection breaks. Remembers every reading of the batches answered 200 (acknowledged, t_ns -> value),
    the batch that was under way when the connection broke (in_flight), and any other answer (refused)."""

    def __init__(self, base_url, token, device, parameter, first_s, batch=50):
        super().__init__(daemon=True, name=f"readings {device} {parameter}")
        self.client = Client(base_url, token)
        self.device, self.parameter, self.t, self.batch = device, parameter, first_s, batch
        self.stop_event = threading.Event()
        self.acknowledged, self.in_flight = {}, {}
        self.batches = 0
        self.refused = self.broken = None

    def run(self):
        while not self.stop_event.is_set():
            rows = [{"device": self.device, "parameter": self.parameter, "t": self.t + i,
                     "value": round((self.t + i) % 1000 * 0.25, 2)} for i in range(self.batch)]
            self.t += self.batch
            sent = {row["t"] * NS: row["value"] for row in rows}
            try:
                status, answer = self.client.call("POST", "/api/readings", {"readings": rows})
            except (OSError, http.client.HTTPException) as error:
                self.broken, self.in_flight = f"{type(error).__name__}: {error}", sent
                break
            if status != 200:
                self.refused = f"{status} {answer}"
                break
            self.acknowledged.update(sent)
            self.batches += 1
        self.client.close()


def join_all(threads, limit):
    """Wait for the threads to end, at most limit seconds for all of them together."""
    deadline = time.monotonic() + limit
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))


def wait_for(condition, what, limit=60.0, every=0.2):
    """Poll condition() until it returns something truthy (returned), at most limit seconds."""
    deadline = time.monotonic() + limit
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {limit:.0f} s waiting for {what}")
        time.sleep(every)

