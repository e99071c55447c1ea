"""The refreshing board in parts: one rendering per change serves every reader alike, and the
readers who hold or wait for something too.

Two readers whose boards have the same key (filters, administrator or not, resources barred to
them, where the site is mounted: views/reservation_pages.py) see the same board but for their
"Yours" section and the cards they are on. The board of a reader on no card is rendered once per
change and key and kept cut into its parts: the text around the "Yours" section and the cards,
that section as such a reader sees it, and each card. Such a reader's board is the parts joined
(conditional.py keeps it whole for them all); a reader who holds or waits gets the same parts
with their own "Yours" section and their own cards in their places, which costs a fraction of
rendering their whole board, and is byte for byte that board (tests/test_pages_dashboard_cards.py).
The kept parts carry the CSRF token of the request that rendered them; each reader's board
carries their own.
"""
from flask import current_app, render_template
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from backend.database import get_database
from backend.web.board_cards_sent import CutBoard, cut_part
from backend.web.cards import card_pieces, cards_of

BOARD_TEMPLATE = "reservation/_board.html"
MINE_TEMPLATE = "reservation/_mine.html"
# Stand in for the "Yours" section and the cards while the board is cut: "\x00" never comes from
# the rendered data.
_MINE, _CARDS = Markup("<\x00mine\x00>"), Markup("<\x00cards\x00>")


def board_context(dashboard, me, admin):
    """The board template's names for the reader `me` (a Dashboard of theirs), whole."""
    health = get_database().health_checks.health_by_resource()
    context = _names(dashboard)
    context["cards"] = Markup("".join(card_pieces(dashboard, dashboard.boards, health, me, admin)))
    context["mine_section"] = Markup(render_template(MINE_TEMPLATE, **context))
    return context


def board_page(key, dashboard, me, admin, involved):
    """The board of the reader `me` (`involved`: on some card, or with a label request), with
    this request's CSRF token: everyone's parts, with their own where they are on the board.
    Its text; for a reader on some card, a CutBoard (board_cards_sent.py) of the parts, which
    conditional.py and the cards sent answer from without cutting the whole board again."""
    if not kept():
        return render_template(BOARD_TEMPLATE, **board_context(dashboard, me, admin))
    parts = _parts(key, dashboard, admin)
    if not involved:
        return parts.page(parts.nobody_mine, parts.cards, generate_csrf())
    mine = render_template(MINE_TEMPLATE, **_names(dashboard))
    on = [i for i, board in enumerate(dashboard.boards) if me in board.user_ids]
    health = get_database().health_checks.health_by_resource()
    own_cards = card_pieces(dashboard, [dashboard.boards[i] for i in on], health, me, admin)
    return parts.cut_board(mine, dict(zip(on, own_cards, strict=True)), generate_csrf())


def kept():
    """Whether boards are made from kept parts (False: each rendered whole for its reader, as
    before they were kept; tests compare the two)."""
    return cards_of(current_app._get_current_object()).keep


def _names(dashboard):
    return {**vars(dashboard), "board_query": dashboard.board_query,
            "refresh_seconds": current_app.config["RESERVIA_REFRESH_SECONDS"]}


def _parts(key, dashboard, admin):
    """The kept parts of the boards under `key`, rendered from `dashboard` (any reader's under
    that key) when this change has none yet."""
    return get_database().transactions.cached(
        ("board parts", *key), lambda: (BoardParts(dashboard, admin), get_database().boards.next_change()))


class BoardParts:
    """One key's board cut for assembly (see the module's docstring)."""

    __slots__ = ("head", "middle", "tail", "nobody_mine", "cards", "token", "_cut")

    def __init__(self, dashboard, admin):
        self.token = generate_csrf()
        self._cut = None
        context = _names(dashboard)
        health = get_database().health_checks.health_by_resource()
        self.cards = card_pieces(dashboard, dashboard.boards, health, None, admin)
        self.nobody_mine = render_template(MINE_TEMPLATE, **{**context, "mine": [], "label_requests": []})
        shell = render_template(BOARD_TEMPLATE, **context, mine_section=_MINE, cards=_CARDS)
        self.head, _, rest = shell.partition(_MINE)
        self.middle, _, self.tail = rest.partition(_CARDS)
        if not rest:
            # No resources yet: the board is its empty state, the same for every reader.
            self.head, self.middle, self.tail = shell, "", ""

    def page(self, mine, cards, token):
        """The board with this "Yours" section and these cards, carrying `token`."""
        if not self.middle and not self.tail:
            text = self.head
        else:
            text = "".join((self.head, mine, self.middle, *cards, self.tail))
        return text if token == self.token else text.replace(self.token, token)

    def cut_board(self, mine, own_cards, token):
        """The board with this "Yours" section and, at their places ({index: text}), these cards,
        both carrying `token`, as a CutBoard."""
        head, middle, tail, cards = self._cuts()
        if not self.middle and not self.tail:
            return CutBoard([head])
        cards = list(cards)
        for i, text in own_cards.items():
            cards[i] = cut_part(text, token)
        return CutBoard([head, cut_part(mine, token), middle, *cards, tail])

    def _cuts(self):
        """The parts cut at their cards, token stood in for: by the first reader on some card
        after a change, for all of them (two at once make the same)."""
        if self._cut is None:
            self._cut = (*(cut_part(text, self.token) for text in (self.head, self.middle, self.tail)),
                         [cut_part(text, self.token) for text in self.cards])
        return self._cut
