"""What many clients waiting in one queue cost under Apache: `python -m bench.waiters`.

CI jobs wait for a bench with GET /reservation/wait. This starts Reservia under a private Apache
(deploy/reservia.conf, as the deployment tests do) for each configuration asked for, queues
WAITERS clients (each a user with an API token) behind one holder, and measures, while they all
wait: the CPU the Apache processes use, how many requests they answer per second, how long an
unrelated GET /info/resources takes meanwhile, and, over a few hand-overs (the holder releases,
the next waiter must notice and release in turn), how long the next waiter took to learn of its
turn. It prints one line per configuration. Needs root, Apache and Debian's mod_wsgi.
"""
import argparse
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from bench.machine import TICKS, tree_ticks
from deploy.apache_site import ADMIN_PASSWORD, ApacheSite, apache_virtualenv

PASSWORD = "waiter-password"
# (processes, threads per process, RESERVIA_WAIT_THREADS); empty: derived, half the threads.
CONFIGURATIONS = {"default": (4, 8, ""), "few-threads": (4, 4, ""), "poll-only": (4, 8, 0), "hold-all": (4, 32, 30)}


class Waiter:
    """One queued client: asks GET /reservation/wait until approved, then releases after `hold`."""

    def __init__(self, site, token, request_id):
        self.site, self.request_id = site, request_id
        self.http = site.session()
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.approved_at = None
        self.requests = 0

    def wait_for_turn(self, stop):
        while not stop.is_set():
            try:
                answer = self.http.get(self.site.url("/reservation/wait"),
                                       params={"request_id": self.request_id, "timeout": 20}, timeout=60)
            except requests.RequestException:
                if stop.is_set():
                    return  # the server was stopped under us
                raise
            self.requests += 1
            if answer.json()["status"] == "approved":
                self.approved_at = time.monotonic()
                return
            retry_after = answer.headers.get("Retry-After")
            if retry_after:
                stop.wait(float(retry_after))

    def release(self):
        self.http.post(self.site.url("/reservation/release"), json={"request_id": self.request_id}, timeout=30)


def _token_for(site, admin, name):
    admin.post(site.url("/admin/user/add"), json={"name": name, "email": f"{name}@example.org",
                                                  "password": PASSWORD}).raise_for_status()
    person = site.session()
    person.post(site.url("/session/login"), json={"name": name, "password": PASSWORD}).raise_for_status()
    return person.post(site.url("/session/tokens"), json={"name": "bench"}).json()["token"]


def measure(name, waiters, seconds, handovers):
    processes, threads, wait_threads = CONFIGURATIONS[name]
    site = ApacheSite(apache_virtualenv(), processes=processes, threads=threads, extra_settings={
        "RESERVIA_WAIT_THREADS": wait_threads, "RESERVIA_PASSWORD_METHOD": "pbkdf2:sha256:1000",
        "RESERVIA_HOLD_MINUTES": 0}).prepare()
    site.start()
    try:
        admin = site.session()
        admin.post(site.url("/session/login"), json={"name": "admin", "password": ADMIN_PASSWORD}).raise_for_status()
        bench = admin.post(site.url("/admin/resource/add"), json={"name": "bench"}).json()["resource_id"]
        held = admin.post(site.url("/reservation/request"), json={"resource_id": bench}).json()
        with ThreadPoolExecutor(8) as pool:
            tokens = list(pool.map(lambda n: _token_for(site, admin, f"waiter{n}"), range(waiters)))
        queue = []
        for token in tokens:
            client = site.session()
            client.headers["Authorization"] = f"Bearer {token}"
            answer = client.post(site.url("/reservation/request"), json={"resource_id": bench}).json()
            queue.append(Waiter(site, token, answer["request_id"]))

        stop = threading.Event()
        workers = [threading.Thread(target=w.wait_for_turn, args=(stop,), daemon=True) for w in queue]
        for worker in workers:
            worker.start()
        time.sleep(3)  # every waiter has asked at least once
        apache = {site.process.pid}
        ticks, asked, started = tree_ticks(apache), sum(w.requests for w in queue), time.monotonic()
        probe_times = []
        while time.monotonic() - started < seconds:
            began = time.monotonic()
            admin.get(site.url("/info/resources"), timeout=60).raise_for_status()
            probe_times.append(time.monotonic() - began)
            time.sleep(0.5)
        elapsed = time.monotonic() - started
        cores = (tree_ticks(apache) - ticks) / TICKS / elapsed
        rate = (sum(w.requests for w in queue) - asked) / elapsed

        noticed = []
        releasing = lambda: admin.post(site.url("/reservation/release"),  # noqa: E731
                                       json={"request_id": held["request_id"]}, timeout=30)
        for waiter in queue[:handovers]:
            released_at = time.monotonic()
            releasing()
            while waiter.approved_at is None and time.monotonic() - released_at < 30:
                time.sleep(0.01)
            noticed.append((waiter.approved_at or float("inf")) - released_at)
            releasing = waiter.release
        stop.set()
        return {"configuration": name, "processes": processes, "threads": threads, "wait_threads": wait_threads,
                "waiters": waiters, "cpu_cores": round(cores, 3), "wait_requests_per_s": round(rate, 1),
                "other_request_p50_ms": round(statistics.median(probe_times) * 1000, 1),
                "other_request_max_ms": round(max(probe_times) * 1000, 1),
                "turn_noticed_median_s": round(statistics.median(noticed), 2),
                "turn_noticed_max_s": round(max(noticed), 2)}
    finally:
        site.stop()
        site.remove()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--waiters", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--handovers", type=int, default=5)
    parser.add_argument("configurations", nargs="*", metavar="CONFIGURATION",
                        help=f"any of {', '.join(CONFIGURATIONS)} (default: all)")
    args = parser.parse_args()
    for name in args.configurations or CONFIGURATIONS:
        print(measure(name, args.waiters, args.seconds, args.handovers), flush=True)


if __name__ == "__main__":
    main()
