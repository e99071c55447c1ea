"""Reservia's log: the logger, the prefixes that make its lines easy to grep, and its set-up."""
import logging
import os
import re
import stat
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

# Characters that could end a log line or change how a terminal shows it: C0 and C1 controls
# (CR, LF, ESC ...), DEL, and Unicode's line and paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _escaped(match):
    return ascii(match.group())[1:-1]


def one_line(text):
    """`text` with every control character written as an escape (\\n, \\x1b, \\u2028 ...)."""
    return _CONTROL.sub(_escaped, text) if _CONTROL.search(text) else text


class OneLineFormatter(logging.Formatter):
    """Every message stays on its own line, whatever a request path or a name holds: a path with
    a CR LF in it cannot write a line that looks like a login. Tracebacks keep their lines."""

    def formatMessage(self, record):
        record.message = one_line(record.message)
        return super().formatMessage(record)


class _PrivateFile:
    """Log files are created readable by their owner only (0600): they name people and addresses."""

    def _open(self):
        descriptor = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        return open(descriptor, self.mode, encoding=self.encoding, errors=self.errors)


class PrivateFileHandler(_PrivateFile, logging.FileHandler):
    pass


class PrivateRotatingFileHandler(_PrivateFile, RotatingFileHandler):
    """The rotating handler formats each line twice (once to weigh it against the size limit,
    once to write it): half of what an access line cost. The line is formatted once per record."""

    def format(self, record):
        line = record.__dict__.get("_reservia_line")
        if line is None:
            line = record._reservia_line = super().format(record)
        return line

    def _open(self):
        stream = super()._open()
        self._regular = stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
        return stream

    def shouldRollover(self, record):
        """The standard check, but whether the log is a regular file (the only kind it rotates)
        is asked once when it is opened: the standard handler asked with two stat() calls per
        line, a third of what writing an access line cost."""
        if self.stream is None:
            self.stream = self._open()
        if self.maxBytes <= 0 or not self._regular:
            return False
        self.stream.seek(0, 2)  # other processes append to the same file
        return self.stream.tell() + len(self.format(record)) + 1 >= self.maxBytes


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
            handler = PrivateRotatingFileHandler(log_file, maxBytes=max_bytes,
                                                 backupCount=app.config["RESERVIA_LOG_BACKUPS"],
                                                 encoding="utf-8")
        else:
            # Rotation left to logrotate: a plain file, without the rotating handler's two stat()
            # calls per line.
            handler = PrivateFileHandler(log_file, encoding="utf-8")
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.reservia = True
    handler.setFormatter(OneLineFormatter(_FORMAT))
    log.addHandler(handler)
    log.setLevel(app.config["RESERVIA_LOG_LEVEL"].upper())
    log.propagate = False
