"""A refreshed board without the cards the page already shows.

An open dashboard fetches its board every few seconds, and while the board changes about once a
second nearly every refresh is a new board; but a change touches a card or two of fifty. Sending
the whole board each time (150 KB for fifty cards) cost more on its way back than in Reservia: under
Apache a refresh's time followed its answer's size (docs/performance.md, "An opening that
queues"). So the page's script says which cards it shows, and the board comes back with each
card it already has replaced by a placeholder it fills in from the board it holds.

The page asks with `Reservia-Cards: resource-1:DIGEST,resource-2:DIGEST,...` (empty the first
time); every board answer to such a request names its own cards the same way, in that header.
A card's digest is of its text less the request's CSRF token: the token is signed afresh for each
answer, and any of them is good for the whole session (WTF_CSRF_TIME_LIMIT is None). Digests are
kept by card text, so the readers after the first find them rather than work them out. A kept card
is `<template data-same="resource-N"></template>` in place of its `<article>`...`</article>`, so
the page's copy of it put there makes the board exactly as sent whole but for the tokens.
"""
import hashlib
import re

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
# More than any board page shows: what is beyond it is ignored, not read.
MOST_ENTRIES = 2000


def asked(headers):
    """The cards the page says it shows, {card id: digest}; None when it did not ask."""
    value = headers.get(HEADER)
    if value is None:
        return None
    has = {}
    for entry in value.split(",", MOST_ENTRIES)[:MOST_ENTRIES]:
        found = _ENTRY.fullmatch(entry.strip())
        if found:
            has[found.group(1)] = found.group(2)
    return has


def without_cards_the_page_has(body, has):
    """(the board `body` (bytes) with the cards in `has` left out, the header naming all its cards)."""
    token = generate_csrf().encode()
    text = body.replace(token, _TOKEN_STAND_IN)
    pieces, names = [], []
    done = 0
    while True:
        start = text.find(CARD_START, done)
        if start < 0:
            break
        end = text.index(CARD_END, start) + len(CARD_END)
        card = text[start:end]
        card_id, digest = _named(card)
        names.append(f"{card_id}:{digest}")
        pieces.append(text[done:start])
        pieces.append(PLACEHOLDER % card_id.encode() if has.get(card_id) == digest else card)
        done = end
    pieces.append(text[done:])
    return b"".join(pieces).replace(_TOKEN_STAND_IN, token), ",".join(names)


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


def answer_with_cards_the_page_has(response, has):
    """The board answer `response` made to name its cards and leave out those in `has`; a 304 as
    it is (the page keeps what it shows)."""
    response.vary.add(HEADER)
    if response.status_code != 200:
        return response
    body, names = without_cards_the_page_has(response.get_data(), has)
    response.set_data(body)
    response.headers[HEADER] = names
    return response
