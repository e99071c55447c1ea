"""The dashboard's cards, rendered once and served to many readers.

Every open dashboard fetches its board every few seconds, and while anything on the board changes
about once a second, most refreshes cannot be a 304: rendering every card for every reader was most
of a page's cost. A card is the same for every reader but for a few places (web/card_marks.py), so
its shared part is rendered once per change of what it shows and kept, named by its facts
(web/card_facts.py): in this process's memory, and as a file that every process of the machine
reads (web/fragment_files.py). A reader's card is the shared part with the reader's own marks and
foot filled in; a foot is kept too, by everything it is rendered from, with the request's CSRF
token left to fill in. Nothing can go stale: a card whose facts changed has a new name.
"""
import hashlib
import itertools
import locale
import threading
import weakref
from pathlib import Path

import jinja2
from flask import current_app, request, url_for
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from backend.web import card_facts as card_facts_module
from backend.web import card_marks, moments
from backend.web.card_facts import card_facts
from backend.web.card_marks import FootFacts, ReaderMarks, SharedCard, SharedMarks, reader_relation
from backend.web.fragment_files import FragmentFiles

CARD_TEMPLATE = "reservation/_card.html"
FOOT_TEMPLATE = "reservation/_card_foot.html"
# What each card adds around itself on the board (the indentation the board's loop left).
BEFORE_CARD, AFTER_CARD = "\n  \n  \n  \n  ", "\n"
# Stands in for the request's CSRF token in a kept foot, which is kept cut there: "<" cannot come
# from the rendered data.
CSRF_STAND_IN = Markup("<\x00csrf\x00>")
# Kept in memory per process: shared parts (about 2 KB each, and 4 more for the text around the
# foot), feet (1-2 KB; a card has a few, one per way a reader stands to it and per page query),
# and which board each card was worked out from. Past its limit a memory starts again empty: the
# files still hold the shared parts. A thousand-resource site's cards fit.
SHARED_LIMIT, FEET_LIMIT, BOARDS_LIMIT = 2048, 4096, 4096
_EXTENSION = "reservia.cards"
_made = threading.Lock()


class Cards:
    """The kept card parts of one application in this process, and how many were rendered."""

    def __init__(self, app):
        self.files = FragmentFiles(Path(app.config["RESERVIA_HOME"]) / "cache" / "cards")
        # False: every card is rendered for every reader, as before they were kept (for comparison).
        self.keep = True
        self.renderer = _renderer_digest(app)
        self.shared_renders = 0
        self.foot_renders = 0
        self._by_board = {}
        self._by_facts = {}
        self._feet = {}

    def board(self, boards, health, choices, maxima, me, admin, restricted, board_query):
        """The HTML of the cards of one reader's board: each card with the board's indentation."""
        return Markup("".join(self.pieces(boards, health, choices, maxima, me, admin, restricted, board_query)))

    def pieces(self, boards, health, choices, maxima, me, admin, restricted, board_query):
        """Each of `boards` as the board shows it to the reader `me` (None: a reader on no card),
        with the board's indentation."""
        context = _Request(me, admin, restricted, board_query)
        card = self._kept_card if self.keep else self._rendered_card
        return [BEFORE_CARD + card(board, health.get(board.resource.id), choices, maxima, context) + AFTER_CARD
                for board in boards]

    def _kept_card(self, board, health, choices, maxima, context):
        # The read cache hands out the same boards until the next commit: their facts are worked
        # out once. A board is only referred to weakly (it holds the resource's row): one gone
        # since may have left its id to another, which the reference then tells apart.
        found = self._by_board.get(id(board))
        if found is not None and found[0]() is board and found[1] is health and found[2] == context.where:
            card, shared = found[3], found[4]
        else:
            card = context.facts(board, health)
            shared = self._shared(card)
            _bounded(self._by_board, BOARDS_LIMIT)[id(board)] = (weakref.ref(board), health, context.where, card,
                                                                shared)
        rid = card.id
        restricted = rid in context.restricted
        involved = context.me in shared.users
        mine, relation = reader_relation(card, context.me, restricted, involved)
        menu = choices[rid]
        key = (*relation, maxima[rid], context.menu_id(menu), context.page_id)
        parts = self._feet.get(key)
        if parts is None:
            foot = self._render_foot(FootFacts(*relation, maxima[rid], tuple(menu)), context, CSRF_STAND_IN)
            parts = _bounded(self._feet, FEET_LIMIT)[key] = tuple(foot.split(CSRF_STAND_IN))
        foot = parts[0] if len(parts) == 1 else context.csrf_token().join(parts)
        if involved:
            return shared.for_reader(ReaderMarks(context.me, context.admin, mine, restricted, foot))
        before, after = shared.around_foot(context.admin, restricted)
        return before + foot + after

    def _rendered_card(self, board, health, choices, maxima, context):
        """A reader's card rendered whole, nothing kept: what every card cost before."""
        card = context.facts(board, health)
        rid = card.id
        restricted = rid in context.restricted
        mine, relation = reader_relation(card, context.me, restricted)
        foot = Markup(self._render_foot(FootFacts(*relation, maxima[rid], tuple(choices[rid])), context))
        marks = ReaderMarks(context.me, context.admin, mine, restricted, foot)
        return _template(CARD_TEMPLATE).render(card=card, marks=marks)

    def _shared(self, card):
        """The shared part of a card, cut for assembly: from memory, from the files, or rendered."""
        shared = self._by_facts.get(card)
        if shared is not None:
            return shared
        name = card.digest(self.renderer)
        text = self.files.get(name)
        if text is None:
            text = _template(CARD_TEMPLATE).render(card=card, marks=SharedMarks)
            self.shared_renders += 1
            self.files.put(name, text)
        shared = _bounded(self._by_facts, SHARED_LIMIT)[card] = SharedCard(text, card)
        return shared

    def _render_foot(self, foot, context, csrf=None):
        """A card's foot as text (`csrf`: what stands in for the request's CSRF token)."""
        self.foot_renders += 1
        extra = {} if csrf is None else {"csrf_token": lambda: csrf}
        return _template(FOOT_TEMPLATE).render(foot=foot, board_query=context.board_query, **extra)


