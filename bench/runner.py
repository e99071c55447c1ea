"""The benchmark's course: start the server on a fresh database, build the data, measure, grow the data, measure."""
import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field

from bench import scenarios, seed
from bench.api import DataSet
from bench.machine import CpuWatch, wait_for_quiet
from bench.servers import ROOT, stop_process

ADMIN_PASSWORD = "bench-chief-password"
USER_PASSWORD = "bench-user-password"


@dataclass
class Sizes:
    """How long each measurement lasts and how big each data set is."""

    warmup: float = 1.5
    duration: float = 8.0
    clients: list = field(default_factory=lambda: [1, 8, 32])
    users: int = 40
    resources: int = 50
    per_resource: int = 4
    history_steps: list = field(default_factory=lambda: [100_000, 1_000_000])
    big_resources: int = 1000
    big_waiting: int = 5
    growth_clients: list = field(default_factory=lambda: [1, 8, 32])
    mix_clients: int = 8
    # Open dashboards refreshing at the page's interval (RESERVIA_REFRESH_SECONDS), nothing changing.
    open_dashboards: int = 200
    refresh_seconds: float = 5.0
    # Seconds to wait before a measurement while other programs keep the CPUs busy, and how long
    # each look at their CPU use lasts.
    quiet_wait: float = 30.0
    quiet_sample: float = 1.0
    password_method: str = ""
    # Server processes; None: as many as deploy/reservia.conf starts.
    processes: int | None = None
    # Seconds a figure may be measured longer while it has not finished one operation (quick runs).
    at_least_one: float = 0.0


# Checks that the whole course works, every kind of figure once, in under half a minute: the figures
# themselves mean little. One server process: each process compiles the templates on its first
# page, which on a busy machine (the test suite's other run beside it) outlasted a whole figure.
QUICK = Sizes(warmup=0.05, duration=0.1, clients=[2], users=6, resources=5, per_resource=2,
              history_steps=[1000], big_resources=12, big_waiting=3, growth_clients=[2],
              mix_clients=2, open_dashboards=6, refresh_seconds=0.05, quiet_wait=0, quiet_sample=0.05,
              password_method="pbkdf2:sha256:1000", processes=1, at_least_one=5.0)


