"""A real `dcs serve` in a subprocess on a free loopback port, for browser, backup and CLI tests."""

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

DCS = str(Path(sys.executable).with_name("dcs"))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def dcs_env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DCS_")}
    env.update({
        "DCS_DATABASE_URL": f"sqlite:///{tmp_path}/dcs.sqlite",
        "DCS_CALIB_DIR": str(tmp_path / "calib"),
        "DCS_DATA_ROOT": str(tmp_path / "data"),
        "DCS_COMMAND_STATE_DIR": str(tmp_path / "commands"),
        "DCS_COMMAND_MODULES": str(tmp_path / "modules"),
        "DCS_SECRET_KEY": "server-test-secret-" + "y" * 32,
        "DCS_PASSWORD_COST": "10",
        "DCS_LOG_LEVEL": "WARNING",
    })
    env.update(extra)
    return env


def run_dcs(args, env, stdin=None, timeout=60):
    return subprocess.run([DCS, *args], env=env, input=stdin, capture_output=True, text=True, timeout=timeout)


@contextlib.contextmanager
def serving(env, *args):
    """Start `dcs serve`, wait (at most 30 s) until /api/health answers, yield the base URL, then stop it."""
    port = free_port()
    env = dict(env, DCS_PORT=str(port), DCS_HOST="127.0.0.1")
    process = subprocess.Popen([DCS, "serve", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/api/health", timeout=2) as response:
                    if json.load(response)["ok"]:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    raise RuntimeError("dcs serve did not start:\n" + process.stdout.read()) from None
                time.sleep(0.1)
        process.base_url = base
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class HttpSession:
    """A cookie-keeping JSON client for a running server (urllib only), sending the CSRF token on writes."""

    def __init__(self, base_url):
        import http.cookiejar

        self.base = base_url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.csrf = None

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if self.csrf:
            request.add_header("X-CSRF-Token", self.csrf)
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)

    def login(self, username, password):
        status, body = self.call("POST", "/api/auth/login", {"username": username, "password": password})
        assert status == 200, body
        self.csrf = body["csrf_token"]
        return body
