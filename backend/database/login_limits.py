"""The LoginLimits part: failed logins counted in the database, where every process and host
sees them, and attempts refused without hashing while a name or an address is held back.

The rules are plain functions (login_limit_rules.py). An attempt is checked before its password
is hashed (one read), and only a wrong password writes: a success deletes the name's counter,
and only if it had one, so that ordinary logins cost nothing more.

An attempt from a browser that has signed in as the name before (its device cookie, checked by
Users.authenticate) is counted under a key of its own, (name, device), instead of the name's:
guesses from elsewhere cannot lock the owner out, and guesses from that browser are still held
back. Every key of a name starts with the same half digest, so clearing a name clears its
devices too.
"""
import hashlib
import ipaddress
import math
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from backend.database.audit import Actor
from backend.database.login_limit_rules import Counter, Limits, address_failed, name_failed, wait
from backend.database.running_totals import LOGIN_FAILURES, add_to_total
from backend.errors import TooManyAttempts
from backend.logs import SESSION, log
from backend.models import LoginCounter
from backend.models.names import canonical

COUNTERS = LoginCounter.__table__
COUNTER_COLUMNS = (COUNTERS.c.key, COUNTERS.c.failures, COUNTERS.c.window_start, COUNTERS.c.blocked_until,
                   COUNTERS.c.expires_at)


def _digest(kind, value):
    return hashlib.sha256(f"{kind}:{value}".encode("utf-8", "surrogatepass")).hexdigest()


def _name_key(name):
    return _digest("name", canonical(name))


def _name_prefix(name):
    """What the name's own key and the keys of its devices start with."""
    return _name_key(name)[:32]


def _device_key(name, device_id):
    return _name_prefix(name) + _digest("device", device_id)[:32]


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
    # The name's key, or the (name, device) key for a browser that signed in as the name before.
    name_key: str
    address_key: str
    # Whether the name had a counter: only then does a success have one to delete.
    name_counted: bool
    by_device: bool = False


@dataclass(frozen=True)
class Device:
    """What a browser's device cookie says: it signed in as `user_id` while the password's stamp
    was `stamp` (users.password_stamp); `device_id` names the browser."""

    user_id: int
    stamp: str
    device_id: str


@dataclass(frozen=True)
class LockState:
    """What an administrator sees of a name's failed logins: how many count now (its devices'
    included), and until when attempts for it are refused somewhere (None when they are not)."""

    failures: int
    locked_until: object


def _seconds(delta):
    return max(1, math.ceil(delta.total_seconds()))


class LoginLimits:
    def __init__(self, transactions, audit):
        self.transactions = transactions
        self.audit = audit

    def limits(self):
        setting = self.transactions.setting
        return Limits(max_failures=setting("RESERVIA_LOGIN_MAX_FAILURES"),
                      window=timedelta(minutes=setting("RESERVIA_LOGIN_FAILURE_MINUTES")),
                      first_lock=timedelta(seconds=setting("RESERVIA_LOGIN_FIRST_LOCK_SECONDS")),
                      longest_lock=timedelta(minutes=setting("RESERVIA_LOGIN_LONGEST_LOCK_MINUTES")),
                      address_failures=setting("RESERVIA_LOGIN_ADDRESS_FAILURES_PER_MINUTE"))

    def check(self, name, address, device_id=None):
        """The attempt, if it may go on to the password check; TooManyAttempts (429) while the
        name (or, with `device_id`, the name on that signed-in device) or the address is held back."""
        network = client_network(address)
        name_key = _name_key(name) if device_id is None else _device_key(name, device_id)
        address_key = _digest("address", network)
        counters = self._read(self.transactions.session, (name_key, address_key))
        now = self.transactions.now()
        name_wait, address_wait = wait(counters.get(name_key), now), wait(counters.get(address_key), now)
        if name_wait is not None or address_wait is not None:
            by_name = name_wait is not None and (address_wait is None or name_wait >= address_wait)
            seconds = _seconds(name_wait if by_name else address_wait)
            by = "address" if not by_name else "name" if device_id is None else "device"
            log.info("%s login throttled name=%r address=%s by=%s retry_after=%ds", SESSION, name, network,
                     by, seconds)
            about = {"name": "for this user name", "device": "for this user name on this browser",
                     "address": "from your network address"}[by]
            raise TooManyAttempts(f"Too many failed logins {about}: try again in {_in_words(seconds)}.",
                                  retry_after=seconds)
        return Attempt(name, network, name_key, address_key, name_key in counters, device_id is not None)

    def failed(self, attempt, user_id=None):
        """Count a wrong password against the name and the address, in one write; recorded as
        session.login_failed by the name tried (and user.lock when it locks the name).
        `user_id`: the account of that name, when there is one."""
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
            tried = Actor(None, attempt.name)
            self.audit.record(session, tried, "session.login_failed", "session", user_id, attempt.name)
            if by_name.blocked_until is not None:
                self.audit.record(session, tried, "user.lock", "user", user_id, attempt.name,
                                  changes={"locked_until": [None, by_name.blocked_until]},
                                  reason=f"{by_name.failures} failed logins"
                                         + (" on its signed-in browser" if attempt.by_device else ""))
            add_to_total(session.connection(), LOGIN_FAILURES)
        if by_name.blocked_until is not None:
            log.warning("%s login locked name=%r%s for %ds after %d failures", SESSION, attempt.name,
                        " on its signed-in device" if attempt.by_device else "",
                        _seconds(by_name.blocked_until - now), by_name.failures)
        if by_address.blocked_until is not None and by_address.failures == limits.address_failures:
            log.warning("%s login blocked address=%s for %ds after %d failures in a minute", SESSION,
                        attempt.address, _seconds(by_address.blocked_until - now), by_address.failures)

    def succeeded(self, attempt):
        """The right password: the name's count starts again (the address's does not)."""
        if attempt.name_counted:
            with self.transactions.writing() as session:
                session.execute(delete(COUNTERS).where(COUNTERS.c.key == attempt.name_key))

    def clear(self, name=None, address=None, acting=None, user_id=None):
        """Forget the failures of a name (on every device) or an address: the command line's
        clear-login-failures and the administrators' "Clear login lock". True if there were any.
        Recorded as user.unlock (the name; `user_id` its account) and session.unlock (the address)."""
        wanted = []
        if name is not None:
            wanted.append(COUNTERS.c.key.startswith(_name_prefix(name)))
        if address is not None:
            wanted.append(COUNTERS.c.key == _digest("address", client_network(address)))
        with self.transactions.writing() as session:
            deleted = session.execute(delete(COUNTERS).where(or_(*wanted))).rowcount
            if name is not None:
                self.audit.record(session, acting, "user.unlock", "user", user_id, name)
            if address is not None:
                self.audit.record(session, acting, "session.unlock", "session", None, client_network(address))
        log.info("%s login failures cleared name=%r address=%s", SESSION, name,
                 client_network(address) if address is not None else None)
        return deleted > 0

    def state(self, name):
        """The name's failures and lock as they stand, devices' locks included; None when
        nothing is counted for it."""
        now = self.transactions.now()
        rows = self.transactions.session.execute(
            select(*COUNTER_COLUMNS).where(COUNTERS.c.key.startswith(_name_prefix(name)),
                                           COUNTERS.c.expires_at > now)).all()
        if not rows:
            return None
        locks = [row.blocked_until for row in rows if row.blocked_until is not None and row.blocked_until > now]
        return LockState(failures=sum(row.failures for row in rows), locked_until=max(locks) if locks else None)

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
