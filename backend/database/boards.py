"""The Boards part: resources with their holder and queue, shaped for the dashboard and the
administrators' resource pages."""
from dataclasses import dataclass, field

from backend.database.results import QueueEntry
from backend.models import Resource
from backend.models.states import APPROVED, KEPT

# The one word for each state of a resource, on every page and in every command.
FREE, IN_USE, MAINTENANCE, DEACTIVATED = "free", "in use", "maintenance", "deactivated"


@dataclass(frozen=True)
class ResourceBoard:
    """One resource as the dashboard shows it: who holds it (or keeps it for a label request
    still collecting) and who waits for it by name, in order."""

    resource: Resource
    holder: QueueEntry | None = None
    queue: list = field(default_factory=list)
    kept: QueueEntry | None = None

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
        """Every resource with its holder and queue, in a fixed number of statements whatever
        their numbers."""
        by_resource = _by_resource(self.reservations.active())
        return [_board(r, by_resource.get(r.id, ())) for r in self.resources.list(include_inactive=include_inactive)]

    def of_user(self, user_id):
        """(board, the user's entry) for every resource the user holds or waits for."""
        return [(board, board.entry_for(user_id)) for board in self.all(include_inactive=True)
                if board.entry_for(user_id) is not None]

    def one(self, resource_id):
        """One resource, active or not, with its holder and queue; NotFound when there is none."""
        resource = self.resources.get(resource_id)
        return _board(resource, self.reservations.active(resource_id=resource_id))

    def label_requests(self, user_id=None):
        """Label requests still collecting their resources (only the user's, when given)."""
        return [e for e in self.reservations.active(user_id=user_id)
                if e.reservation.resource_id is None and e.reservation.state != APPROVED]


def _by_resource(entries):
    grouped = {}
    for entry in entries:
        grouped.setdefault(entry.reservation.resource_id, []).append(entry)
    return grouped


def _board(resource, entries):
    holder = next((e for e in entries if e.reservation.state == APPROVED), None)
    kept = next((e for e in entries if e.reservation.state == KEPT), None)
    return ResourceBoard(resource, holder, [e for e in entries if e.reservation.state not in (APPROVED, KEPT)], kept)
