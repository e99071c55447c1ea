"""The BookingReads part: the shared calendar as people, scripts and calendar feeds read it, the
next booking of each resource, and what the queue must settle because a booking began."""
from datetime import timedelta

from sqlalchemy import and_, func, null, select, text, union_all, update

from backend.database.booking_writes import BOOKINGS
from backend.database.outbox import Event
from backend.models import Resource, User
from backend.models.notifications import BOOKING_STARTS_SOON
from backend.models.states import BOOKED, BOOKING_ACTIVE, LIVE_BOOKING_SQL

LISTED = (select(*BOOKINGS.c, Resource.name.label("resource_name"), User.name.label("user_name"))
          .join(Resource, Resource.id == BOOKINGS.c.resource_id).join(User, User.id == BOOKINGS.c.user_id)
          .order_by(BOOKINGS.c.start_at, BOOKINGS.c.id))
_FIRST = BOOKINGS.alias("first_live")
_MAINTENANCE_ON = and_(BOOKINGS.c.status == BOOKING_ACTIVE, BOOKINGS.c.maintenance.is_(True))
# How long cancelled and past bookings stay in the calendar feeds.
FEED_PAST = timedelta(days=90)
MAX_REMINDER = timedelta(days=1)


class BookingReads:
    def __init__(self, transactions):
        self.transactions = transactions

    def listing(self, resource_id=None, user_id=None, since=None, until=None, status=None):
        """Bookings in start order, with their resource's and booker's names."""
        stmt = LISTED
        if resource_id is not None:
            stmt = stmt.where(BOOKINGS.c.resource_id == resource_id)
        if user_id is not None:
            stmt = stmt.where(BOOKINGS.c.user_id == user_id)
        if since is not None:
            stmt = stmt.where(BOOKINGS.c.end_at > since)
        if until is not None:
            stmt = stmt.where(BOOKINGS.c.start_at < until)
        if status is not None:
            stmt = stmt.where(BOOKINGS.c.status == status)
        return list(self.transactions.session.execute(stmt))

    def feed(self, resource_id=None, user_id=None):
        """What a calendar feed shows: bookings (cancelled ones too) that ended at most 90 days ago."""
        return self.listing(resource_id, user_id, since=self.transactions.now() - FEED_PAST)

    def next_bookings(self):
        """{resource id: its live booking that ends first after now}: one index seek per booked
        resource (live bookings of a resource never overlap, so it is the first by start of those
        ending after now), whatever the number of bookings ahead."""
        first = (select(_FIRST.c.id)
                 .where(_FIRST.c.resource_id == Resource.id, text(f"first_live.{LIVE_BOOKING_SQL}"),
                        _FIRST.c.end_at > self.transactions.now())
                 .order_by(_FIRST.c.start_at).limit(1).scalar_subquery())
        stmt = (select(*BOOKINGS.c, Resource.name.label("resource_name"), User.name.label("user_name"))
                .select_from(Resource).join(BOOKINGS, BOOKINGS.c.id == first)
                .join(User, User.id == BOOKINGS.c.user_id).where(Resource.booked_until.is_not(None)))
        return {row.resource_id: row for row in self.transactions.session.execute(stmt)}

    def due(self, connection=None):
        """(ids of the resources where a booking should have started or a maintenance window
        ended by now, the next moment one will): the active list settles the first and is kept
        no later than the second. Seeks in ix_bookings_status_start, however many are booked."""
        now = self.transactions.now()
        stmt = union_all(
            select(BOOKINGS.c.resource_id, BOOKINGS.c.start_at.label("at"))
            .where(BOOKINGS.c.status == BOOKED, BOOKINGS.c.start_at <= now),
            select(BOOKINGS.c.resource_id, BOOKINGS.c.end_at).where(_MAINTENANCE_ON, BOOKINGS.c.end_at <= now),
            select(null(), func.min(BOOKINGS.c.start_at)).where(BOOKINGS.c.status == BOOKED,
                                                                 BOOKINGS.c.start_at > now),
            select(null(), func.min(BOOKINGS.c.end_at)).where(_MAINTENANCE_ON, BOOKINGS.c.end_at > now),
        )
        run = connection.execute if connection is not None else self.transactions.session.execute
        due, upcoming = set(), []
        for resource_id, at in run(stmt):
            if resource_id is not None:
                due.add(resource_id)
            elif at is not None:
                upcoming.append(at)
        return due, min(upcoming, default=None)

    def record_reminders(self, outbox):
        """booking_starts_soon for every booking starting within its booker's reminder minutes
        (at most a day), once per booking. Returns how many were recorded."""
        if not self._reminders_due(self.transactions.session.execute, self.transactions.now()):
            return 0
        with self.transactions.writing() as session:
            connection = session.connection()
            now = self.transactions.now()
            rows = self._reminders_due(connection.execute, now)
            if rows:
                connection.execute(update(BOOKINGS).where(BOOKINGS.c.id.in_([r.id for r in rows]))
                                   .values(reminded_at=now))
                outbox.write(connection, [Event(BOOKING_STARTS_SOON, r.user_id, None, r.resource_id, now,
                                                detail={"booking_id": r.booking_id, "start": r.start_at.isoformat(),
                                                        "end": r.end_at.isoformat()}) for r in rows])
        return len(rows)

    @staticmethod
    def _reminders_due(run, now):
        stmt = (select(BOOKINGS.c.id, BOOKINGS.c.booking_id, BOOKINGS.c.user_id, BOOKINGS.c.resource_id,
                       BOOKINGS.c.start_at, BOOKINGS.c.end_at, User.booking_reminder_minutes)
                .join(User, User.id == BOOKINGS.c.user_id)
                .where(BOOKINGS.c.status == BOOKED, BOOKINGS.c.reminded_at.is_(None),
                       BOOKINGS.c.maintenance.is_(False), BOOKINGS.c.start_at > now,
                       BOOKINGS.c.start_at <= now + MAX_REMINDER))
        return [r for r in run(stmt) if r.start_at - timedelta(minutes=r.booking_reminder_minutes) <= now]
