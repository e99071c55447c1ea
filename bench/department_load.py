"""The department's load, run as its own process: `python -m bench.department_load < spec.json`
prints the figures as JSON (its own CPU among them: it shares the machine with the server).

Readers sign in and open their dashboards spread over `ramp` seconds, the CI jobs start over the
same span, the people acting in the browser after it; `settle` seconds later (or once every
dashboard is open, up to a minute more) the measured window of `duration` seconds opens. Server
CPU is read from /proc for the window: the web server's process tree and, on PostgreSQL, the
database's.
"""
import asyncio
import json
import resource
import sys
import time

from bench import department_clients as clients
from bench.department_http import Browser
from bench.load import client_tls, percentile
from bench.machine import TICKS, tree_ticks

GRACE_SECONDS = 1.0
# How often the load generator checks its own promptness (see _lateness).
LATENESS_TICK = 0.01
OPEN_WAIT_SECONDS = 60.0
# The goal's two kinds of request: what an open page asks on its own, and what changes the board.
REFRESHES = ("board 200", "board 304", "notices 200", "notices 304")
WRITES = ("CI request", "CI release", "CI keep-alive", "browser request", "browser release", "browser book")


def _own_cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _ms(value):
    return round(value * 1000, 2) if value is not None else None


def summarise(kind, figures, seconds):
    values = sorted(figures["latencies"])
    in_app, queued = sorted(figures["in_app"]), sorted(figures["queued"])
    requests = len(values) + figures["errors"]
    return {"kind": kind, "requests": requests, "per_s": round(requests / seconds, 2), "errors": figures["errors"],
            "error_kinds": figures["error_kinds"], "p50_ms": _ms(percentile(values, 0.5)),
            "p99_ms": _ms(percentile(values, 0.99)), "max_ms": _ms(values[-1] if values else None),
            "app_p50_ms": _ms(percentile(in_app, 0.5)), "app_p99_ms": _ms(percentile(in_app, 0.99)),
            "queued_p50_ms": _ms(percentile(queued, 0.5)),
            "on_new_connection": figures["connected"], "told_to_close": figures["told_to_close"],
            "cpu_ms": round(figures["cpu_ms"], 1), "timed": figures["timed"],
            "cpu_ms_per_request": round(figures["cpu_ms"] / figures["timed"], 3) if figures["timed"] else None}


async def _lateness(window, found):
    """How late this process's event loop wakes a task, sampled through the window: a latency
    measured here includes it, so a late loop would pass for a slow server."""
    while not window.closed:
        asked = time.monotonic()
        await asyncio.sleep(LATENESS_TICK)
        woke = time.monotonic()
        if window.counts(asked, woke):
            found.append(woke - asked - LATENESS_TICK)


async def drive(spec):
    tls = client_tls() if spec["tls"] else None

    def connect():
        return Browser(spec["host"], spec["port"], tls)

    now = time.monotonic()
    ramp = spec["ramp"]
    start = now + ramp + spec["settle"]
    window = clients.Window(start, start + spec["duration"])
    tally = clients.Tally(window)
    readers, jobs, people = spec["readers"], spec["ci"], spec["people"]
    tasks = [clients.reader(connect, name, spec["password"], now + ramp * n / max(1, len(readers)), tally, window)
             for n, name in enumerate(readers)]
    tasks += [clients.ci_job(connect, token, label, spec["ci_hold"], tally, window, now + ramp * n / max(1, len(jobs)))
              for n, (token, label) in enumerate(jobs)]
    tasks += [clients.person(connect, name, spec["password"], desk, n, spec["person_pause"], tally, window, now + ramp)
              for n, (name, desk) in enumerate(people)]
    running = [asyncio.create_task(task) for task in tasks]
    lateness = []
    watcher = asyncio.create_task(_lateness(window, lateness))
    servers, database = set(spec["server_pids"]), set(spec["database_pids"])
    await asyncio.sleep(max(0.0, window.start - time.monotonic()))
    # Every reader's dashboard open first, as the scenario says; a server that cannot open them
    # all within OPEN_WAIT_SECONDS more is measured as it is (pages_open tells how many were).
    deadline = time.monotonic() + OPEN_WAIT_SECONDS
    while tally.pages_open < len(readers) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    window.open(time.monotonic(), spec["duration"])
    before = (_own_cpu(), tree_ticks(servers), tree_ticks(database) if database else 0)
    pages_open = tally.pages_open
    await asyncio.sleep(max(0.0, window.stop - time.monotonic()))
    after = (_own_cpu(), tree_ticks(servers), tree_ticks(database) if database else 0)
    # The long-polls still held would keep the window open for up to half a minute: they are cut.
    window.closed = True
    _, pending = await asyncio.wait(running, timeout=GRACE_SECONDS)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    await watcher
    failed = [task.exception() for task in running if not task.cancelled() and task.exception()]
    if failed:
        raise failed[0]
    seconds = window.stop - window.start
    interval = tally.refresh_seconds or 5.0
    def group(kinds):
        latencies = sorted(v for kind in kinds for v in tally.kinds.get(kind, {}).get("latencies", ()))
        p99 = percentile(latencies, 0.99)
        return {"requests": len(latencies), "p99_ms": round(p99 * 1000, 2) if p99 is not None else None}

    return {
        "seconds": round(seconds, 3),
        "refresh": group(REFRESHES), "write": group(WRITES),
        "kinds": [summarise(kind, figures, seconds) for kind, figures in sorted(tally.kinds.items())],
        "pages_open": pages_open, "refresh_seconds": interval,
        "refreshes_asked": round(pages_open * seconds / interval),
        "refreshes_answered": tally.refreshes_answered,
        "all_requests": tally.all_requests, "all_errors": tally.all_errors, "failures": tally.failures,
        "client_cores": round((after[0] - before[0]) / seconds, 3),
        "client_late_ms": {"p50": _ms(percentile(sorted(lateness), 0.5)),
                           "p99": _ms(percentile(sorted(lateness), 0.99))},
        "server_cores": round((after[1] - before[1]) / TICKS / seconds, 3),
        "database_cores": round((after[2] - before[2]) / TICKS / seconds, 3),
    }


def main():
    spec = json.load(sys.stdin)
    json.dump(asyncio.run(drive(spec)), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
