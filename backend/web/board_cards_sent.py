"""A refreshed board without the cards the page already shows.

An open dashboard fetches its board every few seconds, and while the board changes about once a
second nearly every refresh is a new board; but a change touches a card or two of fifty. Sending
the whole board each time (150 KB for fifty cards) cost more on its way back than in Reservia: under
Apache a refresh's time followed its answer's size (docs/performance.md, "An opening that
queues"). So the page's script says which cards it shows, and the board comes back with each
card it already has replaced by a placeholder it fills in from the board it holds.

The page asks with `Reservia-Cards: resource-1:DIGEST,resource-2:DIGEST,...` (empty the first
time); every board answer to such a request names its own cards the same way, in that header.
A card's digest is of its text less the request's CSRF token: each process signs its own token
for the session (csrf_tokens.py), and any of them is good for the whole session. Digests are
kept by card text, so the readers after the first find them rather than work them out. A kept card
is `<template data-same="resource-N"></template>` in place of its `<article>`...`</article>`, so
the page's copy of it put there makes the board exactly as sent whole but for the tokens.
The board kept for everyone on no card (conditional.py's SharedPage) is cut at its cards by its
first reader after a change, and the cut kept with it for the others (shared_board_answer).
"""
import hashlib
import re

from flask import make_response
from flask_wtf.csrf import generate_csrf

HEADER = "Reservia-Cards"
CARD_START, CARD_END = b"<article ", b"</article>"
PLACEHOLDER = b'<template data-same="%s"></template>'
_CARD_ID = re.compile(rb'<article [^>]*?id="(resource-\d+)"')
# Stands in for the request's CSRF token while the cards are compared: "\x00" never comes from
# the rendered data.
_TOKEN_STAND_IN = b"<\x00csrf\x00>"
# Cards' ids and digests by their text (less the token), kept for the next readers; past the
# limit the memory starts again empty.
NAMES_LIMIT = 1024
_names = {}
_ENTRY = re.compile(r"(resource-\d{1,12}):([0-9a-f]{16})")
# A header as the page's script writes it: entries and commas alone, read in one go.
_AS_WRITTEN = re.compile(r"(?:resource-\d{1,12}:[0-9a-f]{16},)*resource-\d{1,12}:[0-9a-f]{16}")
# More than any board page shows: what is beyond it is ignored, not read.
MOST_ENTRIES = 2000


def asked(headers):
    """The cards the page says it shows, {card id: digest}; None when it did not ask."""
    value = headers.get(HEADER)
    if value is None:
        return None
    if _AS_WRITTEN.fullmatch(value):
        parts = value.replace(",", ":").split(":", 2 * MOST_ENTRIES)[:2 * MOST_ENTRIES]
        return dict(zip(parts[0::2], parts[1::2], strict=True))
    has = {}  # anything else, entry by entry; what is not an entry is skipped
    for entry in value.split(",", MOST_ENTRIES)[:MOST_ENTRIES]:
        found = _ENTRY.fullmatch(entry.strip())
        if found:
            has[found.group(1)] = found.group(2)
    return has


def without_cards_the_page_has(body, has):
    """(the board `body` (bytes) with the cards in `has` left out, the header naming all its cards)."""
    token = generate_csrf().encode()
    cut = BoardCut(body.replace(token, _TOKEN_STAND_IN))
    return cut.without(has).replace(_TOKEN_STAND_IN, token), cut.names


def shared_board_answer(has):
    """page_unless_unchanged's answer for a board kept for everyone on no card (conditional.py's
    SharedPage): the reader's board with the cards in `has` left out, from the page's cut, which
    its first reader makes once for all of them."""
    def answer(page, token):
        cut = page.derived.get("cut")
        if cut is None:
            cut = page.derived["cut"] = BoardCut(page.text_with(_TOKEN_STAND_IN))
        body = cut.without(has)
        response = make_response(body.replace(_TOKEN_STAND_IN, token.encode()) if token else body)
        response.headers[HEADER] = cut.names
        return response
    return answer


def cut_board_answer(has):
    """page_unless_unchanged's answer for a board made of cut parts (a CutBoard: the board of a
    reader on some card, board_parts.py): the board with the cards in `has` left out."""
    def answer(board, token):
        body, names = board.without(has, token)
        response = make_response(body)
        response.headers[HEADER] = names
        return response
    return answer


class BoardCut:
    """A board's text (its token stood in for) cut at its cards: for each card, the text before
    it, its id, digest, text and placeholder; the text after the last; the header naming them;
    the digest of the whole text."""

    __slots__ = ("cards", "tail", "names", "digest")

    def __init__(self, text):
        self.digest = hashlib.blake2b(text, digest_size=16).digest()
        self.cards = []
        done = 0
        while True:
            start = text.find(CARD_START, done)
            if start < 0:
                break
            end = text.index(CARD_END, start) + len(CARD_END)
            card = text[start:end]
            card_id, digest = _named(card)
            self.cards.append((text[done:start], card_id, digest, card, PLACEHOLDER % card_id.encode()))
            done = end
        self.tail = text[done:]
        self.names = ",".join(f"{card_id}:{digest}" for _, card_id, digest, _, _ in self.cards)

    def without(self, has):
        """The text with the cards in `has` (as the page named them) as placeholders."""
        pieces = []
        for before, card_id, digest, card, placeholder in self.cards:
            pieces.append(before)
            pieces.append(placeholder if has.get(card_id) == digest else card)
        pieces.append(self.tail)
        return b"".join(pieces)


class CutBoard:
    """A board joined from parts each already cut at its cards (BoardCuts, their token stood in
    for): what a reader on some card is sent, made from the parts every reader shares (cut once per
    change) and the few of their own. Its digest is of its parts' digests, so neither the
    validator nor the answer joins, digests and cuts the whole board again for each reader."""

    __slots__ = ("parts", "digest")

    def __init__(self, parts):
        self.parts = parts
        self.digest = hashlib.blake2b(b"".join(part.digest for part in parts), digest_size=16).digest()

    def body(self, token):
        """The whole board, carrying `token`."""
        return self.without({}, token)[0]

    def without(self, has, token):
        """(the board carrying `token` with the cards in `has` left out, the header naming all its cards)."""
        body = b"".join(part.without(has) for part in self.parts)
        return body.replace(_TOKEN_STAND_IN, token.encode()), ",".join(part.names for part in self.parts if part.names)


def cut_part(text, token):
    """A part of a board (str) cut at its cards, with `token` (the CSRF token it carries) stood in for."""
    return BoardCut(text.replace(token, _TOKEN_STAND_IN.decode()).encode())


def _named(card):
    """(the card's id, its digest), worked out once per card text: the same cards are sent to
    every reader until they change."""
    named = _names.get(card)
    if named is None:
        if len(_names) >= NAMES_LIMIT:
            _names.clear()
        named = _names[card] = (_CARD_ID.match(card).group(1).decode(),
                                hashlib.blake2b(card, digest_size=8).hexdigest())
    return named


def answer_with_cards_the_page_has(response, has, answered=False):
    """The board answer `response` made to name its cards and leave out those in `has`; a 304 as
    it is (the page keeps what it shows). `answered`: it was made so already, from a board kept
    cut (shared_board_answer, cut_board_answer)."""
    response.vary.add(HEADER)
    if response.status_code != 200 or answered:
        return response
    body, names = without_cards_the_page_has(response.get_data(), has)
    response.set_data(body)
    response.headers[HEADER] = names
    return response
