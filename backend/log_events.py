"""The logger and the prefixes that make Reservia's log lines easy to grep."""
import logging

ACCESS = "[access]"
SESSION = "[session]"
RESERVATION = "[reservation]"
ADMIN = "[admin]"
STARTUP = "[startup]"

log = logging.getLogger("reservia")
