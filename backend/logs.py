"""Reservia's log: the logger, the prefixes that make its lines easy to grep, and its set-up."""
import logging
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path

ACCESS = "[access]"
SESSION = "[session]"
RESERVATION = "[reservation]"
ADMIN = "[admin]"
STARTUP = "[startup]"
NOTIFY = "[notify]"

log = logging.getLogger("reservia")

_FORMAT = "%(asctime)s %(levelname)s pid=%(process)d %(message)s"


def configure_logging(app):
    """Attach Reservia's handler to the 'reservia' logger, replacing one set up by an earlier app."""
    for handler in [h for h in log.handlers if getattr(h, "reservia", False)]:
        log.removeHandler(handler)
        handler.close()
    log_file = app.config["RESERVIA_LOG_FILE"]
    if log_file:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        max_bytes = app.config["RESERVIA_LOG_MAX_BYTES"]
        if max_bytes > 0:
            handler = RotatingFileHandler(log_file, maxBytes=max_bytes,
                                          backupCount=app.config["RESERVIA_LOG_BACKUPS"], encoding="utf-8")
        else:
            # Rotation left to logrotate: a plain file, without the rotating handler's two stat()
            # calls per line.
            handler = logging.FileHandler(log_file, encoding="utf-8")
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.reservia = True
    handler.setFormatter(logging.Formatter(_FORMAT))
    log.addHandler(handler)
    log.setLevel(app.config["RESERVIA_LOG_LEVEL"].upper())
    log.propagate = False
