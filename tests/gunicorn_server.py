"""Reservia under gunicorn's gthread worker, as the benchmark runs it (bench/servers.py), on a free
loopback port; for tests that need a server with a fixed number of threads."""
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager

import requests

from tests.live_server import ROOT, free_port


class GunicornSite:
    """The address of a running server, its master process's id, and clients for it."""

    def __init__(self, port, pid):
        self.port = port
        self.pid = pid
        self.base = f"http://127.0.0.1:{port}"

    def url(self, path=""):
        return f"{self.base}{path}"

    @staticmethod
    def session():
        client = requests.Session()
        client.trust_env = False  # no proxy from the environment between the test and loopback
        return client


@contextmanager
def running_gunicorn(home, processes, threads, **settings):
    """Yield a GunicornSite serving the data folder `home` with Reservia's default settings except
    `settings`; its output goes to `home`/gunicorn.log."""
    port = free_port()
    env = {name: value for name, value in os.environ.items() if not name.startswith("RESERVIA_")}
    env.update({"RESERVIA_HOME": str(home), **{name: str(value) for name, value in settings.items()}})
    home.mkdir(parents=True, exist_ok=True)
    log_path = home / "gunicorn.log"
    with open(log_path, "ab") as log:
        # No control socket: it would be one file in the home folder for every run at once.
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(processes),
             "--threads", str(threads), "--worker-class", "gthread", "--graceful-timeout", "1",
             "--no-control-socket", "app:application"],
            cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
    site = GunicornSite(port, server.pid)
    try:
        deadline = time.monotonic() + 120  # a first start in a fresh virtualenv compiles everything
        while True:
            assert server.poll() is None, log_path.read_text(errors="replace")[-4000:]
            try:
                if site.session().get(site.url("/info/is_alive"), timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, "gunicorn did not serve Reservia within two minutes"
            time.sleep(0.2)
        yield site
    finally:
        if server.poll() is None:
            # SIGINT: gunicorn's quick stop; SIGTERM would wait on the test's idle keep-alive connections.
            os.killpg(server.pid, signal.SIGINT)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
