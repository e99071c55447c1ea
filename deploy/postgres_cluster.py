"""A throwaway PostgreSQL cluster: initdb and pg_ctl in a temporary folder, loopback only. The test
suite runs one per run (tests/postgres.py), durability off; the benchmark one per measurement, with
the server's default durability (a site's commits wait for the disk, and so do the benchmark's)."""
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import psycopg

from deploy.ports import free_loopback_port


def _postgres_bin():
    """The newest server installed by Debian's postgresql package (15 on Debian 12)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: run scripts/test-setup.sh")
    return found[-1].parent


def _as_postgres(*command, check=True):
    """PostgreSQL refuses to run as root; its tools run as the postgres account instead."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run([*prefix, *map(str, command)], check=check, capture_output=True, text=True)


def postgres_available():
    return any(Path("/usr/lib/postgresql").glob("*/bin/initdb"))


def _cluster_parent():
    """A memory file system when there is one with room: each test's CREATE DATABASE copies some
    7 MB and makes a checkpoint, some thirty times faster in memory than on a disk."""
    memory = Path("/dev/shm")
    if memory.is_dir() and os.access(memory, os.W_OK) and shutil.disk_usage(memory).free > 2 * 1024**3:
        return memory
    return Path("/var/tmp")


class ThrowawayCluster:
    """initdb + pg_ctl in a temporary folder, loopback only: it lives for one run. Durability is off
    unless `durable` (the benchmark measures what a site's commits cost, disk included)."""

    def __init__(self, durable=False):
        self.bin = _postgres_bin()
        self.durable = durable
        self.root = Path(tempfile.mkdtemp(prefix="reservia-pg-", dir="/var/tmp" if durable else _cluster_parent()))
        self.data = self.root / "data"
        self.port = None
        self._admin = None
        self._to_drop = queue.Queue()
        self._dropper = None

    def start(self):
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        _as_postgres(self.bin / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust",
                     "-E", "UTF8", "--locale=C.UTF-8")
        for _ in range(5):
            self.port = free_loopback_port()
            options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c max_connections=300"
            if not self.durable:
                options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            try:
                _as_postgres(self.bin / "pg_ctl", "-D", self.data, "-l", self.root / "server.log",
                             "-o", options, "-w", "-t", "60", "start")
                return self
            except subprocess.CalledProcessError:
                time.sleep(0.2)
        raise RuntimeError(f"PostgreSQL did not start; see {self.root / 'server.log'}")

    def stop(self):
        if self._dropper is not None:
            # The whole cluster goes next: the drops still queued would only hold it up.
            while not self._to_drop.empty():
                self._to_drop.get_nowait()
            self._to_drop.put(None)
            self._dropper.join(timeout=60)
            self._dropper = None
        if self._admin is not None:
            self._admin.close()
            self._admin = None
        if self.port is not None:
            _as_postgres(self.bin / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    def postmaster_pid(self):
        """The cluster's first process: its CPU is summed over it and its backends."""
        return int((self.data / "postmaster.pid").read_text().split("\n", 1)[0])

    def url(self, database, driver="postgresql+psycopg"):
        return f"{driver}://postgres@127.0.0.1:{self.port}/{database}"

    def _execute(self, statement):
        """Run one statement on the cluster's own database, on a connection kept for the run."""
        if self._admin is None:
            self._admin = psycopg.connect(self.url("postgres", "postgresql"), autocommit=True)
        self._admin.execute(statement)

    def create_database(self, name, template="template0"):
        """A new database copied from `template` (by default an empty one); returns its SQLAlchemy URL."""
        # FILE_COPY: for a tiny database, ten times faster than the default WAL_LOG strategy.
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
        return self.url(name)

    def drop_database_soon(self, name):
        """Remove a database on a thread of its own, ending whatever connections are still open to it.

        PostgreSQL drops a database only once the server processes of its connections have exited,
        and looks again every 100 ms: just after a test closed its connections, each drop waited
        that long. The tests need not wait with it."""
        if self._dropper is None:
            self._dropper = threading.Thread(target=self._drop_queued, name="drop-databases", daemon=True)
            self._dropper.start()
        self._to_drop.put(name)

    def _drop_queued(self):
        with psycopg.connect(self.url("postgres", "postgresql"), autocommit=True) as connection:
            while (name := self._to_drop.get()) is not None:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
