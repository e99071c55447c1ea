"""The delivery worker: sends what the outbox holds, outside any request.

Each pass, inside the application's context:
1. expires overdue holds (as `flask --app app expire` does), so that the next in line hears of
   their turn on time even when nobody is using Reservia;
2. records `expiring` for holds that end within RESERVIA_EXPIRING_MINUTES;
3. fans new events out into one delivery per webhook and mailbox (bodies frozen);
4. once an hour, forgets events and deliveries older than RESERVIA_NOTIFICATION_DAYS, and audit
   entries older than RESERVIA_AUDIT_DAYS (behind a signed checkpoint, docs/audit.md);
5. runs the resources' health checks that are due (claimed in the database, so that several
   workers never run one check at once; health_probe.py), putting in or out of maintenance;
6. claims the deliveries that are due (the claim already moves each to its next scheduled try,
   so no try is sent twice whatever becomes of this process) and sends them, a few at a time in
   parallel, then records each outcome: delivered, retried later (retries.py), or failed after a
   day. Whatever goes wrong with one delivery is that delivery's failure, not the pass's.

Between passes with nothing to send it waits on the process's change signal
(backend/database/changes.py), at most RESERVIA_DELIVERY_INTERVAL seconds: a pass starts as soon
as anything is committed, so a webhook for a release is first attempted just after its commit.
Such a pass does only what a commit can make due (steps 3 and 6); the steps that time makes due
(1, 2, 4, 5) run once per interval, which also bounds every wait.

`flask --app app deliver` runs passes in the foreground (deploy/ has a systemd unit for it);
`python app.py` runs them in a thread of the development server.
"""
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from backend.database import get_database
from backend.database.deliveries import Outcome
from backend.domain.webhook_urls import HostPolicy
from backend.logs import NOTIFY, log
from backend.models.notifications import EMAIL
from backend.notifications.bodies import BodyRenderer
from backend.notifications.email_sender import SmtpSettings, send_email
from backend.notifications.health_probe import probe
from backend.notifications.retries import retry_at
from backend.notifications.webhook_sender import Sent, send_webhook

# Deliveries claimed per pass, and sent at once: one slow receiver does not hold up the others.
BATCH = 20
SENDERS = 8
PRUNE_EVERY = timedelta(hours=1)