def server_env(home, sizes):
    """The environment of the server processes: a fresh data folder and nothing inherited from ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESERVIA_")}
    env.update(RESERVIA_HOME=str(home), RESERVIA_ADMIN_PASSWORD=ADMIN_PASSWORD,
               RESERVIA_SECRET_KEY="bench-secret-key", RESERVIA_HOLD_MINUTES="0",
               # The webhooks' receiver is a closed port on this machine.
               RESERVIA_WEBHOOK_HOSTS="127.0.0.0/8")
    if sizes.password_method:
        env["RESERVIA_PASSWORD_METHOD"] = sizes.password_method
    return env


class Bench:
    """Runs load measurements against one server and keeps every figure."""

    def __init__(self, sizes, log=print):
        self.sizes = sizes
        self.server = None
        self.measurements = []
        self.log = log

    def measure(self, port, label, groups, state):
        servers = self.server.root_pids()
        spec = {"host": "127.0.0.1", "port": port, "tls": self.server.tls, "warmup": self.sizes.warmup,
                "duration": self.sizes.duration, "groups": groups, "server_pids": sorted(servers),
                "at_least_one": self.sizes.at_least_one}
        others_before = wait_for_quiet(servers, self.sizes.quiet_wait, self.sizes.quiet_sample,
                                       log=self.log)
        children_before = _children_cpu()
        with CpuWatch(servers) as watch:
            done = subprocess.run([sys.executable, "-m", "bench.load"], input=json.dumps(spec), check=False,
                                  capture_output=True, text=True, cwd=ROOT,
                                  timeout=self.sizes.warmup + self.sizes.duration + 90)
        if done.returncode != 0:
            raise RuntimeError(f"the load process failed: {done.stderr[-2000:]}")
        outcome = json.loads(done.stdout)
        client_cores = outcome["client_cpu_share"]
        load_process_cores = (_children_cpu() - children_before) / watch.seconds
        # Server CPU per request: the servers' CPU time within the measured window over every
        # request answered in it, whatever group sent it.
        answered = sum(g["requests"] for g in outcome["groups"])
        window_cpu = outcome["server_cpu_seconds"]
        cpu = {"server_cores": round(watch.server_cores, 2), "client_cores": client_cores,
               "other_cores": round(watch.others(load_process_cores), 2),
               "other_cores_before": round(others_before, 2),
               "server_cores_measured": round(window_cpu / outcome["seconds"], 3),
               "server_ms_per_request": round(1000 * window_cpu / answered, 3) if answered else None}
        for figures in outcome["groups"]:
            record = {"label": label, "state": dict(state), **figures, "cpu": cpu}
            self.measurements.append(record)
            self.log(_line(record))
        return outcome["groups"]


    def measure_ceiling(self, clients):
        """The bare Flask app at this concurrency, now: the reference for the figures that follow."""
        return self.measure(self.server.hello_port, "ceiling", [scenarios.hello(clients)], {})


def _children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _line(record):
    return (f"  {record['label']:<28} {record['name']:<10} c={record['clients']:<3} "
            f"{record['requests_per_s']:>8.1f} req/s  p50 {record['p50_ms']} ms  "
            f"p99 {record['p99_ms']} ms  errors {record['errors']}  "
            f"server CPU {record['cpu']['server_ms_per_request']} ms/request  "
            f"cores: server {record['cpu']['server_cores']}, others {record['cpu']['other_cores']}")


def base_phase(bench, server, sizes):
    """The ceiling and every endpoint on the standard data set: 50 resources, 200 active reservations."""
    port = server.reservia_port
    bench.server = server
    data = DataSet(port, ADMIN_PASSWORD, USER_PASSWORD, tls=server.tls)
    data.add_users(max(sizes.users, max(sizes.clients)))
    data.queue_up(data.add_resources(sizes.resources), sizes.per_resource)
    state = {"resources": sizes.resources, "active": sizes.resources * sizes.per_resource,
             "history": 0}
    for clients in sizes.clients:
        bench.measure(server.hello_port, "ceiling", [scenarios.hello(clients)], {})
    # The targets are shares of the ceiling: each of their figures gets a ceiling measured just
    # before it, so that a machine running faster or slower over the run does not move the share.
    for clients in sizes.clients:
        bench.measure_ceiling(clients)
        bench.measure(port, "health", [scenarios.is_alive(clients)], {})
    for clients in sizes.clients:
        bench.measure_ceiling(clients)
        bench.measure(port, "active list", [scenarios.active_list(data.cookies, clients)], state)
    for clients in sizes.clients:
        bench.measure(port, "dashboard", [scenarios.dashboard(data.cookies, clients)], state)
    # The dashboard's own refresh when nothing changed (304) beside the cheapest signed-in request,
    # then many open dashboards at the page's pace: the server's CPU share for them.
    boards = data.boards()
    cookies = [cookie for cookie, _ in boards]
    for clients in sizes.clients:
        bench.measure_ceiling(clients)
        bench.measure(port, "session status", [scenarios.session_status(cookies, clients)], state)
        bench.measure(port, "unchanged refresh", [scenarios.unchanged_board(boards, clients)], state)
    bench.measure(port, "open dashboards", [
        scenarios.unchanged_board(boards, sizes.open_dashboards, pause=sizes.refresh_seconds)], state)
    for clients in sizes.clients:
        bench.measure(port, "login", [scenarios.login(data.user_names, USER_PASSWORD, clients)], {})
    cycle_resources = data.add_resources(max(sizes.clients), prefix="cycle")
    for clients in sizes.clients:
        bench.measure_ceiling(clients)
        bench.measure(port, "request-release cycle",
                      [scenarios.request_release_cycle(data.cookies, cycle_resources, clients)], {})
    mix = sizes.mix_clients
    bench.measure(port, "cycle while others log in", [
        scenarios.request_release_cycle(data.cookies, cycle_resources, mix),
        scenarios.login(data.user_names, USER_PASSWORD, mix)], {})
    # The same cycle with a webhook on every event for every user and the delivery worker running:
    # requests only record events (this cycle causes none), the worker sends them.
    data.add_webhooks("http://127.0.0.1:9/reservia-bench")
    worker = server.start_delivery_worker()
    try:
        time.sleep(2)
        if worker.poll() is not None:
            raise RuntimeError(f"the delivery worker exited with code {worker.returncode}; see deliver.log")
        for clients in sizes.clients:
            bench.measure_ceiling(clients)
            bench.measure(port, "cycle, webhooks + worker",
                          [scenarios.request_release_cycle(data.cookies, cycle_resources, clients)], {})
    finally:
        stop_process(worker)


def growth_phase(bench, server, sizes):
    """The active list and the dashboard as the history grows, then with many resources and long queues."""
    port = server.reservia_port
    bench.server = server
    database_path = server.database_path
    data = DataSet(port, ADMIN_PASSWORD, USER_PASSWORD, tls=server.tls)
    data.add_users(sizes.users)
    data.queue_up(data.add_resources(sizes.resources), sizes.per_resource)
    state = {"resources": sizes.resources, "active": sizes.resources * sizes.per_resource,
             "history": 0}

    def measure_reads():
        for clients in sizes.growth_clients:
            bench.measure_ceiling(clients)
        for clients in sizes.growth_clients:
            bench.measure(port, "active list, growing data",
                          [scenarios.active_list(data.cookies, clients)], state)
        for clients in sizes.growth_clients:
            bench.measure(port, "dashboard, growing data",
                          [scenarios.dashboard(data.cookies, clients)], state)

    measure_reads()
    for target in sizes.history_steps:
        started = time.perf_counter()
        seed.add_history(database_path, target - state["history"], data.user_ids, data.resource_ids)
        state["history"] = target
        bench.log(f"  history now {target} finished reservations "
                  f"(inserted in {time.perf_counter() - started:.1f}s)")
        measure_reads()
    big = data.add_resources(sizes.big_resources, prefix="big")
    seed.add_queues(database_path, big, data.user_ids, sizes.big_waiting)
    state["resources"] += sizes.big_resources
    state["active"] += sizes.big_resources * (sizes.big_waiting + 1)
    state["queued"] = sizes.resources * (sizes.per_resource - 1) + sizes.big_resources * sizes.big_waiting
    bench.log(f"  now {state['resources']} resources, {state['queued']} queued requests")
    measure_reads()


def sizes_dict(sizes):
    return asdict(sizes)
