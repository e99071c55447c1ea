"""The Boards part: resources with their holder and queue, shaped for the dashboard and the
administrators' resource pages."""
from dataclasses import dataclass, field

from backend.database.results import QueueEntry
from backend.models import Resource
from backend.models.states import APPROVED, KEPT

# The one word for each state of a resource, on every page and in every command.
FREE, IN_USE, KEPT_FOR, MAINTENANCE, DEACTIVATED = "free", "in use", "kept", "maintenance", "deactivated"


@dataclass(frozen=True)
class ResourceBoard:
    """One resource as the dashboard shows it: who holds it (or keeps it for a label request
    still collecting) and who waits for it by name, in order."""

    resource: Resource
    holder: QueueEntry | None = None
    queue: list = field(default_factory=list)
    kept: QueueEntry | None = None
    # Its live booking ending first ({booking_id, resource_id, start_at, end_at, user_name, …}), or None.
    next_booking: object = None

    @property
    def state(self):
        """free, in use, kept (for a label request still collecting), maintenance or
        deactivated: what people are told, everywhere."""
        if not self.resource.active:
            return DEACTIVATED
        if self.resource.maintenance:
            return MAINTENANCE
        if self.holder is not None:
            return IN_USE
        return KEPT_FOR if self.kept is not None else FREE

    @property
    def taken(self):
        """The entry holding or keeping the resource, or None."""
        return self.holder or self.kept

    def entry_for(self, user_id):
        """The user's own request by name on this resource (held or waiting), or None; what a
        label request of theirs holds is acted on as the whole request."""
        if self.holder is not None and self.holder.reservation.user_id == user_id \
                and self.holder.reservation.parent_id is None:
            return self.holder
        return next((e for e in self.queue if e.reservation.user_id == user_id), None)


class Boards:
    def __init__(self, transactions, reservations, resources, booking_reads=None):
        self.transactions = transactions
        self.reservations = reservations
        self.resources = resources
        # Each board's next booking; a Boards built without it shows none.
        self.booking_reads = booking_reads

    def all(self, include_inactive=False):
        """Every resource with its holder and queue, in a fixed number of statements whatever
        their numbers; kept, like what it is made of, until the next commit or deadline (the
        dashboard asks for it on every refresh)."""
        return self.transactions.cached(("boards", include_inactive), lambda: self._build(include_inactive))

    def _build(self, include_inactive):
        entries, until = self.reservations.active_until()
        by_resource = _by_resource(entries)
        listing = self.resources.listing(include_inactive)
        following = {}
        if self.booking_reads is not None and any(r.booked_until for r in listing):
            following = self.booking_reads.next_bookings()
        boards = [_board(r, by_resource.get(r.id, ()), following.get(r.id)) for r in listing]
        return boards, until

    def next_change(self):
        """The first moment the boards change by themselves (a hold or a wait running out), or
        None: what is built from them holds until then, or until the next commit."""
        return self.transactions.cached(("boards deadline",), self._deadline)

    def _deadline(self):
        _, deadline = self.reservations.active_until()
        return deadline, deadline

    def of_user(self, user_id):
        """(board, the user's entry) for every resource the user holds or waits for."""
        return [(board, board.entry_for(user_id)) for board in self.all(include_inactive=True)
                if board.entry_for(user_id) is not None]

    def one(self, resource_id):
        """One resource, active or not, with its holder and queue; NotFound when there is none."""
        resource = self.resources.get(resource_id)
        return _board(resource, self.reservations.active(resource_id=resource_id))

    def label_requests(self, user_id):
        """The user's label requests, each as (its entry, the entries of the resources it holds
        or keeps)."""
        entries = self.reservations.active(user_id=user_id)
        members = {}
        for entry in entries:
            if entry.reservation.parent_id is not None:
                members.setdefault(entry.reservation.parent_id, []).append(entry)
        return [(e, members.get(e.reservation.id, [])) for e in entries if e.reservation.resource_id is None]


def _by_resource(entries):
    grouped = {}
    for entry in entries:
        grouped.setdefault(entry.reservation.resource_id, []).append(entry)
    return grouped


def _board(resource, entries, next_booking=None):
    holder = next((e for e in entries if e.reservation.state == APPROVED), None)
    kept = next((e for e in entries if e.reservation.state == KEPT), None)
    return ResourceBoard(resource, holder, [e for e in entries if e.reservation.state not in (APPROVED, KEPT)], kept,
                         next_booking)
