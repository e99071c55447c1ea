"""The Administration part: changing and retiring users and resources, ending others' reservations."""
from sqlalchemy import exists, func, select
from werkzeug.security import check_password_hash

from backend.database.audit import SECRET_CHANGED
from backend.database.groups import allowed_groups_of, set_allowed_groups
from backend.database.maintenance import maintenance_changed
from backend.database.passwords import check_password, refuse_unchanged
from backend.database.results import EndedReservation, Modified
from backend.database.sign_in import password_allowed
from backend.errors import Conflict, NotFound
from backend.logs import ADMIN, log
from backend.models import Reservation, Resource, User
from backend.models.names import normalised
from backend.models.states import APPROVED, CANCELLED, RELEASED, REQUESTED
from backend.models.user import AUTH_LOCAL, ROLE_ADMIN


class Administration:
    def __init__(self, transactions, queue, users, resources, tokens, audit):
        self.transactions = transactions
        self.audit = audit
        self.queue = queue
        self.users = users
        self.resources = resources
        self.tokens = tokens

    def modify_user(self, acting, user_id, changes):
        """Apply the given changes; ending someone's access also ends their sessions and reservations.

        A new password follows the password rules and differs from the one it replaces. Returns
        Modified: only fields whose value differs count as changed. Administrators who change
        their own password keep the session they are using, as /session/password does.
        """
        if "password" in changes:
            changes = dict(changes)
            password = changes.pop("password")
            # Plain values, not the User: the write below must load it afresh, under the lock.
            user = self.transactions.session.execute(
                select(User.name, User.email, User.password_hash, User.role).where(User.id == user_id)).first()
            if user is None:
                raise NotFound(f"No user with id {user_id}.", "USER_NOT_FOUND")
            if not password_allowed(self.transactions.setting, changes.get("role", user.role)):
                raise Conflict("This account signs in through the intranet; RESERVIA_LOCAL_LOGIN does not let it "
                               "have a Reservia password.", "LOCAL_LOGIN_NOT_ALLOWED",
                               fields={"password": ["Not for this account: it signs in through the intranet."]})
            changes["auth"] = AUTH_LOCAL
            check_password(password, normalised(changes.get("name", user.name)), changes.get("email", user.email) or "")
            if user.password_hash and check_password_hash(user.password_hash, password):
                refuse_unchanged()
            # Hash before taking the write lock: hashing is deliberately slow.
            changes["password_hash"] = self.users.hash_password(password)
            self.transactions.end_read()
        if "email" in changes:
            changes["email"] = changes["email"].lower()
        with self.transactions.writing() as session:
            user = self.users.get(user_id)
            changes = {field: value for field, value in changes.items()
                       if field == "password_hash" or getattr(user, field) != value}
            self.users.refuse_taken(session, changes.get("name", user.name),
                                    changes.get("email", user.email), except_id=user.id)
            deactivating = changes.get("active") is False
            if deactivating and user.id == acting.id:
                raise Conflict("You cannot deactivate your own account.", "SELF_DEACTIVATE")
            losing_admin = user.is_admin and user.active and (
                changes.get("role", user.role) != ROLE_ADMIN or deactivating)
            if losing_admin:
                self._refuse_last_admin(session, user)
            audited = {("password" if field == "password_hash" else field):
                       (SECRET_CHANGED if field == "password_hash" else [getattr(user, field), value])
                       for field, value in changes.items()}
            for field, value in changes.items():
                setattr(user, field, value)
            if "password_hash" in changes:
                user.password_change_required = False
            session.flush()
            if deactivating or "password_hash" in changes:
                own = user.id == acting.id and not deactivating
                self.users.close_sessions(session, user.id,
                                          keep_token=acting.session_token if own else None)
            if deactivating:
                self.tokens.revoke_all(session, user.id)
            ended = self._end_users_reservations(session, user, acting, "user deactivated") if deactivating else ()
            if audited:
                self.audit.record(session, acting, "user.modify", "user", user.id, user.name, changes=audited,
                                  reason=_ended_reason(ended))
        changed = tuple(sorted(k for k in changes if k not in ("password_hash", "auth")) +
                        (["password"] if "password_hash" in changes else []))
        log.info("%s user modified id=%s by=%r fields=%s", ADMIN, user.id, acting.name, ",".join(changed))
        return Modified(user, changed, ended)

    def delete_user(self, acting, user_id):
        """Erase a user without history; one with history is deactivated so the history stays whole.
        Returns (deactivated, the reservations that ended)."""
        with self.transactions.writing() as session:
            user = self.users.get(user_id)
            if user.id == acting.id:
                raise Conflict("You cannot delete your own account.", "SELF_DELETE")
            if user.is_admin and user.active:
                self._refuse_last_admin(session, user)
            user_was_active = user.active
            self.users.close_sessions(session, user.id)
            self.tokens.revoke_all(session, user.id)
            has_history = session.scalar(select(exists().where(
                (Reservation.user_id == user.id) | (Reservation.ended_by_id == user.id))))
            ended = ()
            if has_history:
                ended = self._end_users_reservations(session, user, acting, "user deleted")
                user.active = False
            else:
                session.delete(user)
            self.audit.record(session, acting, "user.deactivate" if has_history else "user.delete", "user",
                              user_id, user.name, changes={"active": [user_was_active, False]} if has_history else None,
                              reason=_ended_reason(ended))
        log.info("%s user %s id=%s by=%r", ADMIN, "deactivated" if has_history else "deleted",
                 user_id, acting.name)
        return bool(has_history), ended

    @staticmethod
    def _refuse_last_admin(session, user):
        others = session.scalar(select(func.count(User.id)).where(
            User.role == ROLE_ADMIN, User.active.is_(True), User.id != user.id))
        if not others:
            raise Conflict("Reservia needs at least one active administrator.", "LAST_ADMIN")

    def _end_users_reservations(self, session, user, acting, reason):
        """Release the user's holds (approving whoever waits) and withdraw their queued requests;
        returns an EndedReservation for each, in resource order."""
        connection = session.connection()
        self.queue.take_turn(connection)
        pool = self.queue.whole_pool(connection)
        now = self.transactions.now()
        ended = []
        for request in pool.requests_of(user.id):
            holding = request.state == APPROVED
            freed = pool.end_request(request, RELEASED if holding else CANCELLED, now, reason, acting.id)
            ended.append((request, holding, freed))
        self.queue.write(connection, pool.run())
        names = dict(session.execute(select(Resource.id, Resource.name).where(
            Resource.id.in_({rid for _, _, freed in ended for rid in freed} |
                            {r.resource_id for r, _, _ in ended if r.resource_id is not None}))).all())
        outcome = []
        for request, holding, freed in ended:
            if request.is_label_request and not holding:
                outcome.append(EndedReservation(f"{request.count} × {', '.join(sorted(request.label_set))}",
                                                False, None))
                continue
            for resource_id in freed if request.is_label_request else [request.resource_id]:
                following = pool.taken(resource_id) if holding else None
                next_name = self.queue.user_name(connection, following.user_id) if following else None
                outcome.append(EndedReservation(names[resource_id], holding, next_name))
        return tuple(sorted(outcome, key=lambda e: e.resource_name))

    def modify_resource(self, acting, resource_id, changes):
        """Rename, re-comment, relabel, set the longest hold, put in or out of maintenance, or
        retire a resource. Returns Modified: only fields whose value differs count as changed."""
        with self.transactions.writing() as session:
            connection = session.connection()
            self.queue.lock(connection, resource_id, include_inactive=True)
            resource = session.get(Resource, resource_id)
            allowed = changes.pop("allowed_groups", None) if "allowed_groups" in changes else False
            changes = {field: value for field, value in changes.items() if getattr(resource, field) != value}
            audited = {field: [getattr(resource, field), value] for field, value in changes.items()}
            was_allowed = allowed_groups_of(session, resource.id)
            if allowed is not False and set_allowed_groups(session, resource.id, allowed):
                changes["allowed_groups"] = allowed
                audited["allowed_groups"] = [was_allowed, sorted(set(allowed or ()))]
            if "name" in changes:
                self.resources.refuse_taken(session, changes["name"], except_id=resource.id)
            if changes.get("active") is False:
                self._refuse_busy(self.queue.pool(connection, resource), resource)
            was_in_maintenance = resource.maintenance
            for field, value in changes.items():
                if field != "allowed_groups":
                    setattr(resource, field, value)
            session.flush()
            if resource.maintenance != was_in_maintenance:
                resource.maintenance_reason = None
                session.flush()
                maintenance_changed(connection, resource.id, resource.maintenance, self.transactions.now())
                if self.queue.outbox is not None:
                    self.queue.outbox.resource_changed(connection, resource, acting.id, resource.maintenance)
            # Out of maintenance the queue moves again at once; relabelled or retired, label
            # requests that can no longer use it give it back.
            self.queue.pool(connection, resource)
            if audited:
                self.audit.record(connection, acting, "resource.modify", "resource", resource.id, resource.name,
                                  changes=audited)
        log.info("%s resource modified id=%s by=%r fields=%s", ADMIN, resource.id, acting.name,
                 ",".join(sorted(changes)))
        return Modified(resource, tuple(sorted(changes)))

    def delete_resource(self, acting, resource_id):
        """Erase a resource without history; one with history is deactivated. Busy ones are refused."""
        with self.transactions.writing() as session:
            connection = session.connection()
            locked = self.queue.lock(connection, resource_id, include_inactive=True)
            resource = session.get(Resource, resource_id)
            self._refuse_busy(self.queue.pool(connection, locked), resource)
            # Retired first, so that a label request keeping it gives it back to nobody.
            resource.active = False
            session.flush()
            self.queue.pool(connection, resource)
            has_history = session.scalar(select(exists().where(Reservation.resource_id == resource.id)))
            if not has_history:
                session.delete(resource)
            self.audit.record(connection, acting, "resource.deactivate" if has_history else "resource.delete",
                              "resource", resource_id, resource.name,
                              changes={"active": [locked.active, False]} if has_history else None)
        log.info("%s resource %s id=%s by=%r", ADMIN, "deactivated" if has_history else "deleted",
                 resource_id, acting.name)
        return bool(has_history)

    @staticmethod
    def _refuse_busy(pool, resource):
        """Held, or waited for by name: a resource kept for a label request can still go (the
        request gives it back)."""
        if pool.holder(resource.id) is not None or pool.queue(resource.id):
            raise Conflict(f"{resource.name!r} is held or has a queue; end those reservations first.",
                           "RESOURCE_BUSY")

    def force_release(self, acting, resource_id, reason):
        """End the current hold on a resource for its holder (with every other resource of a label
        request); whoever waits next is approved."""
        with self.transactions.writing() as session:
            connection = session.connection()
            resource = self.queue.lock(connection, resource_id, include_inactive=True)
            pool = self.queue.pool(connection, resource)
            holder = pool.holder(resource_id)
            if holder is None:
                raise NotFound(f"Nobody holds {resource.name!r}.", "NOTHING_APPROVED")
            pool.end_request(pool.request_of(holder), RELEASED, self.transactions.now(),
                             reason or "released by an administrator", acting.id)
            self.queue.write(connection, pool.run())
            following = pool.taken(resource_id)
            next_name = self.queue.user_name(connection, following.user_id) if following else None
            self.audit.record(connection, acting, "reservation.force_release", "reservation", holder.id,
                              resource.name, changes={"holder": [self.queue.user_name(connection, holder.user_id),
                                                                 next_name]},
                              reason=reason or "released by an administrator")
        return holder, following, next_name

    def remove_request(self, acting, reservation_id, reason):
        """Take a waiting request (by name or by labels) out of line, keeping the reason in the history."""
        with self.transactions.writing() as session:
            connection = session.connection()
            row = self.queue.request_row(connection, reservation_id)
            if row is None:
                raise NotFound(f"No reservation with id {reservation_id}.", "RESERVATION_NOT_FOUND")
            if row.is_label_request:
                self.queue.take_turn(connection)
                pool = self.queue.whole_pool(connection)
                waiting = pool.request(reservation_id)
            else:
                pool = self.queue.pool(connection, self.queue.lock(connection, row.resource_id, include_inactive=True))
                # Settling may have approved or expired it.
                waiting = next((r for r in pool.queue(row.resource_id) if r.id == reservation_id), None)
            if waiting is None or waiting.state != REQUESTED:
                state = connection.execute(
                    select(Reservation.state).where(Reservation.id == reservation_id)).scalar_one()
                raise Conflict(f"Reservation {reservation_id} is {state}, not queued.", "NOT_QUEUED")
            pool.end_request(waiting, CANCELLED, self.transactions.now(),
                             reason or "removed by an administrator", acting.id)
            self.queue.write(connection, pool.run())
            self.audit.record(connection, acting, "reservation.remove", "reservation", waiting.id,
                              self._requested(connection, waiting),
                              changes={"state": [REQUESTED, CANCELLED],
                                       "user": [self.queue.user_name(connection, waiting.user_id), None]},
                              reason=reason or "removed by an administrator")
        return waiting

    @staticmethod
    def _requested(connection, request):
        """What a request asked for, as the audit log names it: the resource, or count × labels."""
        if request.is_label_request:
            return f"{request.count} × {', '.join(sorted(request.label_set))}"
        return connection.execute(select(Resource.name).where(Resource.id == request.resource_id)).scalar_one()


def _ended_reason(ended):
    """What a change to an account ended, for the audit entry's reason, or None."""
    if not ended:
        return None
    return "ended: " + ", ".join(f"{'hold of' if e.was_holding else 'request for'} {e.resource_name}" for e in ended)
