"""What the Database layer hands back besides plain models: queue entries and lifecycle outcomes."""
from dataclasses import dataclass

from backend.models import Reservation


@dataclass(frozen=True)
class QueueEntry:
    """An active reservation with the names people read and its place: 0 holds, 1 is next, ..."""

    reservation: Reservation
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

    reservation: Reservation
    next_reservation: Reservation | None
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
