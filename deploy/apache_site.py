"""A private Apache with mod_wsgi, run from deploy/reservia.conf with its own paths and loopback ports.

The deployment tests and the benchmark both serve Reservia through it, so that what they exercise
is the site configuration people install.
"""
import atexit
import fcntl
import functools
import hashlib
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter

from deploy.ports import free_loopback_port

REPO = Path(__file__).resolve().parents[1]
# Debian's mod_wsgi embeds Debian's Python: Apache's virtualenv must be made with that interpreter.
SYSTEM_PYTHON = "/usr/bin/python3"
APACHE = "/usr/sbin/apache2"
MODULES = Path("/usr/lib/apache2/modules")
DAEMON_USER = "www-data"
# Everything Apache's processes read or write must be outside /root, which www-data cannot enter.
SHARED_TMP = Path("/var/tmp")
CODE = ("app.py", "requirements.txt", "backend", "config", "deploy", "frontend", "migrations")
MOUNT = "/reservia"
ADMIN_PASSWORD = "chief-deploy-password"


def apache_virtualenv():
    """A virtualenv for Apache with Reservia's requirements, built once per requirements.txt and reused."""
    requirements = (REPO / "requirements.txt").read_bytes()
    python_version = subprocess.run([SYSTEM_PYTHON, "--version"], capture_output=True, text=True,
                                    check=True).stdout
    key = hashlib.sha256(requirements + python_version.encode()).hexdigest()[:12]
    venv = SHARED_TMP / f"reservia-apache-venv-{key}"
    complete = venv / ".complete"
    with open(SHARED_TMP / f"{venv.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two runs at once: the second waits and reuses
        if not complete.exists():
            shutil.rmtree(venv, ignore_errors=True)
            subprocess.run([SYSTEM_PYTHON, "-m", "venv", str(venv)], check=True)
            subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                            "--disable-pip-version-check", "-r", str(REPO / "requirements.txt")],
                           check=True)
            complete.touch()
    return venv


@functools.cache
def _compiled_code():
    """Reservia's code with its bytecode, copied and compiled once a process for all its sites.

    The daemons run as www-data and cannot write bytecode beside a root-owned copy: each compiled
    all of Reservia again when it started. Each site copies this folder instead (copytree keeps
    the times the bytecode is checked against)."""
    folder = Path(tempfile.mkdtemp(prefix="reservia-code-", dir=SHARED_TMP))
    folder.chmod(0o755)  # copytree gives each site's copy this mode: www-data must enter it
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    for name in CODE:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, folder / name)
    subprocess.run([SYSTEM_PYTHON, "-m", "compileall", "-q", str(folder)], check=True, capture_output=True)
    return folder


@functools.cache
def _certificate_and_key():
    """A self-signed certificate for 127.0.0.1 and its key, as bytes: made once a process, since a
    new RSA key costs a quarter of a second of CPU and every site may show the same one."""
    with tempfile.TemporaryDirectory() as scratch:
        cert, key = Path(scratch) / "server.crt", Path(scratch) / "server.key"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                        "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
        return cert.read_bytes(), key.read_bytes()


def _self_signed_certificate(folder):
    cert, key = folder / "server.crt", folder / "server.key"
    cert_bytes, key_bytes = _certificate_and_key()
    cert.write_bytes(cert_bytes)
    key.touch(mode=0o600)
    key.write_bytes(key_bytes)
    return cert, key


class _FromAddress(HTTPAdapter):
    """Connects from `address`: any of 127.0.0.0/8 reaches a server listening on 127.0.0.1, and
    Apache tells Reservia that address as the client's."""

    def __init__(self, address):
        self.address = address  # before __init__, which makes the pool manager
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, source_address=(self.address, 0), **kwargs)


