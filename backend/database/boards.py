"""The Boards part: resources with their holder and queue, shaped for the dashboard and the
administrators' resource pages."""
from dataclasses import dataclass, field
from functools import cached_property

from backend.database.results import QueueEntry
from backend.domain.dashboard import PAGE_SIZE, DashboardFilters, page_count
from backend.domain.holds import hold_choices
from backend.domain.labels import label_summary
from backend.domain.resources import FREE, own_request, resource_state
from backend.models import Resource
from backend.models.states import APPROVED, KEPT


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
        return resource_state(self.resource.active, self.resource.maintenance, self.holder is not None,
                              self.kept is not None)

    @property
    def taken(self):
        """The entry holding or keeping the resource, or None."""
        return self.holder or self.kept

    @cached_property
    def user_ids(self):
        """Who is on the card: its holder, whoever it is kept for, and its queue (worked out once
        per board: each holder's and waiter's refresh asks it of every card)."""
        return {entry.reservation.user_id for entry in (self.holder, self.kept, *self.queue) if entry is not None}

    def entry_for(self, user_id):
        """The user's own request by name on this resource (held or waiting), or None; what a
        label request of theirs holds is acted on as the whole request."""
        return own_request(self.holder, self.queue, user_id, row=lambda entry: entry.reservation)


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard and its refreshing board show one user: their own holds and
    requests, the label chips, and one page of the cards the filters leave, with the hold
    lengths each offers. Its fields are the templates' names."""

    filters: DashboardFilters
    boards: list  # the cards of this page
    total: int  # cards the filters leave, on all pages
    all_count: int  # active resources
    page: int
    pages: int
    chips: list  # label_summary of every active resource
    mine: list  # (board, the user's entry): holds first, then requests
    label_requests: list  # (entry, the entries of the resources it holds or keeps)
    maxima: dict  # resource id: longest hold in minutes (None: no limit)
    choices: dict  # resource id: HoldChoice list
    restricted: frozenset = frozenset()  # ids of resources restricted to groups the user is not in

    @property
    def board_query(self):
        """The query string of this very page, for the board its script fetches."""
        return self.filters.query(page=self.page)


class DashboardPage:
    """One page of cards as every reader sees it, with the hold lengths each card offers. One
    menu per longest hold: most resources share the site's, and the cards' kept feet are found
    by their menu (web/cards.py)."""

    def __init__(self, cards, total, page, pages, chips, maxima, site_minutes, now):
        self.cards, self.total, self.page, self.pages, self.chips = cards, total, page, pages, chips
        self.maxima = maxima
        self._site_minutes, self._now = site_minutes, now
        self._menus = {}
        self.choices = {rid: self.menu(longest) for rid, longest in maxima.items()}

    def menu(self, longest):
        """The hold menu of a resource whose longest hold is `longest` minutes."""
        found = self._menus.get(longest)
        if found is None:
            found = self._menus[longest] = hold_choices(longest, self._site_minutes, self._now)
        return found


class Boards:
    def __init__(self, transactions, reservations, resources, booking_reads=None, policies=None):
        self.transactions = transactions
        # Which resources the user may not use (the group rules); a Boards built without it shows none.
        self.policies = policies
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

    def _entries_by_user(self):
        """{user id: [(index of a board, the user's entry on it as entry_for finds it)], in the
        boards' order}, worked out once per change: each reader's dashboard looked through every
        board for their entries."""
        return self.transactions.cached(("boards' entries by user",), self._index_entries)

    def _index_entries(self):
        by_user = {}
        for i, board in enumerate(self.all()):
            for user_id in board.user_ids:
                entry = board.entry_for(user_id)
                if entry is not None:
                    by_user.setdefault(user_id, []).append((i, entry))
        return by_user, self.next_change()

    def involves(self, user_id):
        """Whether the user holds, waits for or has something kept for them, by name or by label:
        a dashboard of someone who does none of these is the same for everyone alike (the pages
        share it, web/conditional.py)."""
        return user_id in self.transactions.cached(("users with active requests",), self._active_users)

    def _active_users(self):
        entries, until = self.reservations.active_until()
        return frozenset(entry.reservation.user_id for entry in entries), until

    def of_user(self, user_id):
        """(board, the user's entry) for every resource the user holds or waits for."""
        return [(board, board.entry_for(user_id)) for board in self.all(include_inactive=True)
                if board.entry_for(user_id) is not None]

    def one(self, resource_id):
        """One resource, active or not, with its holder and queue; NotFound when there is none."""
        resource = self.resources.get(resource_id)
        return _board(resource, self.reservations.active(resource_id=resource_id))

    def dashboard(self, user_id, filters, for_script=False):
        """The dashboard of one user under the given filters (a DashboardFilters); a page past the
        last shows the last. `for_script`: for the board the page's script fetches, whose "until
        the end of the day" the script works out in the reader's zone."""
        boards = self.all()
        mine = [(boards[i], entry) for i, entry in self._entries_by_user().get(user_id, ())]
        mine.sort(key=lambda pair: pair[1].position != 0)  # holds first, then requests
        if for_script:
            # The same for every reader with these filters until the boards change: worked out
            # once per change rather than in each holder's and waiter's refresh.
            common = self.transactions.cached(("dashboard page", filters),
                                              lambda: (self._page(boards, filters, None), self.next_change()))
        else:
            common = self._page(boards, filters, self.transactions.now())
        maxima, choices = common.maxima, common.choices
        missing = [b.resource for b, _ in mine if b.resource.id not in maxima]
        if missing:
            # Hold lengths for the reader's own entries beyond the page's cards.
            maxima, choices = dict(maxima), dict(choices)
            for resource in missing:
                maxima[resource.id] = longest = self.resources.max_hold_minutes(resource)
                choices[resource.id] = common.menu(longest)
        restricted = self.policies.barred(user_id) if self.policies is not None else frozenset()
        return Dashboard(filters, common.cards, common.total, len(boards), common.page, common.pages, common.chips,
                         mine, self.label_requests(user_id), maxima, choices, restricted)

    def _page(self, boards, filters, now):
        """What one page of cards under `filters` shows every reader alike (`now`: for the hold
        menus' "until the end of the day"; None: the script works that out)."""
        shown = [b for b in boards if filters.matches(b)]
        pages = page_count(len(shown))
        page = min(filters.page, pages)
        cards = shown[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
        # Hold lengths are worked out only for what the page shows: with a thousand resources the
        # menus were most of its cost.
        maxima = {b.resource.id: self.resources.max_hold_minutes(b.resource) for b in cards}
        chips = label_summary((b.resource.labels, b.state == FREE) for b in boards)
        return DashboardPage(cards, len(shown), page, pages, chips, maxima,
                             self.transactions.setting("RESERVIA_HOLD_MINUTES"), now)

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
