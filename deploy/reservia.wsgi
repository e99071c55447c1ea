"""mod_wsgi entry point: takes Reservia's settings from Apache's SetEnv lines, then builds the application."""
import os
import threading

_application = None
_lock = threading.Lock()


def _build(environ):
    """Settings reach mod_wsgi per request, not in os.environ: copy them there before the first start."""
    for name, value in environ.items():
        if name.startswith("RESERVIA_"):
            os.environ[name] = value
    from backend import create_app
    from backend.web.server_memory import tune_garbage_collection

    application = create_app()
    tune_garbage_collection()
    return application


def application(environ, start_response):
    """Build the application on the first request of each process (again after a failed start)."""
    global _application
    if _application is None:
        with _lock:
            if _application is None:
                _application = _build(environ)
    return _application(environ, start_response)
