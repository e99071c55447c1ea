"""Read-only views of the data shaped for the browser pages: the resource board and its banner."""
from dataclasses import dataclass, field

from sqlalchemy import select
from werkzeug.security import check_password_hash

from backend.database.results import QueueEntry
from backend.database.users import DEFAULT_ADMIN_NAME, DEFAULT_ADMIN_PASSWORD
from backend.models import Resource, User
from backend.models.user import ROLE_ADMIN


@dataclass(frozen=True)
class ResourceBoard:
    """One resource as the dashboard shows it: who holds it and who waits, in order."""

    resource: Resource
    holder: QueueEntry | None = None
    queue: list = field(default_factory=list)

    def entry_for(self, user_id):
        """The user's hold or queued request on this resource, or None."""
        if self.holder is not None and self.holder.reservation.user_id == user_id:
            return self.holder
        return next((e for e in self.queue if e.reservation.user_id == user_id), None)


class PageQueries:
    # Password hash -> whether it is the hash of the default password. Checking a hash is slow
    # on purpose, and a hash never changes its answer, so each one is checked once per process.
    _default_password_hashes = {}

    def resource_board(self, include_inactive=False):
        """Every resource with its holder and queue, in two statements whatever their numbers."""
        entries = self.active_reservations()
        resources = self.list_resources(include_inactive=include_inactive)
        holders, queues = {}, {}
        for entry in entries:
            resource_id = entry.reservation.resource_id
            if entry.position == 0:
                holders[resource_id] = entry
            else:
                queues.setdefault(resource_id, []).append(entry)
        return [ResourceBoard(r, holders.get(r.id), queues.get(r.id, [])) for r in resources]

    def admin_uses_default_password(self):
        """Whether the administrator 'admin' can still log in with the password 'admin'."""
        row = self.session.execute(
            select(User.password_hash, User.active)
            .where(User.name == DEFAULT_ADMIN_NAME, User.role == ROLE_ADMIN)
        ).first()
        if row is None or not row.active:
            return False
        known = self._default_password_hashes
        if row.password_hash not in known:
            known[row.password_hash] = check_password_hash(row.password_hash, DEFAULT_ADMIN_PASSWORD)
        return known[row.password_hash]

    def resource_names(self):
        """(id, name) of every resource, active or not, for filter menus."""
        return list(self.session.execute(select(Resource.id, Resource.name).order_by(Resource.name)))

    def resource_board_for(self, resource_id):
        """One resource, active or not, with its holder and queue; NotFound when there is none."""
        resource = self.get_resource(resource_id)
        entries = self.active_reservations(resource_id=resource_id)
        holder = next((e for e in entries if e.position == 0), None)
        return ResourceBoard(resource, holder, [e for e in entries if e.position != 0])
