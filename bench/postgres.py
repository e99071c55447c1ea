"""A throwaway PostgreSQL cluster for the department scenario, started as the test suite starts its
own (tests/postgres.py: initdb and pg_ctl as the postgres account, loopback only, trust), but with
the server's default durability: a site's commits wait for the disk, and so do the benchmark's."""
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from deploy.ports import free_loopback_port


def postgres_available():
    return any(Path("/usr/lib/postgresql").glob("*/bin/initdb"))


def _as_postgres(*command, check=True):
    """PostgreSQL refuses to run as root; its tools run as the postgres account instead."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run([*prefix, *map(str, command)], check=check, capture_output=True, text=True)


class PostgresCluster:
    """initdb + pg_ctl in a temporary folder; one database, `reservia`; gone after stop()."""

    def __init__(self):
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
        if not found:
            raise RuntimeError("PostgreSQL is not installed: run scripts/test-setup.sh")
        self.bin = found[-1].parent
        self.root = Path(tempfile.mkdtemp(prefix="reservia-bench-pg-", dir="/var/tmp"))
        self.port = None

    @property
    def url(self):
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/reservia"

    def postmaster_pid(self):
        """The cluster's first process: its CPU is summed over it and its backends."""
        return int((self.root / "data" / "postmaster.pid").read_text().split("\n", 1)[0])

    def start(self):
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        _as_postgres(self.bin / "initdb", "-D", self.root / "data", "-U", "postgres", "--auth=trust",
                     "-E", "UTF8", "--locale=C.UTF-8")
        self.port = free_loopback_port()
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c max_connections=300"
        _as_postgres(self.bin / "pg_ctl", "-D", self.root / "data", "-l", self.root / "server.log",
                     "-o", options, "-w", "-t", "60", "start")
        _as_postgres(self.bin / "createdb", "-h", "127.0.0.1", "-p", self.port, "-U", "postgres", "reservia")
        return self

    def stop(self):
        if self.port is not None:
            _as_postgres(self.bin / "pg_ctl", "-D", self.root / "data", "-m", "fast", "-w", "stop", check=False)
            self.port = None
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc):
        self.stop()
