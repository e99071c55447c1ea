"""Operating-system processes for the tests where many of them race on one database.

They fork from one server process that imported Reservia once (multiprocessing's forkserver),
instead of each starting a fresh interpreter that imports it again (spawn): an import of
Flask, SQLAlchemy and Reservia costs about a second of CPU, and a race test starts six to ten
processes. Each still builds its own application and connects on its own, as a server process
does; the server process holds no thread, connection or application to inherit.
"""
import multiprocessing

# PostgreSQL's driver too: Reservia imports it where it first connects, which each process would.
PRELOADED = ["backend", "tests.conftest", "psycopg"]


def process_context():
    """The multiprocessing context the race tests start their processes from."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOADED)
    return context
