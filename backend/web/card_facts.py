"""What a dashboard card shows every reader alike, as plain values: the card's shared part is rendered
from these and nothing else, so equal facts are the same HTML, and a digest of them names it.

Each value is as the template shows it (the URLs already worked out for the mount point), and the
facts carry the locale that names the months and days, so that no two renderings that could differ
share a name. Times are shown as absolute moments (the page's script counts down), so the facts hold
for as long as the data does.
"""
import hashlib
import locale
from dataclasses import dataclass


@dataclass(frozen=True)
class EntryFacts:
    """Someone on the card: its holder, whoever it is kept for, or a waiter."""

    user_id: int
    user_name: str
    position: int | None
    # When they asked, were approved, and until when (None: no end); the holder's note.
    requested_at: object
    approved_at: object = None
    valid_until: object = None
    note: str | None = None
    # The label request it serves (None: asked by name), what that asked for and has so far.
    parent_id: int | None = None
    labels: tuple = ()
    count: int = 1
    collected: int | None = None


@dataclass(frozen=True)
class BookingFacts:
    """The resource's next booking: when it starts, whose it is, or a maintenance slot."""

    start_at: object
    maintenance: bool
    user_name: str | None


@dataclass(frozen=True)
class HealthFacts:
    status: str
    last_checked: object
    last_error: str | None


@dataclass(frozen=True)
class CardFacts:
    """One card's shared part, as values: see the module docstring."""

    id: int
    name: str
    comment: str
    labels: tuple
    state: str
    maintenance: bool
    maintenance_reason: str | None
    holder: EntryFacts | None
    kept: EntryFacts | None
    queue: tuple
    next_booking: BookingFacts | None
    health: HealthFacts | None
    calendar_url: str
    manage_url: str
    time_locale: str

    @property
    def state_class(self):
        """The state as a class name: "in use" is "in-use"."""
        return self.state.replace(" ", "-")

    def digest(self, renderer):
        """A name for the HTML these facts make under `renderer` (a digest of the templates): the
        same in every process, so that one process finds what another rendered."""
        return hashlib.blake2b(repr((renderer, self)).encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


def card_facts(board, health, calendar_url, manage_url):
    """The facts of one ResourceBoard, with its health (or None) and the URLs its links use."""
    resource = board.resource
    booking = board.next_booking
    return CardFacts(
        id=resource.id, name=resource.name, comment=resource.comment, labels=tuple(resource.labels),
        state=board.state, maintenance=bool(resource.maintenance), maintenance_reason=resource.maintenance_reason,
        holder=_entry(board.holder), kept=_entry(board.kept), queue=tuple(_entry(e) for e in board.queue),
        next_booking=None if booking is None else BookingFacts(booking.start_at, bool(booking.maintenance),
                                                               booking.user_name),
        health=None if health is None else HealthFacts(health.status, health.last_checked, health.last_error),
        calendar_url=calendar_url, manage_url=manage_url, time_locale=locale.setlocale(locale.LC_TIME))


def _entry(entry):
    if entry is None:
        return None
    row = entry.reservation
    return EntryFacts(row.user_id, entry.user_name, entry.position, row.requested_at, row.approved_at,
                      row.valid_until, row.note, row.parent_id, tuple(entry.labels), entry.count, entry.collected)
