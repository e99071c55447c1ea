"""Administrator control: changing and retiring users and resources, ending others' reservations."""
from sqlalchemy import delete, exists, func, select, text
from werkzeug.security import generate_password_hash

from backend.database.results import RESERVATION_ROW_COLUMNS, ReservationRow
from backend.database.users import token_hash
from backend.errors import Conflict, Invalid, NotFound
from backend.log_events import ADMIN, log
from backend.models import LoginSession, Reservation, Resource, User
from backend.models.reservation import ACTIVE_SQL, APPROVED, CANCELLED, RELEASED
from backend.models.user import ROLE_ADMIN

USER_FIELDS = ("name", "email", "password", "role", "active")
RESOURCE_FIELDS = ("name", "comment", "maintenance", "active")


class AdministrationQueries:
    def modify_user(self, acting, user_id, changes):
        """Apply the given changes; ending someone's access also ends their sessions and reservations."""
        if "password" in changes:
            # Hash before taking the write lock: hashing is deliberately slow.
            changes = dict(changes, password_hash=generate_password_hash(
                changes.pop("password"), method=self.setting("RESERVIA_PASSWORD_METHOD")))
        if "email" in changes:
            changes["email"] = changes["email"].lower()
        with self.writing() as session:
            user = self._user_row(session, user_id)
            self._refuse_taken(session, changes.get("name", user.name),
                               changes.get("email", user.email), except_id=user.id)
            losing_admin = user.is_admin and user.active and (
                changes.get("role", user.role) != ROLE_ADMIN or changes.get("active") is False)
            if losing_admin:
                self._refuse_last_admin(session, user)
            for field, value in changes.items():
                setattr(user, field, value)
            session.flush()
            if changes.get("active") is False or "password_hash" in changes:
                session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
            if changes.get("active") is False:
                self._end_users_reservations(session, user, acting, "user deactivated")
        log.info("%s user modified id=%s by=%r fields=%s", ADMIN, user.id, acting.name,
                 ",".join(sorted(k for k in changes if k != "password_hash") +
                          (["password"] if "password_hash" in changes else [])))
        return user

    def delete_user(self, acting, user_id):
        """Erase a user without history; one with history is deactivated so the history stays whole."""
        with self.writing() as session:
            user = self._user_row(session, user_id)
            if user.id == acting.id:
                raise Conflict("You cannot delete your own account.", "SELF_DELETE")
            if user.is_admin and user.active:
                self._refuse_last_admin(session, user)
            session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
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

    def _user_row(self, session, user_id):
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(f"No user with id {user_id}.", "USER_NOT_FOUND")
        return user

    def _refuse_last_admin(self, session, user):
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
        resources = self._lock_resources(connection, {r.resource_id for r in rows})
        now = self.now()
        for reservation in rows:
            resource = resources[reservation.resource_id]
            state = RELEASED if reservation.state == APPROVED else CANCELLED
            self._end(connection, reservation, state, now, reason, acting)
            self._settle(connection, resource)

    def modify_resource(self, acting, resource_id, changes):
        """Rename, re-comment, put in or out of maintenance, or retire a resource."""
        with self.writing() as session:
            self._locked_resource(session.connection(), resource_id, include_inactive=True)
            resource = session.get(Resource, resource_id)
            if "name" in changes and session.scalar(select(Resource.id).where(
                    Resource.name == changes["name"], Resource.id != resource.id)) is not None:
                raise Conflict(f"A resource named {changes['name']!r} already exists.",
                               "RESOURCE_EXISTS")
            if changes.get("active") is False:
                self._refuse_busy(session, resource)
            for field, value in changes.items():
                setattr(resource, field, value)
            session.flush()
            # Out of maintenance, the queue moves again at once.
            self._settle(session.connection(), resource)
        log.info("%s resource modified id=%s by=%r fields=%s", ADMIN, resource.id, acting.name,
                 ",".join(sorted(changes)))
        return resource

    def delete_resource(self, acting, resource_id):
        """Erase a resource without history; one with history is deactivated. Busy ones are refused."""
        with self.writing() as session:
            connection = session.connection()
            self._settle(connection, self._locked_resource(connection, resource_id, include_inactive=True))
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
        if self._active_rows(session.connection(), resource.id):
            raise Conflict(f"{resource.name!r} is held or has a queue; end those reservations first.",
                           "RESOURCE_BUSY")

    def force_release(self, acting, resource_id, reason):
        """End the current hold on a resource for its holder; the head of the queue is approved."""
        with self.writing() as session:
            connection = session.connection()
            resource = self._locked_resource(connection, resource_id, include_inactive=True)
            holder = self._settle(connection, resource)
            if holder is None:
                raise NotFound(f"Nobody holds {resource.name!r}.", "NOTHING_APPROVED")
            self._end(connection, holder, RELEASED, self.now(), reason or "released by an administrator",
                      acting)
            following = self._settle(connection, resource)
            next_name = self._user_name(connection, following.user_id) if following else None
        return holder, following, next_name

    def remove_request(self, acting, reservation_id, reason):
        """Take a queued request out of its queue, keeping the reason in the history."""
        with self.writing() as session:
            connection = session.connection()
            resource_id = connection.execute(
                select(Reservation.resource_id).where(Reservation.id == reservation_id)).scalar()
            if resource_id is None:
                raise NotFound(f"No reservation with id {reservation_id}.", "RESERVATION_NOT_FOUND")
            resource = self._locked_resource(connection, resource_id, include_inactive=True)
            # Settling may have approved or expired it.
            _, queued = self._settled_queue(connection, resource)
            reservation = next((r for r in queued if r.id == reservation_id), None)
            if reservation is None:
                state = connection.execute(
                    select(Reservation.state).where(Reservation.id == reservation_id)).scalar_one()
                raise Conflict(f"Reservation {reservation_id} is {state}, not queued.", "NOT_QUEUED")
            self._end(connection, reservation, CANCELLED, self.now(),
                      reason or "removed by an administrator", acting)
        return reservation

    def change_password(self, user, current_password, new_password, keep_token):
        """A user changes their own password; their other sessions are logged out."""
        if not user.check_password(current_password):
            raise Invalid("The current password is not right.", "WRONG_PASSWORD",
                          fields={"current_password": ["The current password is not right."]})
        password_hash = generate_password_hash(new_password,
                                               method=self.setting("RESERVIA_PASSWORD_METHOD"))
        with self.writing() as session:
            self._user_row(session, user.id).password_hash = password_hash
            session.execute(delete(LoginSession).where(
                LoginSession.user_id == user.id, LoginSession.token_hash != token_hash(keep_token)))
        user.password_hash = password_hash
        log.info("%s password changed user=%r; other sessions closed", ADMIN, user.name)
