"""The LoginLimits part: failed logins counted in the database, where every process and host
sees them, and attempts refused without hashing while a name or an address is held back.

The rules are plain functions (login_limit_rules.py). An attempt is checked before its password
is hashed (one read), and only a wrong password writes: a success deletes the name's counter,
and only if it had one, so that ordinary logins cost nothing more.
"""
import hashlib
import ipaddress
import math
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from backend.database.login_limit_rules import Counter, Limits, address_failed, name_failed, wait
from backend.errors import TooManyAttempts
from backend.logs import SESSION, log
from backend.models import LoginCounter
from backend.models.names import canonical

COUNTERS = LoginCounter.__table__
COUNTER_COLUMNS = (COUNTERS.c.key, COUNTERS.c.failures, COUNTERS.c.window_start, COUNTERS.c.blocked_until,
                   COUNTERS.c.expires_at)


def _digest(kind, value):
    return hashlib.sha256(f"{kind}:{value}".encode("utf-8", "surrogatepass")).hexdigest()


def client_network(address):
    """Whom an address stands for: itself for IPv4, its /64 for IPv6 (one host usually holds
    a whole /64 and can pick any address in it)."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return "unknown"
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


@dataclass(frozen=True)
class Attempt:
    """A login attempt that was let through to the password check."""

    name: str
    address: str
    name_key: str
    address_key: str
    # Whether the name had a counter: only then does a success have one to delete.
    name_counted: bool


def _seconds(delta):
    return max(1, math.ceil(delta.total_seconds()))


class LoginLimits:
    def __init__(self, transactions):
        self.transactions = transactions

    def limits(self):
        setting = self.transactions.setting
        return Limits(max_failures=setting("RESERVIA_LOGIN_MAX_FAILURES"),
                      window=timedelta(minutes=setting("RESERVIA_LOGIN_FAILURE_MINUTES")),
                      first_lock=timedelta(seconds=setting("RESERVIA_LOGIN_FIRST_LOCK_SECONDS")),
                      longest_lock=timedelta(minutes=setting("RESERVIA_LOGIN_LONGEST_LOCK_MINUTES")),
                      address_failures=setting("RESERVIA_LOGIN_ADDRESS_FAILURES_PER_MINUTE"))

    def check(self, name, address):
        """The attempt, if it may go on to the password check; TooManyAttempts (429) while the
        name or the address is held back."""
        network = client_network(address)
        name_key, address_key = _digest("name", canonical(name)), _digest("address", network)
        counters = self._read(self.transactions.session, (name_key, address_key))
        now = self.transactions.now()
        name_wait, address_wait = wait(counters.get(name_key), now), wait(counters.get(address_key), now)
        if name_wait is not None or address_wait is not None:
            by_name = name_wait is not None and (address_wait is None or name_wait >= address_wait)
            seconds = _seconds(name_wait if by_name else address_wait)
            log.info("%s login throttled name=%r address=%s by=%s retry_after=%ds", SESSION, name, network,
                     "name" if by_name else "address", seconds)
            about = "for this user name" if by_name else "from your network address"
            raise TooManyAttempts(f"Too many failed logins {about}: try again in {_in_words(seconds)}.",
                                  retry_after=seconds)
        return Attempt(name, network, name_key, address_key, name_key in counters)

    def failed(self, attempt):
        """Count a wrong password against the name and the address, in one write."""
        limits = self.limits()
        keys = (attempt.name_key, attempt.address_key)
        with self.transactions.writing() as session:
            now = self.transactions.now()
            session.execute(self._insert_missing(keys, now))
            counters = self._read(session, keys, for_update=True)
            by_name = name_failed(counters[attempt.name_key], now, limits)
            by_address = address_failed(counters[attempt.address_key], now, limits)
            for key, counter in ((attempt.name_key, by_name), (attempt.address_key, by_address)):
                session.execute(update(COUNTERS).where(COUNTERS.c.key == key).values(
                    failures=counter.failures, window_start=counter.window_start,
                    blocked_until=counter.blocked_until, expires_at=counter.expires_at))
            session.execute(delete(COUNTERS).where(COUNTERS.c.expires_at < now))
        if by_name.blocked_until is not None:
            log.warning("%s login locked name=%r for %ds after %d failures", SESSION, attempt.name,
                        _seconds(by_name.blocked_until - now), by_name.failures)
        if by_address.blocked_until is not None and by_address.failures == limits.address_failures:
            log.warning("%s login blocked address=%s for %ds after %d failures in a minute", SESSION,
                        attempt.address, _seconds(by_address.blocked_until - now), by_address.failures)

    def succeeded(self, attempt):
        """The right password: the name's count starts again (the address's does not)."""
        if attempt.name_counted:
            with self.transactions.writing() as session:
                session.execute(delete(COUNTERS).where(COUNTERS.c.key == attempt.name_key))

    def clear(self, name=None, address=None):
        """Forget the failures of a name or an address (an operator's command); True if there were any."""
        keys = []
        if name is not None:
            keys.append(_digest("name", canonical(name)))
        if address is not None:
            keys.append(_digest("address", client_network(address)))
        with self.transactions.writing() as session:
            deleted = session.execute(delete(COUNTERS).where(COUNTERS.c.key.in_(keys))).rowcount
        log.info("%s login failures cleared name=%r address=%s", SESSION, name,
                 client_network(address) if address is not None else None)
        return deleted > 0

    @staticmethod
    def _read(session, keys, for_update=False):
        stmt = select(*COUNTER_COLUMNS).where(COUNTERS.c.key.in_(keys))
        if for_update:
            stmt = stmt.with_for_update()
        return {row.key: Counter(*row[1:]) for row in session.execute(stmt)}

    def _insert_missing(self, keys, now):
        """Rows for keys that have none yet, counting nothing; a row another process has just
        added is left as it is (then both are locked and updated one after the other)."""
        dialect = postgresql if self.transactions.dialect == "postgresql" else sqlite
        return dialect.insert(COUNTERS).values([
            {"key": key, "failures": 0, "window_start": now, "blocked_until": None, "expires_at": now}
            for key in keys]).on_conflict_do_nothing(index_elements=["key"])


def _in_words(seconds):
    if seconds < 60:
        return f"{seconds} second{'' if seconds == 1 else 's'}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'' if minutes == 1 else 's'}"
