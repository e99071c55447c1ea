"""What the WSGI server serving this process says of its threads, read from the request.

mod_wsgi says it outright (`mod_wsgi.threads_per_process`, importable only inside Apache).
gunicorn does not put it in the request, but its worker calls the application from its own
method, so the worker, and with it its configuration, is found up the calling stack. Werkzeug's
development server starts a thread per request. Any other server says only whether it runs
several requests at once (`wsgi.multithread`).
"""
import sys

from backend.domain.held_waits import ServerThreads


def server_threads(environ):
    """A ServerThreads for the server that handed over `environ`; read once per process is enough."""
    software = environ.get("SERVER_SOFTWARE", "")
    multithread = bool(environ.get("wsgi.multithread", False))
    if "mod_wsgi.version" in environ:
        count = _mod_wsgi_threads()
        if count is not None:
            return ServerThreads("mod_wsgi", count=count, multithread=multithread)
    if "gunicorn.socket" in environ:
        count = _gunicorn_threads()
        if count is not None:
            return ServerThreads("gunicorn", count=count, multithread=multithread)
    if software.startswith("Werkzeug/") and multithread:
        return ServerThreads(software, unbounded=True)
    return ServerThreads(software, multithread=multithread)


def _mod_wsgi_threads():
    """threads= of the WSGIDaemonProcess (or the MPM's threads in embedded mode)."""
    try:
        import mod_wsgi
    except ImportError:
        return None
    count = getattr(mod_wsgi, "threads_per_process", None)
    return count if isinstance(count, int) and count > 0 else None


def _gunicorn_threads():
    """--threads of the gthread worker up the calling stack; None for any other kind of worker
    (the sync worker serves one request at a time and says so with wsgi.multithread)."""
    gthread = sys.modules.get("gunicorn.workers.gthread")
    if gthread is None:
        return None
    frame = sys._getframe(1)
    while frame is not None:
        worker = frame.f_locals.get("self")
        if isinstance(worker, gthread.ThreadWorker):
            count = getattr(worker.cfg, "threads", None)
            return count if isinstance(count, int) and count > 0 else None
        frame = frame.f_back
    return None