class _Request:
    """What one request's cards depend on besides the cards: the reader, the page's query, where
    the site is mounted and the locale that names months and days."""

    def __init__(self, me, admin, restricted, board_query):
        self.me = me
        self.admin = admin
        self.restricted = restricted
        self.board_query = board_query
        self.where = (request.script_root, locale.setlocale(locale.LC_TIME))
        query = tuple(sorted((name, tuple(value) if isinstance(value, list) else value)
                             for name, value in board_query.items()))
        self.page_id = _number_of((query, self.where))
        self._calendar_url = None
        self._menus = {}
        self._csrf_token = None

    def csrf_token(self):
        """The request's CSRF token, asked for only when a card has a form (as the template did)."""
        if self._csrf_token is None:
            self._csrf_token = generate_csrf()
        return self._csrf_token

    def facts(self, board, health):
        if self._calendar_url is None:
            self._calendar_url = url_for("reservation.calendar")
        return card_facts(board, health, self._calendar_url, url_for("admin.resource", resource_id=board.resource.id))

    def menu_id(self, menu):
        """The hold lengths offered, as a number: worked out once per list in this request (the
        cards with the same longest hold share one list)."""
        number = self._menus.get(id(menu))
        if number is None:
            number = self._menus[id(menu)] = _number_of(tuple((c.value, c.label, c.end_of_day) for c in menu))
        return number


# Page queries and hold menus, each by a number never given to another: a foot's key is then
# quick to compare.
_numbers = {}
_next_number = itertools.count()


def _number_of(value):
    number = _numbers.get(value)
    if number is None:
        if len(_numbers) >= FEET_LIMIT:
            _numbers.clear()
        number = _numbers.setdefault(value, next(_next_number))
    return number


def cards_of(app):
    """The Cards of `app` in this process."""
    cards = app.extensions.get(_EXTENSION)
    if cards is None:
        with _made:
            cards = app.extensions.get(_EXTENSION)
            if cards is None:
                cards = app.extensions[_EXTENSION] = Cards(app)
    return cards


def card_pieces(dashboard, boards, health, me, admin):
    """Some of the cards of a reader's dashboard page (`me` None: as a reader on none of them)."""
    return cards_of(current_app._get_current_object()).pieces(
        boards, health, dashboard.choices, dashboard.maxima, me, admin, dashboard.restricted, dashboard.board_query)


def _template(name):
    return current_app.jinja_env.get_template(name)


def _bounded(memory, limit):
    if len(memory) >= limit:
        memory.clear()
    return memory


def _renderer_digest(app):
    """A digest of what turns facts into a shared part: the templates, and the code of the facts,
    the markers and the times they show. Kept files rendered by another version are never read."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(jinja2.__version__.encode())
    for name in (CARD_TEMPLATE, "macros.html"):
        digest.update(app.jinja_env.loader.get_source(app.jinja_env, name)[0].encode())
    for module in (card_facts_module, card_marks, moments):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()
