"""Engine set-up that makes SQLite safe for many processes: WAL, a busy timeout, and write locks taken up front."""
import sqlite3
import time

from sqlalchemy import event

from backend.database.write_queue import NoWriteQueue, SQLiteWriteQueue, is_lock_refusal

# Execution option marking a connection whose transaction will write. On SQLite it begins with
# BEGIN IMMEDIATE, so the write lock is held before the first read that decides the write: two
# processes can never both see a resource free. Other engines lock rows instead (SELECT ... FOR UPDATE).
WRITE = "reservia_write"


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
