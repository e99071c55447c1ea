"""The curl sessions in README.md and docs/API.md, run against a live server: the docs cannot drift."""
import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.live_server import running_reservia

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTED_BASE = "http://127.0.0.1:5000"
ARROW = "# → "

# The server of the walkthrough keeps its data in a SQLite file of its own.
pytestmark = pytest.mark.own_sqlite


def shell_steps(markdown):
    """(commands, expected answer) pairs from the ```sh blocks, in order."""
    steps, pending = [], []
    for block in re.findall(r"```sh\n(.*?)```", markdown, flags=re.S):
        if ARROW not in block:
            continue  # not a walkthrough: the README's own `make run` / `make test`, say
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
    if isinstance(expected, list) and expected and isinstance(expected[0], dict):
        return isinstance(actual, list) and len(actual) == len(expected) and all(
            contains(a, e) for a, e in zip(actual, expected, strict=True))
    return actual == expected


@pytest.fixture
def live_reservia(tmp_path):
    """The base URL of a server started as `make run` starts it, and its data folder."""
    home = tmp_path / "home"
    with running_reservia(home) as base:
        yield base, home


@pytest.mark.parametrize("document", ["README.md", "docs/API.md", "docs/bookings.md"])
def test_documented_curl_session_answers_as_documented(live_reservia, tmp_path, document):
    base, home = live_reservia
    steps = shell_steps((ROOT / document).read_text(encoding="utf-8"))
    assert len(steps) >= 10
    script = ["set -u"]
    for number, (commands, _) in enumerate(steps):
        script.append(f"{{\n{commands.replace(DOCUMENTED_BASE, base)}\n}} > answer-{number}.json")
        script.append(f"echo $? > status-{number}")
    # The shell a reader types in knows where the server keeps its data, as `make run` does.
    result = subprocess.run(["bash", "-c", "\n".join(script)], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120, env={**os.environ, "RESERVIA_HOME": str(home)})
    assert result.returncode == 0, result.stderr
    for number, (commands, expected) in enumerate(steps):
        answer = (tmp_path / f"answer-{number}.json").read_text(encoding="utf-8")
        status = (tmp_path / f"status-{number}").read_text().strip()
        assert answer, f"{commands.strip()}\n  answered nothing (exit {status}): {result.stderr}"
        assert contains(json.loads(answer), expected), f"{commands.strip()}\n  answered {answer}"
