"""A server process holding waiting CI jobs dies (killed, out of memory): under gunicorn with two
processes, the jobs (client/reservia.py's `lock`) reconnect to whichever process is left or
restarted, and each still gets its turn once, in the order they asked, with nothing lost."""
import os
import signal
import time
from pathlib import Path

import pytest

from tests.client_runs import Jobs, eventually
from tests.conftest import (
    USER_PASSWORD,
    assert_no_overlapping_holds,
    assert_served_in_request_order,
    settings_for,
    stored_reservations,
)
from tests.gunicorn_server import running_gunicorn
from tests.held_connections import children_of, connections_served_by

pytestmark = [pytest.mark.slow, pytest.mark.once]

JOBS = 4
PROCESSES = 2
THREADS = 4
# Long enough apart that a connection seen in both looks was held open, not a quick "ask again".
LOOKS_APART = 0.3


def held_waits(site, workers, job_pids):
    """(a worker, the jobs whose waits it holds), for the worker holding the most; None when no
    worker holds one open across two looks."""
    first = {worker: connections_served_by(worker, site.port, job_pids) for worker in workers}
    time.sleep(LOOKS_APART)
    held = {worker: first[worker] & connections_served_by(worker, site.port, job_pids) for worker in workers}
    worker = max(held, key=lambda each: len(held[each]))
    return (worker, {pid for pid, _port in held[worker]}) if held[worker] else None


def test_jobs_whose_process_was_killed_reconnect_and_each_hold_once_in_turn(app, accounts, tmp_path):
    home = Path(app.config["RESERVIA_HOME"])
    settings = {name: value for name, value in settings_for(home).items() if name.startswith("RESERVIA_")}
    settings["RESERVIA_DATABASE_URL"] = app.config["RESERVIA_DATABASE_URL"]
    accounts.add_user("holder")
    accounts.add_resource("bench-1")
    runs = tmp_path / "runs.txt"
    names = [f"ci-{number}" for number in range(1, JOBS + 1)]

    with running_gunicorn(home, processes=PROCESSES, threads=THREADS, **settings) as site:
        holder = site.session()
        assert holder.post(site.url("/session/login"), json={"name": "holder", "password": USER_PASSWORD}).ok
        bench = next(r["id"] for r in holder.get(site.url("/info/resources")).json()["resources"])
        assert holder.post(site.url("/reservation/request"), json={"resource_id": bench}).json()["status"] == "approved"

        ci = Jobs(accounts, site.base)
        waiting = []
        for position, name in enumerate(names, start=1):
            # Each job writes its name while it holds the bench: who held it, how often, in what order.
            job = ci.start(ci.token_for(name), "lock", "--resource", "bench-1", "--",
                           "sh", "-c", f"echo {name} >> {runs}")
            job.wait_for_line(f"position {position} ")
            waiting.append(job)
        by_pid = {job.pid: job for job in waiting}

        workers = children_of(site.pid)
        assert len(workers) == PROCESSES
        killed, cut = eventually(lambda: held_waits(site, workers, by_pid), "a worker to hold a job's wait")
        os.kill(killed, signal.SIGKILL)
        for pid in cut:
            by_pid[pid].wait_for_line("trying again")
        eventually(lambda: len(set(children_of(site.pid)) - set(workers)) == 1, "gunicorn to start a new worker")
        for job in waiting:
            assert not job.told("holding"), job.said()

        released = holder.post(site.url("/reservation/release"), json={"resource_id": bench})
        assert released.status_code == 200, released.text
        ended = [job.finish() for job in waiting]

    for code, _out, err in ended:
        assert code == 0, err
        assert err.count("holding bench-1") == 1, err
    assert runs.read_text().split() == names
    rows = [row for row in stored_reservations(app) if row.resource_id == bench]
    assert len(rows) == 1 + JOBS
    assert all(row.state == "released" and row.approved_at and row.ended_at for row in rows)
    assert_no_overlapping_holds(rows)
    assert_served_in_request_order(rows)
