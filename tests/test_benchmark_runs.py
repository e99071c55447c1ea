"""The benchmark's one command runs end to end on tiny data and writes every figure and table.

What a figure measures depends on the machine (a busy one may finish no operation in a sub-second
window), so the figures' values are never asserted; what is asserted is that every scenario ran
and was answered as expected, and that the files hold the rows, columns and numbers a reader needs.
Its servers keep their data in SQLite files of their own, so `make test` runs it once (own_sqlite).
"""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIGURES = {("ceiling", "hello"), ("health", "is_alive"), ("active list", "active"),
           ("dashboard", "dashboard"), ("session status", "status"), ("unchanged refresh", "board 304"),
           ("open dashboards", "board 304"), ("login", "login"), ("request-release cycle", "cycle"),
           ("cycle while others log in", "login"), ("cycle while others log in", "cycle"),
           ("cycle, webhooks + worker", "cycle"), ("active list, growing data", "active"),
           ("dashboard, growing data", "dashboard")}
NUMBER = r"-?\d[\d,]*(?:\.\d+)?"
# One row of latest.txt's table: scenario, load, data, then ten columns of figures ("-": none).
ROW = re.compile(rf"(?P<label>.{{26}}) (?P<name>.{{9}}) (?P<data>.{{26}})\s+(?P<clients>\d+)\s+"
                 rf"(?P<rate>{NUMBER})\s+(?:\d+%|-)\s+(?:(?:{NUMBER}|-)\s+){{3}}(?P<errors>\d+)\s+"
                 rf"(?:{NUMBER}|-)\s+(?:{NUMBER}x|-)\s+{NUMBER}")


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    output = tmp_path_factory.mktemp("bench")
    env = dict(os.environ, VENV=sys.prefix)
    done = subprocess.run(["bash", "bench/run.sh", "--quick", "--output", str(output)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
                          check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads((output / "latest.json").read_text()), (output / "latest.txt").read_text()


def is_number(value, least=0):
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= least


@pytest.mark.slow
@pytest.mark.own_sqlite
def test_every_scenario_runs_and_is_answered_as_expected(quick_run):
    results, _ = quick_run
    measurements = results["measurements"]
    assert {(m["label"], m["name"]) for m in measurements} >= FIGURES
    for m in measurements:
        figure = (m["label"], m["name"], m["clients"])
        # Each client finishes at least its first operation, whatever the window held.
        assert m["all_requests"] >= m["clients"] >= 1, figure
        assert (m["errors"], m["all_errors"], m["error_kinds"]) == (0, 0, {}), figure


@pytest.mark.slow
@pytest.mark.own_sqlite
def test_every_figure_is_a_number_and_every_row_is_in_the_table(quick_run):
    results, text = quick_run
    assert is_number(results["machine"]["cores"], least=1)
    for m in results["measurements"]:
        figure = (m["label"], m["name"], m["clients"])
        assert all(is_number(m[k]) for k in ("operations", "requests", "seconds", "requests_per_s")), figure
        assert m["operations"] <= m["requests"] <= m["all_requests"], figure
        latencies = [m[k] for k in ("p50_ms", "p95_ms", "p99_ms", "max_ms")]
        if m["operations"]:
            assert all(is_number(v) for v in latencies) and latencies == sorted(latencies), figure
        else:
            assert latencies == [None] * 4, figure
        cpu = m["cpu"]
        assert all(is_number(cpu[k]) for k in ("server_cores", "client_cores", "other_cores",
                                               "server_cores_measured")), figure
        assert is_number(cpu["server_ms_per_request"]) if m["requests"] else cpu["server_ms_per_request"] is None
    rows = [ROW.fullmatch(line) for line in text.splitlines() if ROW.fullmatch(line)]
    assert [(r["label"].strip(), r["name"].strip(), int(r["clients"]), float(r["rate"]), int(r["errors"]))
            for r in rows] == [(m["label"][:26], m["name"], m["clients"], m["requests_per_s"], m["errors"])
                               for m in results["measurements"]]
    for target in results["targets"]:
        verdict = "met" if target["met"] else "NOT MET"
        assert re.search(rf"^{re.escape(target['target'])}\s+{re.escape(target['measured'])}\s+{verdict}$",
                         text, re.MULTILINE), target


@pytest.mark.slow
@pytest.mark.own_sqlite
def test_the_department_scenario_runs_every_member_and_reports_against_the_goal(quick_run):
    results, text = quick_run
    [run] = results["department"]
    assert run["engine"] == "sqlite" and run["pages_open"] == run["sizes"]["readers"]
    # Every member did their part: dashboards refreshed, CI jobs locked and released, the person
    # used the card's forms; nothing failed, in the window or outside it.
    kinds = {kind["kind"] for kind in run["kinds"]}
    assert {"board 200", "CI request", "CI release", "browser request", "board after action"} <= kinds
    # Each failed answer is listed (kind, request, status, code, message, inside the window or not).
    assert (run["all_errors"], run["failures"]) == (0, []), run["failures"]
    assert all(kind["errors"] == 0 for kind in run["kinds"]), run["kinds"]
    assert 0 < run["refreshes_answered"] and 0 < run["refreshes_asked"]
    # Each answer told its CPU time (RESERVIA_SERVER_TIMING): the split by kind is a real one.
    assert all(kind["timed"] == kind["requests"] and is_number(kind["cpu_ms"]) for kind in run["kinds"])
    # ... and its time in Reservia, within the time the client waited for it.
    assert all(is_number(kind["app_p50_ms"]) and kind["app_p50_ms"] <= kind["p50_ms"] for kind in run["kinds"])
    assert all(is_number(run[k]) for k in ("server_cores", "database_cores", "client_cores", "other_cores"))
    # How late the load generator itself was, sampled through the window.
    assert is_number(run["client_late_ms"]["p50"]) and is_number(run["client_late_ms"]["p99"])
    for what in ("server + database CPU", "dashboard refresh p99", "write p99", "errors = 0"):
        assert re.search(rf"^  {re.escape(what)}.*\s(met|NOT MET)$", text, re.MULTILINE), what


@pytest.mark.slow
@pytest.mark.own_sqlite
def test_being_told_measures_every_hand_over_and_reports_against_the_goal(quick_run):
    results, text = quick_run
    [run] = results["told"]
    # Every job queued was told of its turn, by its wait and by its webhook, once each hand-over.
    assert run["engine"] == "sqlite" and run["told"]["count"] == run["webhook"]["count"] == run["waiters"] == 4
    for name in ("release", "told", "webhook"):
        assert is_number(run[name]["p50_ms"]) and run[name]["p50_ms"] <= run[name]["p99_ms"], name
    assert is_number(run["idle_cores"])
    assert re.search(r"^  sqlite: 4 jobs waiting, .* wait answered p50 .* \((met|NOT MET)\); webhook .*"
                     r"\((met|NOT MET)\)$", text, re.MULTILINE), text[-2000:]
