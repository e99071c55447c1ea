"""The Boards part: resources with their holder and queue, shaped for the dashboard and the
administrators' resource pages."""
from dataclasses import dataclass, field

from backend.database.results import QueueEntry
from backend.models import Resource

# The one word for each state of a resource, on every page and in every command.
FREE, IN_USE, MAINTENANCE, DEACTIVATED = "free", "in use", "maintenance", "deactivated"


@dataclass(frozen=True)
class ResourceBoard:
    """One resource as the dashboard shows it: who holds it and who waits, in order."""

    resource: Resource
    holder: QueueEntry | None = None
    queue: list = field(default_factory=list)

    @property
    def state(self):
        """free, in use, maintenance or deactivated: what people are told, everywhere."""
        if not self.resource.active:
            return DEACTIVATED
        if self.resource.maintenance:
            return MAINTENANCE
        return IN_USE if self.holder is not None else FREE

    def entry_for(self, user_id):
        """The user's hold or queued request on this resource, or None."""
        if self.holder is not None and self.holder.reservation.user_id == user_id:
            return self.holder
        return next((e for e in self.queue if e.reservation.user_id == user_id), None)


class Boards:
    def __init__(self, reservations, resources):
        self.reservations = reservations
        self.resources = resources

    def all(self, include_inactive=False):
        """Every resource with its holder and queue, in two statements whatever their numbers."""
        entries = self.reservations.active()
        resources = self.resources.list(include_inactive=include_inactive)
        holders, queues = {}, {}
        for entry in entries:
            resource_id = entry.reservation.resource_id
            if entry.position == 0:
                holders[resource_id] = entry
            else:
                queues.setdefault(resource_id, []).append(entry)
        return [ResourceBoard(r, holders.get(r.id), queues.get(r.id, [])) for r in resources]

    def of_user(self, user_id):
        """(board, the user's entry) for every resource the user holds or waits for."""
        return [(board, board.entry_for(user_id)) for board in self.all(include_inactive=True)
                if board.entry_for(user_id) is not None]

    def one(self, resource_id):
        """One resource, active or not, with its holder and queue; NotFound when there is none."""
        resource = self.resources.get(resource_id)
        entries = self.reservations.active(resource_id=resource_id)
        holder = next((e for e in entries if e.position == 0), None)
        return ResourceBoard(resource, holder, [e for e in entries if e.position != 0])
