"""The History part: reservations filtered, a page at a time for screens or all of them for
exports, each seen by whom it may be seen."""
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import and_, func, or_, select

from backend.database.results import Page, QueueEntry
from backend.errors import Forbidden
from backend.models import Booking, Reservation, Resource, User

# Rows fetched from the database at a time while an export streams.
EXPORT_BATCH = 1000


@dataclass(frozen=True)
class HistoryFilters:
    """Which reservations a history listing or export shows; None and () mean no restriction."""

    user_id: int | None = None
    resource_id: int | None = None
    states: tuple = ()
    since: datetime | None = None
    until: datetime | None = None


BOOKING_OUTCOMES = {"ended": "used"}


def visible_to(viewer, filters):
    """The filters limited to what `viewer` may see: administrators and the operator at the
    shell (None) see everyone's reservations, everybody else only their own."""
    if viewer is None or viewer.is_admin:
        return filters
    if filters.user_id not in (None, viewer.id):
        raise Forbidden("Only administrators can see other users' history.", "FORBIDDEN")
    return replace(filters, user_id=viewer.id)


class History:
    def __init__(self, transactions, reservations, users, resources):
        self.transactions = transactions
        self.reservations = reservations
        self.users = users
        self.resources = resources

    def page(self, viewer, filters, page=1, per_page=20):
        """Reservations newest first, filtered, one page at a time, with user and resource names.

        A reservation is in the period [since, until) when its life, from request to end (or now,
        while active), overlaps it. A fixed number of statements whatever the numbers of rows.
        """
        conditions = self._conditions(visible_to(viewer, filters))
        session = self.transactions.session
        total = session.scalar(select(func.count(Reservation.id)).where(*conditions))
        rows = session.execute(
            _with_names(conditions).order_by(Reservation.id.desc()).limit(per_page).offset((page - 1) * per_page))
        return Page([QueueEntry(r, user_name, resource_name, None, booking_outcome=outcome_of(status))
                     for r, user_name, resource_name, status in rows], page, per_page, total)

    def rows(self, viewer, filters):
        """Every matching reservation, oldest first, fetched in batches so that exports of any
        size stream in constant memory. Filters are checked now; rows are read as they are used."""
        conditions = self._conditions(visible_to(viewer, filters))
        return self._stream(_with_names(conditions).order_by(Reservation.id)
                            .execution_options(yield_per=EXPORT_BATCH))

    def _stream(self, stmt):
        # Runs on first use, in whatever session is current then: a streamed response reads
        # after its view has returned and the view's session has been closed.
        for reservation, user_name, resource_name, status in self.transactions.session.execute(stmt):
            yield QueueEntry(reservation, user_name, resource_name, None, booking_outcome=outcome_of(status))

    def _conditions(self, filters):
        """The WHERE clause of a filtered history; unknown users and resources are NotFound."""
        self.reservations.settle_overdue()
        conditions = []
        if filters.user_id is not None:
            self.users.get(filters.user_id)
            conditions.append(Reservation.user_id == filters.user_id)
        if filters.resource_id is not None:
            self.resources.get(filters.resource_id)
            conditions.append(Reservation.resource_id == filters.resource_id)
        if filters.states:
            conditions.append(Reservation.state.in_(filters.states))
        if filters.since is not None:
            conditions.append(or_(Reservation.ended_at.is_(None), Reservation.ended_at >= filters.since))
        if filters.until is not None:
            conditions.append(Reservation.requested_at < filters.until)
        return conditions


def _with_names(conditions):
    """The reservations with their user's and resource's names, and the status of the booking a
    hold was the window of."""
    return (
        select(Reservation, User.name, Resource.name, Booking.status)
        .join(User, User.id == Reservation.user_id)
        .outerjoin(Resource, Resource.id == Reservation.resource_id)
        .outerjoin(Booking, and_(Booking.booking_id == Reservation.booking_id,
                                 Booking.resource_id == Reservation.resource_id))
        .where(*conditions)
    )


def outcome_of(booking_status):
    """How a booking turned out, as history and statistics say it: used, released_early, no_show,
    cancelled (or booked / active while it is not over); None for holds of the queue."""
    return BOOKING_OUTCOMES.get(booking_status, booking_status)
