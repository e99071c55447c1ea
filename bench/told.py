"""How fast the next holder is told: `python -m bench.told`.

For each engine asked for (SQLite, and PostgreSQL on a throwaway cluster of its own), this starts
Reservia under gunicorn with deploy/'s processes, threads and settings, and `flask deliver` beside
it, and queues WAITERS CI jobs (each a user with an API token and a webhook for `granted`) behind
the holders of a few benches, each job asking GET /reservation/wait as client/reservia.py does
(honouring Retry-After). Then, hand-over after hand-over, the holder of a bench releases it and the
bench measures, from the release's commit (the moment its transaction wrote, which the `granted`
event carries as its `time`: a millisecond or so before the commit itself), until
- the next holder's GET /reservation/wait answers `approved`, and
- the first attempt of its `granted` webhook reaches a receiver on this machine.
Before the hand-overs it also measures the CPU the server and the worker use while all the jobs
wait and nothing changes. It prints p50 and p99 of each, and the goal (p50 <= 20 ms, p99 <= 100 ms).
`python -m bench` runs it too, as its "told" phase (--quick: 4 jobs over 2 benches, on SQLite).
"""
import argparse
import json
import statistics
import tempfile
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

from bench.api import ApiClient
from bench.machine import TICKS, tree_ticks
from bench.runner import ADMIN_PASSWORD, Sizes, server_env
from bench.servers import GunicornServer, deploy_settings, stop_process, wait_until_answering, worker_settings

WAITERS = 100
BENCHES = 4
PASSWORD = "told-password"
# Between hand-overs: long enough for the job that moved up to ask again (Retry-After grows with
# its position: the second in line is told 2 s), as jobs that hold a bench for a while would.
GAP = 0.6
GOAL_P50, GOAL_P99 = 0.020, 0.100
PATIENCE = 60


class Receiver:
    """A webhook receiver on this machine: when each request's `granted` event first arrived."""

    def __init__(self):
        self.arrived = {}
        self.committed = {}
        self.changed = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                at = time.time()
                event = json.loads(body or b"{}")
                self.send_response(204)
                self.end_headers()
                if event.get("event") == "granted":
                    with receiver.changed:
                        receiver.arrived.setdefault(event.get("request_id"), at)
                        receiver.committed[event.get("request_id")] = datetime.fromisoformat(event["time"]).timestamp()
                        receiver.changed.notify_all()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def arrival(self, request_id):
        """(when the request's `granted` webhook arrived, when its release committed), or None."""
        with self.changed:
            if not self.changed.wait_for(lambda: request_id in self.arrived, PATIENCE):
                return None
            return self.arrived[request_id], self.committed[request_id]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class Job:
    """One CI job: a user with a token and a webhook, who asks for a bench and waits for its turn."""

    def __init__(self, base, admin, name, hook_url):
        self.base = base
        admin.call("POST", "/admin/user/add", {"name": name, "email": f"{name}@example.org", "password": PASSWORD})
        person = ApiClient(admin.port)
        person.login(name, PASSWORD)
        token = person.call("POST", "/session/tokens", {"name": "ci"})[1]["token"]
        person.call("POST", "/session/webhooks", {"url": hook_url, "events": ["granted"]})
        person.close()
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.request_id = None
        self.told_at = None
        self.told = threading.Event()

    def ask(self, bench):
        answer = self.http.post(f"{self.base}/reservation/request", json={"resource_id": bench})
        answer.raise_for_status()
        self.request_id = answer.json()["request_id"]
        return answer.json()["status"]

    def wait_for_turn(self):
        while True:
            try:
                answer = self.http.get(f"{self.base}/reservation/wait",
                                       params={"request_id": self.request_id, "timeout": 30}, timeout=PATIENCE)
            except requests.ConnectionError:
                continue  # a keep-alive connection the server closed: ask again, as client/reservia.py does
            if answer.json()["status"] == "approved":
                self.told_at = time.time()
                self.told.set()
                return
            time.sleep(float(answer.headers.get("Retry-After", 0)))

    def release(self):
        try:
            answer = self.http.post(f"{self.base}/reservation/release", json={"request_id": self.request_id},
                                    timeout=PATIENCE)
        except requests.ConnectionError:
            # A keep-alive connection the server closed before reading the release: send it again.
            answer = self.http.post(f"{self.base}/reservation/release", json={"request_id": self.request_id},
                                    timeout=PATIENCE)
        answer.raise_for_status()


