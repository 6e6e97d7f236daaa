"""A throwaway PostgreSQL server for the tests that are about PostgreSQL: initdb in a temp directory,
started on a free loopback port, removed afterwards. Runs as the `postgres` user when we are root."""

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile

from .server import free_port


def _bindir():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: `make test` installs Debian's postgresql package.")
    return os.path.dirname(found[-1])


def _as_owner(command):
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextlib.contextmanager
def postgres_server():
    bindir = _bindir()
    home = tempfile.mkdtemp(prefix="dcs-pg-")
    data, sockets = os.path.join(home, "data"), os.path.join(home, "sock")
    os.mkdir(sockets)
    if os.geteuid() == 0:
        shutil.chown(home, "postgres")
        shutil.chown(sockets, "postgres")
    port = free_port()

    def run(*command):
        subprocess.run(_as_owner(list(command)), check=True, capture_output=True, timeout=120)

    try:
        run(f"{bindir}/initdb", "-D", data, "-A", "trust", "-U", "dcs", "--no-sync", "-E", "UTF8")
        run(f"{bindir}/pg_ctl", "-D", data, "-w", "-t", "60", "-l", os.path.join(home, "log"), "-o",
            f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
        run(f"{bindir}/createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "dcs", "dcs")
        yield f"postgresql://dcs@127.0.0.1:{port}/dcs", bindir
    finally:
        if os.path.exists(os.path.join(data, "postmaster.pid")):
            subprocess.run(_as_owner([f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "stop"]),
                           capture_output=True, timeout=60)
        shutil.rmtree(home, ignore_errors=True)
