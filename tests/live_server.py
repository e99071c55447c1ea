"""Reservia started the way a new user starts it (`python app.py`), on a free loopback port."""
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_reservia(home, **settings):
    """Yield the base URL of a development server with default settings in a fresh data folder."""
    port = free_port()
    env = {**os.environ, "RESERVIA_HOME": str(home), "RESERVIA_PORT": str(port),
           "RESERVIA_DATABASE_URL": "", "RESERVIA_ADMIN_PASSWORD": "",
           "RESERVIA_PASSWORD_METHOD": "pbkdf2:sha256:1000"}
    env.update({name: str(value) for name, value in settings.items()})
    server = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # a first start in a fresh virtualenv compiles everything
        while True:
            try:
                requests.get(f"{base}/info/is_alive", timeout=5).raise_for_status()
                break
            except requests.RequestException:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "Reservia did not answer within two minutes"
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stderr.close()
