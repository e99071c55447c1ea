"""Starting and stopping the multi-process WSGI server that serves Reservia and the bare Flask ceiling."""
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench.load import client_tls

ROOT = Path(__file__).resolve().parent.parent
RESERVIA_APP = "app:application"
HELLO_APP = "bench.hello:application"


def free_port():
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_answering(port, path, timeout=60.0, process=None, tls=False):
    """Poll the server until `path` answers, failing early if the server process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode} before answering")
        try:
            if tls:
                connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=5,
                                                         context=client_tls())
            else:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                connection.close()
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"nothing answered on port {port}{path} within {timeout:.0f}s")


def stop_process(process, timeout=15.0):
    """Ask the server's process group to stop, then insist."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


class GunicornServer:
    """Reservia and the ceiling app under gunicorn, each with the same processes and threads."""

    kind = "gunicorn"
    tls = False

    def __init__(self, workdir, env, processes, threads, python=sys.executable):
        self.workdir = Path(workdir)
        self.env = env
        self.processes = processes
        self.threads = threads
        self.python = python
        self.reservia_port = free_port()
        self.hello_port = free_port()
        self.database_path = Path(env["RESERVIA_HOME"]) / "reservia.sqlite3"
        self._procs = []
        self.extra = []

    def describe(self):
        return {"server": self.kind, "processes": self.processes, "threads": self.threads,
                "worker_class": "gthread", "settings": deploy_settings()}

    def _launch(self, app, port, name):
        # --reuse-port gives each worker its own listening socket, so the kernel spreads the
        # keep-alive connections over the workers; with one shared socket a single worker often
        # accepted most of them and the figures swung by a factor of two from run to run.
        # --no-control-socket: gunicorn 27 otherwise opens ~/.gunicorn/gunicorn.ctl, one file
        # that every gunicorn of the user (the ceiling app's, a test's) would share.
        command = [self.python, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
                   "--workers", str(self.processes), "--threads", str(self.threads),
                   "--worker-class", "gthread", "--keep-alive", "10", "--backlog", "256",
                   "--graceful-timeout", "5", "--reuse-port", "--no-control-socket", *self.extra, app]
        with open(self.workdir / f"{name}.server.log", "ab") as log:
            process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=log,
                                       start_new_session=True)
        self._procs.append(process)
        return process

    def start_delivery_worker(self):
        """`flask --app app deliver` on the same data, as the one-host set-up runs it."""
        with open(self.workdir / "deliver.log", "ab") as log:
            process = subprocess.Popen([self.python, "-m", "flask", "--app", "app", "deliver"], cwd=ROOT,
                                       env=self.env, stdout=log, stderr=log, start_new_session=True)
        return process

    def start(self):
        reservia = self._launch(RESERVIA_APP, self.reservia_port, "reservia")
        hello = self._launch(HELLO_APP, self.hello_port, "hello")
        wait_until_answering(self.reservia_port, "/info/is_alive", process=reservia)
        wait_until_answering(self.hello_port, "/hello", process=hello)

    def root_pids(self):
        """The servers' first processes; CPU use is summed over them and their workers."""
        return [process.pid for process in self._procs]

    def stop(self):
        for process in self._procs:
            stop_process(process)
        self._procs = []

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()


DEPLOY = ROOT / "deploy"
DEFAULT_PROCESSES = 2
DEFAULT_THREADS = 4


def _deploy_config():
    """deploy/reservia.conf with continuation lines joined and its default Defines filled in."""
    conf = DEPLOY / "reservia.conf"
    if not conf.exists():
        return []
    lines = conf.read_text().replace("\\\n", " ").splitlines()
    defines = {}
    for line in lines:
        words = line.split()
        if len(words) >= 3 and words[0] == "Define":
            defines.setdefault(words[1], words[2])
    return [re.sub(r"\$\{(\w+)\}", lambda m: defines.get(m.group(1), m.group(0)), line)
            for line in lines]


def worker_settings():
    """Processes and threads of the deploy/ Apache configuration, so that gunicorn runs the same."""
    processes, threads = DEFAULT_PROCESSES, DEFAULT_THREADS
    for line in _deploy_config():
        words = line.split()
        if words and words[0] == "WSGIDaemonProcess":
            for word in words[2:]:
                key, _, value = word.partition("=")
                if key == "processes" and value.isdigit():
                    processes = int(value)
                elif key == "threads" and value.isdigit():
                    threads = int(value)
    return processes, threads


def deploy_settings():
    """The Reservia settings that deploy/ fixes with SetEnv (the log without rotation, say)."""
    settings = {}
    for line in _deploy_config():
        words = line.split()
        if len(words) == 3 and words[0] == "SetEnv" and words[1].startswith("RESERVIA_") \
                and words[1] != "RESERVIA_HOME":
            settings[words[1]] = words[2]
    return settings


def pick_server(tmp, name, env, choice="auto", processes=None):
    """Apache with deploy/reservia.conf where it is installed, else gunicorn with its processes,
    threads and settings; `processes` overrides how many processes serve."""
    workdir = Path(tmp) / f"{name}-server"
    workdir.mkdir(parents=True, exist_ok=True)
    processes, threads = processes or worker_settings()[0], worker_settings()[1]
    if choice != "gunicorn":
        from bench.apache import ApacheServer, apache_available

        if apache_available():
            return ApacheServer(workdir, env, processes, threads)
        if choice == "apache":
            raise SystemExit("Apache with mod_wsgi is not installed (or we are not root).")
    return GunicornServer(workdir, {**env, **deploy_settings()}, processes, threads)
