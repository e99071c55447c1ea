"""What the Database layer hands back besides plain models: queue entries and lifecycle outcomes."""
from dataclasses import dataclass
from datetime import datetime

from backend.database.rules import ReservationRow
from backend.models import Reservation
from backend.models.user import SignedInAccount


@dataclass(eq=False)
class SignedInUser(SignedInAccount):
    """The user behind a login session, as plain values: what current_user is on every request.

    Built fresh for each request from a lookup kept until the next commit, so that setting the
    session token never touches another request's copy; no ORM instance is made or merged.
    """

    id: int
    name: str
    email: str
    password_hash: str
    role: str
    active: bool
    password_change_required: bool
    created_at: datetime
    auth: str
    display_name: str | None
    session_token: str | None = None


@dataclass(frozen=True)
class QueueEntry:
    """A reservation with the names people read and its place: 0 holds, 1 is next, ...

    For a label request, and for each resource it holds or keeps, also the request's labels,
    how many resources it asked for and how many it has so far.
    """

    reservation: Reservation | ReservationRow
    user_name: str
    resource_name: str | None
    position: int | None
    labels: tuple = ()
    count: int = 1
    collected: int | None = None
    # The booking that cut the hold short (booking_rules.Slot), in the answer to a request.
    bounded_by: object = None
    # In the history, how the booking this hold was the window of turned out (history.outcome_of).
    booking_outcome: str | None = None

    @property
    def request_id(self):
        return self.reservation.parent_id or self.reservation.id


def first_deadline(entries):
    """The earliest moment one of these entries expires, or None: until then the list holds."""
    return min((e.reservation.valid_until for e in entries if e.reservation.valid_until is not None),
               default=None)


@dataclass(frozen=True)
class KeptAlive:
    """A request after a keep-alive, and whether its deadline moved (not at its maximum)."""

    outcome: "RequestOutcome"
    moved: bool


@dataclass(frozen=True)
class ReleaseOutcome:
    """The ended hold, and the reservation that holds or keeps the resource in its place, if
    anyone was waiting."""

    reservation: ReservationRow
    next_reservation: ReservationRow | None
    next_user_name: str | None
    resource_ids: tuple = ()


@dataclass(frozen=True)
class RequestOutcome:
    """A whole request after an action on it: its row, and the resources it holds or keeps."""

    request: ReservationRow
    user_name: str
    resource_ids: tuple
    position: int
    resource_name: str | None = None
    # The names of resource_ids, where the action looked them up (a new label request does).
    resource_names: tuple = ()
    # The booking that cut the hold short in this action (booking_rules.Slot), or None.
    bounded_by: object = None


@dataclass(frozen=True)
class Page:
    """One page of a longer list."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self):
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class EndedReservation:
    """A hold or queued request ended because its user lost access, and who holds the resource now."""

    resource_name: str
    was_holding: bool
    next_user_name: str | None


@dataclass(frozen=True)
class Modified:
    """A user or resource after an administrator's change: which fields really changed (none when
    everything already had the values sent), and the reservations that change ended."""

    item: object
    changed: tuple
    ended: tuple = ()
