"""The department scenario (issue 29): a thousand open dashboards, fifty CI jobs and a few people
at their forms, on one server and one database engine at a time; see docs/performance.md."""
import json
import os
import resource
import subprocess
import sys
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.apache import ApacheServer, apache_available
from bench.department_report import run_text
from bench.department_seed import Department, give_sqlite_files_to, seed_accounts
from bench.machine import CpuWatch, wait_for_quiet
from bench.servers import ROOT, GunicornServer, deploy_settings, worker_settings
from deploy.apache_site import DAEMON_USER
from deploy.postgres_cluster import ThrowawayCluster, postgres_available

ADMIN_PASSWORD = "bench-chief-password"
PASSWORD = "bench-user-password"
# gunicorn as docs/deploy.md shows it for this machine: two processes of eight threads.
GUNICORN_PROCESSES, GUNICORN_THREADS = 2, 8


@dataclass
class DepartmentSizes:
    """Who is in the department and how long it is watched."""

    readers: int = 1000
    queued_resources: int = 36
    active: int = 200
    ci_jobs: int = 50
    ci_pools: int = 5
    pool_size: int = 2
    # Each CI job's command runs this long: ten jobs share each pool of two, so most jobs wait in
    # line and the pools' hand-overs change the board about once a second.
    ci_hold: float = 20.0
    people: int = 4
    person_pause: float = 10.0
    ramp: float = 60.0
    settle: float = 15.0
    duration: float = 60.0
    quiet_wait: float = 30.0
    # The server's own setting; None: its default (5 s).
    refresh_seconds: int | None = None


QUICK = DepartmentSizes(readers=6, queued_resources=3, active=6, ci_jobs=3, ci_pools=1, pool_size=1, ci_hold=0.3,
                        people=1, person_pause=0.3, ramp=1.0, settle=0.5, duration=3.0, quiet_wait=0,
                        refresh_seconds=1)


def _server_env(home, database_url, sizes):
    """Reservia's default settings but for the data folder, the database and the per-request CPU header."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESERVIA_")}
    env.update(RESERVIA_HOME=str(home), RESERVIA_ADMIN_PASSWORD=ADMIN_PASSWORD,
               RESERVIA_SECRET_KEY="bench-secret-key", RESERVIA_SERVER_TIMING="true")
    if database_url:
        env["RESERVIA_DATABASE_URL"] = database_url
    if sizes.refresh_seconds:
        env["RESERVIA_REFRESH_SECONDS"] = str(sizes.refresh_seconds)
    return env


def _server(kind, workdir, env):
    workdir.mkdir(parents=True, exist_ok=True)
    if kind == "apache":
        processes, threads = worker_settings()
        return ApacheServer(workdir, env, processes, threads)
    return GunicornServer(workdir, {**env, **deploy_settings()}, GUNICORN_PROCESSES, GUNICORN_THREADS)


def _build(server, database_url, sizes):
    """The department's accounts, resources, standing queues and CI tokens; the load's cast."""
    readers = [f"bench-reader-{n:04d}" for n in range(1, sizes.readers + 1)]
    people = [f"bench-person-{n:02d}" for n in range(1, sizes.people + 1)]
    runners = [f"ci-runner-{n:02d}" for n in range(1, sizes.ci_jobs + 1)]
    url = database_url or f"sqlite:///{server.database_path}"
    seed_accounts(url, readers + people + runners, PASSWORD)
    if server.kind == "apache" and not database_url:
        give_sqlite_files_to(DAEMON_USER, server.database_path)
    department = Department(server.reservia_port, server.tls, ADMIN_PASSWORD, PASSWORD)
    queued = department.add_resources(sizes.queued_resources, sizes.ci_pools, sizes.pool_size, sizes.people)
    department.queue_up(readers, queued, sizes.active)
    tokens = department.tokens_for(runners)
    labels = department.ci_labels
    return {"readers": readers, "password": PASSWORD,
            "people": [[name, desk] for name, desk in zip(people, department.desks, strict=True)],
            "ci": [[token, labels[n % len(labels)]] for n, token in enumerate(tokens)]}


def _children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(kind, engine, sizes, workdir, log=print):
    """One run of the scenario on a fresh site; its figures."""
    with ExitStack() as stack:
        cluster = ThrowawayCluster(durable=True).start() if engine == "postgresql" else None
        if cluster is not None:
            stack.callback(cluster.stop)
        database_url = cluster.create_database("reservia") if cluster else ""
        server = stack.enter_context(_server(kind, workdir / f"{kind}-{engine}", _server_env(
            workdir / f"{kind}-{engine}" / "home", database_url, sizes)))
        cast = _build(server, database_url, sizes)
        servers = server.root_pids()
        database = [cluster.postmaster_pid()] if cluster else []
        spec = {"host": "127.0.0.1", "port": server.reservia_port, "tls": server.tls, "ramp": sizes.ramp,
                "settle": sizes.settle, "duration": sizes.duration, "ci_hold": sizes.ci_hold,
                "person_pause": sizes.person_pause, "server_pids": servers, "database_pids": database, **cast}
        others_before = wait_for_quiet(servers + database, sizes.quiet_wait, log=log)
        children_before = _children_cpu()
        with CpuWatch(servers + database) as watch:
            done = subprocess.run([sys.executable, "-m", "bench.department_load"], input=json.dumps(spec),
                                  capture_output=True, text=True, cwd=ROOT, check=False,
                                  timeout=sizes.ramp + sizes.settle + sizes.duration + 180)
        if done.returncode != 0:
            raise RuntimeError(f"the department's load failed: {done.stderr[-3000:]}")
        outcome = json.loads(done.stdout)
        load_cores = (_children_cpu() - children_before) / watch.seconds
        return {"server": server.describe(), "engine": engine, "sizes": asdict(sizes), **outcome,
                "other_cores": round(watch.others(load_cores), 2), "other_cores_before": round(others_before, 2)}


def available_servers(choice):
    """gunicorn, and Apache where it is installed; `choice` (apache, gunicorn) keeps one."""
    kinds = ["gunicorn"] + (["apache"] if apache_available() else [])
    if choice in ("apache", "gunicorn"):
        if choice not in kinds:
            raise SystemExit("Apache with mod_wsgi is not installed (or we are not root).")
        return [choice]
    return kinds


def available_engines(asked):
    engines = asked or ["sqlite"] + (["postgresql"] if postgres_available() else [])
    if "postgresql" in engines and not postgres_available():
        raise SystemExit("PostgreSQL is not installed: run scripts/test-setup.sh")
    return engines


def department_phase(sizes, kinds, engines, workdir, log=print):
    """Every server × engine asked for, one after the other; their figures in that order."""
    runs = []
    for engine in engines:
        for kind in kinds:
            log(f"Department scenario: {kind}, {engine}")
            run = measure(kind, engine, sizes, Path(workdir), log)
            runs.append(run)
            log(run_text(run))
    return runs
