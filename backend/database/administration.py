"""The Administration part: changing and retiring users and resources, ending others' reservations."""
from sqlalchemy import exists, func, select, text

from backend.database import rules
from backend.database.queue import RESERVATION_ROW_COLUMNS
from backend.database.rules import ReservationRow
from backend.errors import Conflict, NotFound
from backend.logs import ADMIN, log
from backend.models import Reservation, Resource, User
from backend.models.states import ACTIVE_SQL, APPROVED, CANCELLED, RELEASED
from backend.models.user import ROLE_ADMIN


class Administration:
    def __init__(self, transactions, queue, users, resources):
        self.transactions = transactions
        self.queue = queue
        self.users = users
        self.resources = resources

    def modify_user(self, acting, user_id, changes):
        """Apply the given changes; ending someone's access also ends their sessions and reservations."""
        if "password" in changes:
            # Hash before taking the write lock: hashing is deliberately slow.
            changes = dict(changes, password_hash=self.users.hash_password(changes.pop("password")))
        if "email" in changes:
            changes["email"] = changes["email"].lower()
        with self.transactions.writing() as session:
            user = self.users.get(user_id)
            self.users.refuse_taken(session, changes.get("name", user.name),
                                    changes.get("email", user.email), except_id=user.id)
            losing_admin = user.is_admin and user.active and (
                changes.get("role", user.role) != ROLE_ADMIN or changes.get("active") is False)
            if losing_admin:
                self._refuse_last_admin(session, user)
            for field, value in changes.items():
                setattr(user, field, value)
            session.flush()
            if changes.get("active") is False or "password_hash" in changes:
                self.users.close_sessions(session, user.id)
            if changes.get("active") is False:
                self._end_users_reservations(session, user, acting, "user deactivated")
        log.info("%s user modified id=%s by=%r fields=%s", ADMIN, user.id, acting.name,
                 ",".join(sorted(k for k in changes if k != "password_hash") +
                          (["password"] if "password_hash" in changes else [])))
        return user

    def delete_user(self, acting, user_id):
        """Erase a user without history; one with history is deactivated so the history stays whole."""
        with self.transactions.writing() as session:
            user = self.users.get(user_id)
            if user.id == acting.id:
                raise Conflict("You cannot delete your own account.", "SELF_DELETE")
            if user.is_admin and user.active:
                self._refuse_last_admin(session, user)
            self.users.close_sessions(session, user.id)
            has_history = session.scalar(select(exists().where(
                (Reservation.user_id == user.id) | (Reservation.ended_by_id == user.id))))
            if has_history:
                self._end_users_reservations(session, user, acting, "user deleted")
                user.active = False
            else:
                session.delete(user)
        log.info("%s user %s id=%s by=%r", ADMIN, "deactivated" if has_history else "deleted",
                 user_id, acting.name)
        return bool(has_history)

    @staticmethod
    def _refuse_last_admin(session, user):
        others = session.scalar(select(func.count(User.id)).where(
            User.role == ROLE_ADMIN, User.active.is_(True), User.id != user.id))
        if not others:
            raise Conflict("Reservia needs at least one active administrator.", "LAST_ADMIN")

    def _end_users_reservations(self, session, user, acting, reason):
        """Release the user's holds (approving whoever waits) and withdraw their queued requests."""
        connection = session.connection()
        rows = [ReservationRow.from_row(row) for row in connection.execute(
            select(*RESERVATION_ROW_COLUMNS).where(
                Reservation.user_id == user.id, text(ACTIVE_SQL)).order_by(Reservation.resource_id))]
        resources = self.queue.lock_many(connection, {r.resource_id for r in rows})
        now = self.transactions.now()
        for reservation in rows:
            state = RELEASED if reservation.state == APPROVED else CANCELLED
            self.queue.write(connection, [rules.end(reservation, state, now, reason, acting.id)])
            self.queue.settle(connection, resources[reservation.resource_id])

    def modify_resource(self, acting, resource_id, changes):
        """Rename, re-comment, put in or out of maintenance, or retire a resource."""
        with self.transactions.writing() as session:
            self.queue.lock(session.connection(), resource_id, include_inactive=True)
            resource = session.get(Resource, resource_id)
            if "name" in changes:
                self.resources.refuse_taken(session, changes["name"], except_id=resource.id)
            if changes.get("active") is False:
                self._refuse_busy(session, resource)
            was_in_maintenance = resource.maintenance
            for field, value in changes.items():
                setattr(resource, field, value)
            session.flush()
            if resource.maintenance != was_in_maintenance and self.queue.outbox is not None:
                self.queue.outbox.resource_changed(session.connection(), resource, acting.id,
                                                   resource.maintenance)
            # Out of maintenance, the queue moves again at once.
            self.queue.settle(session.connection(), resource)
        log.info("%s resource modified id=%s by=%r fields=%s", ADMIN, resource.id, acting.name,
                 ",".join(sorted(changes)))
        return resource

    def delete_resource(self, acting, resource_id):
        """Erase a resource without history; one with history is deactivated. Busy ones are refused."""
        with self.transactions.writing() as session:
            connection = session.connection()
            self.queue.settle(connection, self.queue.lock(connection, resource_id, include_inactive=True))
            resource = session.get(Resource, resource_id)
            self._refuse_busy(session, resource)
            has_history = session.scalar(select(exists().where(Reservation.resource_id == resource.id)))
            if has_history:
                resource.active = False
            else:
                session.delete(resource)
        log.info("%s resource %s id=%s by=%r", ADMIN, "deactivated" if has_history else "deleted",
                 resource_id, acting.name)
        return bool(has_history)

    def _refuse_busy(self, session, resource):
        if self.queue.active_rows(session.connection(), resource.id):
            raise Conflict(f"{resource.name!r} is held or has a queue; end those reservations first.",
                           "RESOURCE_BUSY")

    def force_release(self, acting, resource_id, reason):
        """End the current hold on a resource for its holder; the head of the queue is approved."""
        with self.transactions.writing() as session:
            connection = session.connection()
            resource = self.queue.lock(connection, resource_id, include_inactive=True)
            holder = self.queue.settle(connection, resource).holder
            if holder is None:
                raise NotFound(f"Nobody holds {resource.name!r}.", "NOTHING_APPROVED")
            self.queue.write(connection, [rules.end(
                holder, RELEASED, self.transactions.now(), reason or "released by an administrator",
                acting.id)])
            following = self.queue.settle(connection, resource).holder
            next_name = self.queue.user_name(connection, following.user_id) if following else None
        return holder, following, next_name

    def remove_request(self, acting, reservation_id, reason):
        """Take a queued request out of its queue, keeping the reason in the history."""
        with self.transactions.writing() as session:
            connection = session.connection()
            resource_id = connection.execute(
                select(Reservation.resource_id).where(Reservation.id == reservation_id)).scalar()
            if resource_id is None:
                raise NotFound(f"No reservation with id {reservation_id}.", "RESERVATION_NOT_FOUND")
            resource = self.queue.lock(connection, resource_id, include_inactive=True)
            # Settling may have approved or expired it.
            queued = self.queue.settle(connection, resource).queue
            reservation = next((r for r in queued if r.id == reservation_id), None)
            if reservation is None:
                state = connection.execute(
                    select(Reservation.state).where(Reservation.id == reservation_id)).scalar_one()
                raise Conflict(f"Reservation {reservation_id} is {state}, not queued.", "NOT_QUEUED")
            self.queue.write(connection, [rules.end(
                reservation, CANCELLED, self.transactions.now(),
                reason or "removed by an administrator", acting.id)])
        return reservation