class ApacheSite:
    """Reservia copied to a folder www-data can read, served by its own Apache until stop().

    `database_url` empty means SQLite in the site's data folder; it may be set until start().
    `threads` per process stays above RESERVIA_WAIT_THREADS (4 by default), as docs/deploy.md asks:
    with 3, six waiting clients held every thread of both processes, and the holders' releases
    queued behind them until their waits timed out 30 s later.
    """

    def __init__(self, venv, database_url="", mount=MOUNT, processes=2, threads=5, extra_settings=None,
                 sign_in=None, defines=None, modules=(), server_config=()):
        """`sign_in`: a file of deploy/sign-in/ that Apache signs people in with, with its
        `defines`, the Apache `modules` it needs and lines of `server_config`."""
        self.root = Path(tempfile.mkdtemp(prefix="reservia-deploy-", dir=SHARED_TMP))
        self.root.chmod(0o755)
        self.app = self.root / "app"
        self.data = self.root / "data"
        self.logs = self.root / "logs"
        self.run = self.root / "run"
        self.venv = venv
        self.database_url = database_url
        self.mount = mount
        # Reservia's own URLs start with this: "" when it owns the whole host.
        self.prefix = mount.rstrip("/")
        self.processes = processes
        self.threads = threads
        self.extra_settings = extra_settings or {}
        self.sign_in = sign_in
        self.defines = defines or {}
        self.modules = tuple(modules)
        self.server_config = tuple(server_config)
        self.http_port = self.https_port = None
        self.process = None

    @property
    def reservia_log(self):
        return self.data / "reservia.log"

    @property
    def access_log(self):
        return self.logs / "reservia_access.log"

    def url(self, path=""):
        return f"https://127.0.0.1:{self.https_port}{self.prefix}{path}"

    def http_url(self, path=""):
        return f"http://127.0.0.1:{self.http_port}{self.prefix}{path}"

    def session(self, source_address=None):
        """A requests session that trusts this site's certificate, like a browser with its CA;
        from `source_address` (a loopback address) if given, else from 127.0.0.1."""
        client = requests.Session()
        # The environment's CA bundle or proxy would otherwise override these for every request.
        client.trust_env = False
        client.verify = str(self.certificate)
        if source_address is not None:
            for scheme in ("https://", "http://"):
                client.mount(scheme, _FromAddress(source_address))
        return client

    def prepare(self):
        shutil.copytree(_compiled_code(), self.app)
        for folder in (self.data, self.logs, self.run):
            folder.mkdir()
        shutil.chown(self.data, DAEMON_USER, DAEMON_USER)
        self.run.chmod(0o755)
        self.certificate, self.certificate_key = _self_signed_certificate(self.run)
        return self

    def _write_config(self):
        settings = {"RESERVIA_ADMIN_PASSWORD": ADMIN_PASSWORD, **self.extra_settings}
        if self.database_url:
            settings["RESERVIA_DATABASE_URL"] = self.database_url
        settings_file = self.run / "settings.conf"
        settings_file.write_text("".join(f'SetEnv {k} "{v}"\n' for k, v in settings.items()))
        settings_file.chmod(0o600)
        defines = {
            "RESERVIA_ROOT": self.app, "RESERVIA_VENV": self.venv, "RESERVIA_HOME": self.data,
            "RESERVIA_SETTINGS": settings_file, "RESERVIA_SERVER_NAME": "127.0.0.1",
            "RESERVIA_MOUNT": self.mount, "RESERVIA_STATIC_URL": f"{self.prefix}/static",
            "RESERVIA_HTTP_PORT": self.http_port, "RESERVIA_HTTPS_PORT": self.https_port,
            "RESERVIA_CERTIFICATE": self.certificate, "RESERVIA_CERTIFICATE_KEY": self.certificate_key,
            "RESERVIA_LOG_DIR": self.logs, "RESERVIA_USER": DAEMON_USER,
            "RESERVIA_PROCESSES": self.processes, "RESERVIA_THREADS": self.threads,
            "RESERVIA_SIGN_IN": self.app / "deploy" / "sign-in" / self.sign_in if self.sign_in else self.run / "none",
            **self.defines,
        }
        modules = ["mpm_event", "authz_core", "alias", "mime", "env", "ssl", "socache_shmcb", "wsgi", *self.modules]
        lines = [
            f"ServerRoot {self.run}",
            "ServerName 127.0.0.1",
            f"DefaultRuntimeDir {self.run}",
            f"PidFile {self.run}/apache.pid",
            f"Mutex file:{self.run} default",
            f"ErrorLog {self.logs}/apache_error.log",
            "LogLevel warn",
            f"User {DAEMON_USER}",
            f"Group {DAEMON_USER}",
            f"Listen 127.0.0.1:{self.http_port}",
            f"Listen 127.0.0.1:{self.https_port}",
            *(f"LoadModule {m}_module {MODULES}/mod_{m}.so" for m in modules),
            "TypesConfig /etc/mime.types",
            'LogFormat "%h %l %u %t \\"%r\\" %>s %b \\"%{Referer}i\\" \\"%{User-Agent}i\\"" combined',
            f"WSGISocketPrefix {self.run}/wsgi",
            # Reservia runs only in its daemon processes: Apache's own children need no Python of
            # their own (each started one, for nothing).
            "WSGIRestrictEmbedded On",
            # At stop, tearing down the daemons' interpreters garbage-collected every object of
            # Reservia's: over Apache's 3 s of grace on a busy machine, so every stop waited 3 s
            # and then killed them anyway. Nothing of Reservia's waits for that teardown.
            "WSGIDestroyInterpreter Off",
            *self.server_config,
            *(f"Define {name} {value}" for name, value in defines.items()),
            f"Include {self.app}/deploy/reservia.conf",
        ]
        config = self.run / "apache.conf"
        config.write_text("\n".join(lines) + "\n")
        return config

    def start(self, timeout=120):
        """Start Apache in the foreground and wait until Reservia answers through it."""
        for _ in range(5):
            self.http_port, self.https_port = free_loopback_port(), free_loopback_port()
            while self.https_port == self.http_port:  # each probe may pick the same free port
                self.https_port = free_loopback_port()
            config = self._write_config()
            check = subprocess.run([APACHE, "-t", "-f", str(config)], capture_output=True, text=True)
            if check.returncode != 0:
                raise RuntimeError(f"Apache refuses the configuration:\n{check.stderr}")
            self.process = subprocess.Popen([APACHE, "-f", str(config), "-DFOREGROUND"],
                                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            if self._wait_until_serving(timeout):
                return self
            self.stop()
        raise RuntimeError(f"Apache did not serve Reservia:\n{self.error_logs()}")

    def _wait_until_serving(self, timeout):
        deadline = time.monotonic() + timeout
        client = self.session()
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False  # a port taken meanwhile, say: try others
            try:
                if client.get(self.url("/info/is_alive"), timeout=10).status_code == 200:
                    return True
            except (requests.ConnectionError, requests.Timeout):
                pass  # not listening yet, or its first request is still loading Reservia
            time.sleep(0.05)  # Apache listens within a tenth of a second or so
        return False

    def error_logs(self):
        texts = []
        for log in sorted(self.logs.glob("*error.log")):
            texts.append(f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}")
        if self.process is not None and self.process.stderr is not None and self.process.poll() is not None:
            texts.append(self.process.stderr.read().decode(errors="replace")[-2000:])
        return "\n".join(texts)

    def stop(self):
        """SIGTERM, as `apache2 -DFOREGROUND` expects; the daemon processes go with it."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stderr.close()
        self.process = None

    def remove(self):
        shutil.rmtree(self.root, ignore_errors=True)