class DeliveryWorker:
    def __init__(self, app):
        self.app = app
        config = app.config
        self.timeout = float(config["RESERVIA_WEBHOOK_TIMEOUT"])
        self.smtp = SmtpSettings.from_config(config)
        self.hosts = HostPolicy(config["RESERVIA_WEBHOOK_HOSTS"])
        self.render = BodyRenderer(config["RESERVIA_PUBLIC_URL"])
        minutes = config["RESERVIA_EXPIRING_MINUTES"]
        self.warn = timedelta(minutes=minutes) if minutes > 0 else None
        # The least time between two tries of one delivery: a claim moves its next try at least this
        # far ahead, so a slow attempt is never overlapped by the next.
        self.lease = timedelta(seconds=max(60.0, 4 * self.timeout + 30))
        self.keep = timedelta(days=config["RESERVIA_NOTIFICATION_DAYS"])
        self.pruned_at = None
        self.stopping = threading.Event()

    def run_once(self, chores=True):
        """One pass; returns how many deliveries it attempted. Without `chores` only what a commit
        can have made due is done (steps 3 and 6): the steps that time makes due wait for their turn."""
        with self.app.app_context():
            database = get_database()
            if chores:
                database.reservations.settle_overdue()
                database.booking_reads.record_reminders(database.outbox)
                if self.warn is not None:
                    database.outbox.record_expiring(self.warn)
            database.deliveries.fan_out(self.render, email_enabled=self.smtp is not None)
            if chores:
                self._prune(database)
                self.run_health_checks(database)
            claims = database.deliveries.claim_due(BATCH, self.lease, retry_at)
            if not claims:
                return 0
            with ThreadPoolExecutor(max_workers=min(SENDERS, len(claims))) as pool:
                attempts = list(pool.map(self._attempt, claims))
            now = database.now()
            outcomes = [self._outcome(claim, sent, now) for claim, sent in zip(claims, attempts, strict=True)]
            database.deliveries.record([outcome for outcome, _ in outcomes])
        for outcome, detail in outcomes:
            _log(outcome, detail)
        return len(outcomes)

    def _prune(self, database):
        """Once an hour, forget events and deliveries older than RESERVIA_NOTIFICATION_DAYS, and
        audit entries older than RESERVIA_AUDIT_DAYS."""
        now = database.now()
        if self.pruned_at is not None and now - self.pruned_at < PRUNE_EVERY:
            return
        self.pruned_at = now
        removed = database.deliveries.prune(now - self.keep)
        if removed:
            log.info("%s forgot %s events older than %s days", NOTIFY, removed, self.keep.days)
        database.audit_log.prune(self.app.secret_key)

    def run_health_checks(self, database):
        """Run the due health checks, a few at a time; returns {resource id: outcome}."""
        due = database.health_checks.claim_due(BATCH)
        if not due:
            return {}
        with ThreadPoolExecutor(max_workers=min(SENDERS, len(due))) as pool:
            results = list(pool.map(lambda c: probe(c.kind, c.target, c.timeout_seconds, self.hosts), due))
        outcomes = {}
        for claim, probed in zip(due, results, strict=True):
            outcomes[claim.resource_id] = database.health_checks.record(claim, probed.ok, probed.category)
            if not probed.ok:
                log.info("%s health check resource=%s failed: %s%s", NOTIFY, claim.resource_id, probed.category,
                         f" detail={probed.detail!r}" if probed.detail else "")
        return outcomes

    def _attempt(self, claim):
        """Send one claim; whatever goes wrong is this delivery's failure, never the pass's."""
        try:
            if claim.channel == EMAIL:
                if self.smtp is None:
                    return Sent(False, category="e-mail is not configured (RESERVIA_SMTP_HOST)", retryable=False)
                delivered, status_code, error = send_email(claim, self.smtp)
                return Sent(delivered, status_code, error)
            return send_webhook(claim, self.timeout, self.hosts)
        except Exception as error:  # noqa: BLE001 - recorded on the delivery, the pass goes on
            log.exception("%s delivery=%s could not be sent", NOTIFY, claim.id)
            return Sent(False, category="error", detail=f"{type(error).__name__}: {error}")

    @staticmethod
    def _outcome(claim, sent, now):
        if sent.delivered:
            return Outcome(claim, True, sent.status_code), sent.detail
        later = retry_at(claim.attempt, claim.created_at, now) if sent.retryable else None
        return Outcome(claim, False, sent.status_code, (sent.category or "error")[:500], later), sent.detail

    def run_forever(self, interval):
        """Pass after pass until stop() is called; an error is logged and the next pass goes on."""
        log.info("%s delivery worker started", NOTIFY)
        chores_due = time.monotonic()
        with self.changes.listening():
            while not self.stopping.is_set():
                # Noted before the pass: whatever is committed during it starts the next one.
                seen = self.changes.generation()
                chores = time.monotonic() >= chores_due
                if chores:
                    chores_due = time.monotonic() + interval
                try:
                    busy = self.run_once(chores)
                except Exception:
                    log.exception("%s delivery pass failed; trying again", NOTIFY)
                    busy = 0
                if not busy and not self.stopping.is_set():
                    self.changes.wait(seen, interval, poll_when_down=False)
        log.info("%s delivery worker stopped", NOTIFY)

    @property
    def changes(self):
        """The change signal of this worker's database, in this process."""
        return self.app.extensions["reservia_database"].transactions.changes

    def stop(self):
        self.stopping.set()
        self.changes.wake()

    def start_thread(self, interval):
        """Run in a daemon thread of this process (the development server's one-machine set-up)."""
        thread = threading.Thread(target=self.run_forever, args=(interval,), name="reservia-deliver",
                                  daemon=True)
        thread.start()
        return thread


def _log(outcome, detail):
    claim = outcome.claim
    where = "email" if claim.channel == EMAIL else "webhook"
    if outcome.delivered:
        state = "delivered"
    elif outcome.retry_at is not None:
        state = f"retry at {outcome.retry_at:%H:%M:%S}"
    else:
        state = "failed"
    # The URL is not logged (chat webhooks carry their secret in it), nor is it in the detail.
    log.info("%s %s delivery=%s event=%s attempt=%s %s%s%s", NOTIFY, where, claim.id, claim.event_uid,
             claim.attempt, state, f" error={outcome.error!r}" if outcome.error else "",
             f" detail={detail!r}" if detail else "")