def _percentiles(seconds):
    ordered = sorted(seconds)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def measure(engine, tmp, waiters, benches, idle_seconds, processes=None):
    """Figures for one engine: {"idle_cores", "told", "webhook", "release": [seconds, ...]}.
    `processes`: the server's (default: deploy/'s)."""
    home = tmp / engine
    env = {**server_env(home, Sizes(password_method="pbkdf2:sha256:1000")), **deploy_settings()}
    cluster = None
    if engine == "postgresql":
        from deploy.postgres_cluster import ThrowawayCluster

        cluster = ThrowawayCluster(durable=True).start()
        env["RESERVIA_DATABASE_URL"] = cluster.create_database("reservia_told")
    workdir = tmp / f"{engine}-server"
    workdir.mkdir(parents=True)
    deployed, threads = worker_settings()
    processes = processes or deployed
    server = GunicornServer(workdir, env, processes, threads)
    receiver = Receiver()
    worker = None
    try:
        server.start()
        worker = server.start_delivery_worker()
        base = f"http://127.0.0.1:{server.reservia_port}"
        wait_until_answering(server.reservia_port, "/info/is_alive")
        admin = ApiClient(server.reservia_port)
        admin.login("admin", ADMIN_PASSWORD)
        ids = [admin.call("POST", "/admin/resource/add", {"name": f"told-{i}", "comment": ""})[1]["resource_id"]
               for i in range(benches)]
        holders = [Job(base, admin, f"holder{i}", receiver.url) for i in range(benches)]
        for holder, bench in zip(holders, ids, strict=True):
            assert holder.ask(bench) == "approved"
        jobs = [Job(base, admin, f"job{i}", receiver.url) for i in range(waiters)]
        queues = {bench: [] for bench in ids}
        for n, job in enumerate(jobs):
            bench = ids[n % benches]
            assert job.ask(bench) == "requested"
            queues[bench].append(job)
        for job in jobs:
            threading.Thread(target=job.wait_for_turn, daemon=True).start()
        pids = [*server.root_pids()[:1], worker.pid]
        time.sleep(2)  # every job has asked once and is held or told when to ask again
        before = tree_ticks(pids)
        time.sleep(idle_seconds)
        idle_cores = (tree_ticks(pids) - before) / TICKS / idle_seconds

        told, webhook, released = [], [], []
        current = dict(zip(ids, holders, strict=True))
        for n in range(waiters):
            bench = ids[n % benches]
            following = queues[bench].pop(0)
            sent = time.monotonic()
            current[bench].release()
            released.append(time.monotonic() - sent)
            if not following.told.wait(PATIENCE):
                raise RuntimeError(f"job {following.request_id} was never told of its turn")
            heard = receiver.arrival(following.request_id)
            if heard is None:
                raise RuntimeError(f"no webhook for request {following.request_id}")
            arrived, committed = heard
            told.append(following.told_at - committed)
            webhook.append(arrived - committed)
            current[bench] = following
            time.sleep(GAP)
        return {"idle_cores": idle_cores, "told": told, "webhook": webhook, "release": released}
    finally:
        receiver.stop()
        if worker is not None:
            stop_process(worker)
        server.stop()
        if cluster is not None:
            cluster.stop()


def told_phase(engines, tmp, waiters=WAITERS, benches=BENCHES, idle_seconds=5.0, log=print, processes=None):
    """Each engine in turn: [{"engine", "waiters", "idle_cores", and for "release", "told" and
    "webhook": {"p50_ms", "p99_ms", "count"}, "met" for the last two}], each printed as it ends."""
    runs = []
    for engine in engines:
        log(f"Being told: {engine}, {waiters} jobs waiting")
        figures = measure(engine, Path(tmp), waiters, benches, idle_seconds, processes)
        log(report(engine, figures, waiters))
        run = {"engine": engine, "waiters": waiters, "idle_cores": round(figures["idle_cores"], 3)}
        for name in ("release", "told", "webhook"):
            p50, p99 = _percentiles(figures[name])
            run[name] = {"p50_ms": round(p50 * 1000, 1), "p99_ms": round(p99 * 1000, 1), "count": len(figures[name])}
            if name != "release":
                run[name]["met"] = p50 <= GOAL_P50 and p99 <= GOAL_P99
        runs.append(run)
    return runs


def text(runs):
    """The phase's figures as the results file shows them."""
    return "Being told fast (python -m bench.told)\n" + "\n".join(
        f"  {run['engine']}: {run['waiters']} jobs waiting, idle {run['idle_cores']:.3f} cores; release "
        f"p50 {run['release']['p50_ms']} ms p99 {run['release']['p99_ms']} ms; wait answered p50 "
        f"{run['told']['p50_ms']} ms p99 {run['told']['p99_ms']} ms ({'met' if run['told']['met'] else 'NOT MET'}); "
        f"webhook p50 {run['webhook']['p50_ms']} ms p99 {run['webhook']['p99_ms']} ms "
        f"({'met' if run['webhook']['met'] else 'NOT MET'})" for run in runs)


def report(engine, figures, waiters):
    lines = [f"{engine}: {waiters} jobs waiting, server and worker idle at {figures['idle_cores']:.3f} cores"]
    p50, p99 = _percentiles(figures["release"])
    lines.append(f"  the release's own round trip: p50 {p50 * 1000:.1f} ms, "
                 f"p99 {p99 * 1000:.1f} ms")
    for name, label in (("told", "commit -> next holder's wait answered"),
                        ("webhook", "commit -> first webhook attempt received")):
        p50, p99 = _percentiles(figures[name])
        met = "met" if p50 <= GOAL_P50 and p99 <= GOAL_P99 else "NOT met"
        lines.append(f"  {label}: p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms "
                     f"(goal p50 <= 20 ms, p99 <= 100 ms: {met})")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.told", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engines", nargs="+", choices=("sqlite", "postgresql"), default=["sqlite", "postgresql"])
    parser.add_argument("--waiters", type=int, default=WAITERS, help="CI jobs queued (one hand-over each)")
    parser.add_argument("--benches", type=int, default=BENCHES, help="benches they queue for")
    parser.add_argument("--idle-seconds", type=float, default=5.0, help="CPU measured while all wait")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="reservia-told-") as tmp:
        told_phase(args.engines, tmp, args.waiters, args.benches, args.idle_seconds,
                   log=lambda line: print(line, flush=True))


if __name__ == "__main__":
    main()
