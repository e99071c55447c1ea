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
    session_token: str | None = None


@dataclass(frozen=True)
class QueueEntry:
    """An active reservation with the names people read and its place: 0 holds, 1 is next, ..."""

    reservation: Reservation | ReservationRow
    user_name: str
    resource_name: str
    position: int


def first_deadline(entries):
    """The earliest moment one of these entries expires, or None: until then the list holds."""
    return min((e.reservation.valid_until for e in entries if e.reservation.valid_until is not None),
               default=None)


@dataclass(frozen=True)
class ReleaseOutcome:
    """The ended hold, and the reservation approved in its place, if anyone was waiting."""

    reservation: ReservationRow
    next_reservation: ReservationRow | None
    next_user_name: str | None


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
