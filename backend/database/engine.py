"""Engine set-up that makes SQLite safe for many processes: WAL, a busy timeout, write locks taken
up front, and a database file only its owner can read."""
import os
import sqlite3
import time

from sqlalchemy import event
from sqlalchemy.engine import make_url

from backend.database.write_queue import NoWriteQueue, SQLiteWriteQueue, is_lock_refusal

# Execution option marking a connection whose transaction will write. On SQLite it begins with
# BEGIN IMMEDIATE, so the write lock is held before the first read that decides the write: two
# processes can never both see a resource free. Other engines lock rows instead (SELECT ... FOR UPDATE).
WRITE = "reservia_write"
# SQLite reads the file through a memory map of up to this size instead of copying each page into
# the connection's own cache: a connection whose cache another process's commit made stale (every
# transaction, with several processes writing) finds the pages in place again.
MMAP_BYTES = 1024 * 1024 * 1024


def configure_engine(engine, busy_timeout_seconds):
    """Install the SQLite pragmas and transaction handling; other engines need nothing here.
    Returns the queue writers of this engine wait in (see write_queue.py)."""
    if engine.dialect.name != "sqlite":
        return NoWriteQueue()
    queue = SQLiteWriteQueue(busy_timeout_seconds)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the sqlite3 module, decide when and how transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_seconds * 1000)}")
        _switch_to_wal(cursor, busy_timeout_seconds)
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        if connection.get_execution_options().get(WRITE, False):
            queue.begin_immediate(connection.connection.driver_connection)
        else:
            connection.exec_driver_sql("BEGIN")

    return queue


def _switch_to_wal(cursor, timeout_seconds):
    """Processes opening a new file together race to switch it to WAL, and the loser is told
    "database is locked" at once, without SQLite's busy wait: so wait here."""
    deadline = time.monotonic() + timeout_seconds
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if not is_lock_refusal(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def create_private_sqlite_file(url):
    """Create a SQLite database file with mode 0600 before SQLite does (it would use the umask,
    usually 0644): its -wal and -shm files take the same mode, so the data, password hashes
    included, stays readable by its owner only. An existing file, or another engine, is left alone."""
    parsed = make_url(url)
    path = parsed.database
    if parsed.get_backend_name() != "sqlite" or not path or path == ":memory:" or path.startswith("file:"):
        return
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass  # made earlier, or by another process starting at the same moment
    except FileNotFoundError:
        pass  # no such folder: SQLite itself says so, naming the file
