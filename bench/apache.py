"""Reservia behind Apache with deploy/reservia.conf, and the ceiling app beside it on an identical daemon."""
import os
import shutil
import subprocess
from pathlib import Path

from bench.servers import ROOT, free_port, wait_until_answering
from deploy.apache_site import APACHE, DAEMON_USER, MODULES, ApacheSite, apache_virtualenv

HELLO_GROUP = "reservia-ceiling"


def apache_available():
    """Apache and Debian's mod_wsgi are installed, and we may start them (they switch to www-data)."""
    return Path(APACHE).exists() and (MODULES / "mod_wsgi.so").exists() and os.geteuid() == 0


class _BenchSite(ApacheSite):
    """The deployment's site plus one HTTPS virtual host serving bench/hello.py the same way."""

    hello_port = None

    def prepare(self):
        super().prepare()
        shutil.copytree(ROOT / "bench", self.app / "bench",
                        ignore=shutil.ignore_patterns("__pycache__", "results"))
        return self

    def _write_config(self):
        config = super()._write_config()
        self.hello_port = free_port()
        app = self.app
        lines = [
            f"Listen 127.0.0.1:{self.hello_port}",
            (f"WSGIDaemonProcess {HELLO_GROUP} user=www-data group=www-data "
             f"processes={self.processes} threads={self.threads} python-home={self.venv} "
             f"python-path={app} home={app} lang=C.UTF-8 locale=C.UTF-8"),
            f"<VirtualHost *:{self.hello_port}>",
            "    ServerName 127.0.0.1",
            "    SSLEngine on",
            f"    SSLCertificateFile {self.certificate}",
            f"    SSLCertificateKeyFile {self.certificate_key}",
            f"    CustomLog {self.logs}/hello_access.log combined",
            (f"    WSGIScriptAlias / {app}/bench/hello.py process-group={HELLO_GROUP} "
             "application-group=%{GLOBAL}"),
            f"    <Directory {app}/bench>",
            "        Require all granted",
            "    </Directory>",
            "</VirtualHost>",
        ]
        with open(config, "a") as handle:
            handle.write("\n".join(lines) + "\n")
        return config


class ApacheServer:
    """Both apps over HTTPS from one Apache; the load client speaks TLS like a browser would."""

    kind = "apache"
    tls = True

    def __init__(self, workdir, env, processes, threads):
        settings = {k: v for k, v in env.items()
                    if k.startswith("RESERVIA_") and k != "RESERVIA_HOME"}
        self.site = _BenchSite(apache_virtualenv(), mount="/", processes=processes, threads=threads,
                               extra_settings=settings)
        self.processes = processes
        self.threads = threads
        self.workdir = workdir

    def describe(self):
        version = subprocess.run([APACHE, "-v"], capture_output=True, text=True, check=False)
        return {"server": self.kind, "version": version.stdout.split("\n", 1)[0],
                "processes": self.processes, "threads": self.threads,
                "config": "deploy/reservia.conf, mod_wsgi daemon mode, HTTPS"}

    @property
    def reservia_port(self):
        return self.site.https_port

    @property
    def hello_port(self):
        return self.site.hello_port

    @property
    def database_path(self):
        return self.site.data / "reservia.sqlite3"

    def root_pids(self):
        return [self.site.process.pid] if self.site.process else []

    def start_delivery_worker(self):
        """The worker as deploy/reservia-deliver.service runs it: the site's user, code and data."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("RESERVIA_")}
        env.update(self.site.extra_settings, RESERVIA_HOME=str(self.site.data), RESERVIA_LOG_MAX_BYTES="0")
        with open(Path(self.workdir) / "deliver.log", "ab") as log:
            return subprocess.Popen(["runuser", "-u", DAEMON_USER, "--", f"{self.site.venv}/bin/flask", "--app",
                                     "app", "deliver"], cwd=self.site.app, env=env, stdout=log, stderr=log,
                                    start_new_session=True)

    def start(self):
        self.site.prepare()
        self.site.start()
        wait_until_answering(self.hello_port, "/hello", tls=True, process=self.site.process)

    def stop(self):
        self.site.stop()
        if self.site.logs.exists():
            for log in self.site.logs.glob("*error.log"):
                shutil.copy2(log, Path(self.workdir) / log.name)
        self.site.remove()

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()
