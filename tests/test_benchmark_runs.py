"""The benchmark's one command runs end to end on tiny data (figures are printed, never asserted).

Its servers keep their data in SQLite files of their own, so `make test` runs it once (own_sqlite).
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
@pytest.mark.own_sqlite
def test_quick_benchmark_writes_every_figure(tmp_path):
    env = dict(os.environ, VENV=sys.prefix)
    done = subprocess.run(["bash", "bench/run.sh", "--quick", "--output", str(tmp_path)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
                          check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = json.loads((tmp_path / "latest.json").read_text())
    measured = {(m["label"], m["name"]) for m in results["measurements"]}
    assert {("ceiling", "hello"), ("health", "is_alive"), ("active list", "active"),
            ("dashboard", "dashboard"), ("session status", "status"), ("unchanged refresh", "board 304"),
            ("open dashboards", "board 304"), ("login", "login"), ("request-release cycle", "cycle"),
            ("cycle while others log in", "login"), ("cycle, webhooks + worker", "cycle"),
            ("active list, growing data", "active"),
            ("dashboard, growing data", "dashboard")} <= measured
    failed = [m for m in results["measurements"] if not (m["operations"] > 0 and m["errors"] == 0)]
    assert not failed, failed
    assert results["machine"]["cores"] >= 1
    assert all(m["cpu"]["server_ms_per_request"] > 0 for m in results["measurements"])
    assert "p99 ms" in (tmp_path / "latest.txt").read_text()
