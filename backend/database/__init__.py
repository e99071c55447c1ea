"""The Database layer: the one object that owns every query and transaction of Reservia.

It is composed of one part per area, each given what it needs in its constructor; every part
shares one Transactions object (the write turn, the clock, the read cache). The queue rules
themselves are plain Python (rules.py, pool.py) that the Queue part applies to locked resources.
"""
from flask import current_app

from backend.database.administration import Administration
from backend.database.audit import Audit
from backend.database.audit_log import AuditLog
from backend.database.boards import Boards
from backend.database.booking_figures import BookingFigures
from backend.database.booking_reads import BookingReads
from backend.database.bookings import Bookings
from backend.database.calendar_keys import CalendarKeys
from backend.database.deliveries import Deliveries
from backend.database.groups import Groups
from backend.database.health_checks import HealthChecks
from backend.database.history import History
from backend.database.labels import Labels
from backend.database.login_limits import LoginLimits
from backend.database.metrics import Metrics
from backend.database.notifications import Notifications
from backend.database.outbox import Outbox
from backend.database.policies import Policies
from backend.database.queue import Queue
from backend.database.reservations import Reservations
from backend.database.resources import Resources
from backend.database.rules_admin import GroupRules
from backend.database.schema import Schema
from backend.database.sign_in import SignIn
from backend.database.statistics import Statistics
from backend.database.tokens import Tokens
from backend.database.transactions import Transactions
from backend.database.users import Users
from backend.database.utilization import Utilization
from backend.database.waiting import Waiting
from backend.models.types import utcnow


class Database:
    """Views call its parts (`database.reservations.request(...)`) and get results or domain
    errors; they never touch the ORM."""

    def __init__(self, clock=utcnow):
        self.transactions = transactions = Transactions(clock)
        self.outbox = outbox = Outbox(transactions)
        # Every part that changes what the audit log covers records there, in its own write.
        self.audit = audit = Audit(transactions)
        self.audit_log = AuditLog(transactions)
        queue = Queue(transactions, outbox)
        self.login_limits = LoginLimits(transactions, audit)
        self.users = Users(transactions, self.login_limits, audit)
        self.groups = Groups(transactions, audit)
        self.sign_in = SignIn(transactions, self.users, self.groups, self.login_limits, audit)
        self.tokens = Tokens(transactions, audit)
        self.resources = Resources(transactions, audit)
        self.labels = Labels(transactions)
        self.booking_reads = BookingReads(transactions)
        self.policies = Policies(transactions)
        self.group_rules = GroupRules(transactions, audit)
        self.reservations = Reservations(transactions, queue, self.resources, self.booking_reads, self.policies)
        self.bookings = Bookings(transactions, queue, audit, self.policies)
        self.calendar_keys = CalendarKeys(transactions)
        self.administration = Administration(transactions, queue, self.users, self.resources, self.tokens,
                                             audit)
        self.waiting = Waiting(transactions, self.reservations)
        self.history = History(transactions, self.reservations, self.users, self.resources)
        self.statistics = Statistics(transactions, self.reservations)
        self.boards = Boards(transactions, self.reservations, self.resources, self.booking_reads, self.policies)
        self.notifications = Notifications(transactions)
        self.deliveries = Deliveries(transactions)
        booking_figures = BookingFigures(transactions)
        self.metrics = Metrics(transactions, self.reservations, booking_figures)
        self.utilization = Utilization(transactions, self.reservations, booking_figures)
        self.health_checks = HealthChecks(transactions, queue)
        self.schema = Schema()

    def now(self):
        """The current time, as the rules see it (tests set the clock)."""
        return self.transactions.now()

    def cached(self, key, build):
        """An answer built from reads (a JSON body, say), kept exactly as long as those reads
        would be: see Transactions.cached."""
        return self.transactions.cached(key, build)


def get_database() -> Database:
    """The Database object of the current application."""
    return current_app.extensions["reservia_database"]
