"""The reservation history: filtered, a page at a time for screens, or all of it for exports."""
from sqlalchemy import func, or_, select, text

from backend.database.results import Page, QueueEntry
from backend.models import Reservation, Resource, User
from backend.models.reservation import ACTIVE_SQL

# Rows fetched from the database at a time while an export streams.
EXPORT_BATCH = 1000


class HistoryQueries:
    def reservation_history(self, user_id=None, resource_id=None, states=None,
                            since=None, until=None, page=1, per_page=20):
        """Reservations newest first, filtered, one page at a time, with user and resource names.

        A reservation is in the period [since, until) when its life, from request to end (or now,
        while active), overlaps it. A fixed number of statements whatever the numbers of rows.
        """
        conditions = self._history_conditions(user_id, resource_id, states, since, until)
        total = self.session.scalar(select(func.count(Reservation.id)).where(*conditions))
        rows = self.session.execute(
            self._history_select(conditions).order_by(Reservation.id.desc())
            .limit(per_page).offset((page - 1) * per_page)
        ).all()
        items = [QueueEntry(r, user_name, resource_name, None) for r, user_name, resource_name in rows]
        return Page(items, page, per_page, total)

    def iter_history(self, user_id=None, resource_id=None, states=None, since=None, until=None):
        """Every matching reservation, oldest first, fetched in batches so that exports of any
        size stream in constant memory. Filters are checked now; rows are read as they are used."""
        conditions = self._history_conditions(user_id, resource_id, states, since, until)
        return self._stream_entries(self._history_select(conditions).order_by(Reservation.id)
                                    .execution_options(yield_per=EXPORT_BATCH))

    def _stream_entries(self, stmt):
        # Runs on first use, in whatever session is current then: a streamed response reads
        # after its view has returned and the view's session has been closed.
        for reservation, user_name, resource_name in self.session.execute(stmt):
            yield QueueEntry(reservation, user_name, resource_name, None)

    def settle_overdue(self):
        """Expire what is overdue before reading history, so that reads match what expiry decided."""
        overdue = set(self.session.scalars(
            select(Reservation.resource_id)
            .where(text(ACTIVE_SQL), Reservation.valid_until <= self.now()).distinct()))
        if overdue:
            self.settle_resources(overdue)

    def _history_conditions(self, user_id, resource_id, states, since, until):
        """The WHERE clause of a filtered history; unknown users and resources are NotFound."""
        self.settle_overdue()
        conditions = []
        if user_id is not None:
            self.get_user(user_id)
            conditions.append(Reservation.user_id == user_id)
        if resource_id is not None:
            self.get_resource(resource_id)
            conditions.append(Reservation.resource_id == resource_id)
        if states:
            conditions.append(Reservation.state.in_(states))
        if since is not None:
            conditions.append(or_(Reservation.ended_at.is_(None), Reservation.ended_at >= since))
        if until is not None:
            conditions.append(Reservation.requested_at < until)
        return conditions

    def _history_select(self, conditions):
        return (
            select(Reservation, User.name, Resource.name)
            .join(User, User.id == Reservation.user_id)
            .join(Resource, Resource.id == Reservation.resource_id)
            .where(*conditions)
        )
