"""The curl sessions in README.md and docs/API.md, run against a live server: the docs cannot drift."""
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTED_BASE = "http://127.0.0.1:5000"
ARROW = "# → "


def shell_steps(markdown):
    """(commands, expected answer) pairs from the ```sh blocks, in order."""
    steps, pending = [], []
    for block in re.findall(r"```sh\n(.*?)```", markdown, flags=re.S):
        for line in block.splitlines():
            if line.startswith(ARROW):
                steps.append(("\n".join(pending), json.loads(line[len(ARROW):])))
                pending = []
            else:
                pending.append(line)
    return steps


def contains(actual, expected):
    """True when every field shown in the docs has the documented value (answers are abridged)."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            key in actual and contains(actual[key], value) for key, value in expected.items())
    return actual == expected


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def live_reservia(tmp_path):
    """`python app.py` as a new user starts it: default settings in a fresh data folder."""
    port = _free_port()
    env = {**os.environ, "RESERVIA_HOME": str(tmp_path / "home"), "RESERVIA_PORT": str(port),
           "RESERVIA_DATABASE_URL": "", "RESERVIA_ADMIN_PASSWORD": "",
           "RESERVIA_PASSWORD_METHOD": "pbkdf2:sha256:1000"}
    server = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(f"{base}/info/is_alive", timeout=1)
                break
            except requests.ConnectionError:
                assert server.poll() is None, server.stderr.read().decode()
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stderr.close()


@pytest.mark.parametrize("document", ["README.md", "docs/API.md"])
def test_documented_curl_session_answers_as_documented(live_reservia, tmp_path, document):
    steps = shell_steps((ROOT / document).read_text(encoding="utf-8"))
    assert len(steps) >= 10
    script = ["set -u"]
    for number, (commands, _) in enumerate(steps):
        script.append(f"{{\n{commands.replace(DOCUMENTED_BASE, live_reservia)}\n}} > answer-{number}.json")
    result = subprocess.run(["bash", "-c", "\n".join(script)], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    for number, (commands, expected) in enumerate(steps):
        answer = (tmp_path / f"answer-{number}.json").read_text(encoding="utf-8")
        assert contains(json.loads(answer), expected), f"{commands.strip()}\n  answered {answer}"
