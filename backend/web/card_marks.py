"""The reader's own parts of a dashboard card, and the markers that stand in for them in the
shared part that every reader's card is assembled from.

A card differs between readers only in these places: the card's classes and `data-you` (their own
request on it), the restricted pill, the administrators' Manage link, "(you)" beside their own
name in the queue or on what is kept for them, and the card's foot (where they stand, their
buttons). The shared part is rendered with a marker in each place (SharedMarks); `pieces()` cuts
it there, and `assemble()` fills each place from one reader's ReaderMarks. Rendering the card
template with ReaderMarks instead gives that reader's card in one pass, as before the cards were
kept: both must give the same bytes.

A marker starts with "<", which the rendered data can never hold (it is escaped), so a name or
a comment cannot pass for one.
"""
import re
from dataclasses import dataclass

from markupsafe import Markup, escape

from backend.domain.resources import own_request

_MARKER = "<\x00{}\x00>"
_MARKERS = re.compile("<\x00([^\x00]*)\x00>")
_ADMIN_START, _ADMIN_END = "admin", "/admin"
_RESTRICTED_PILL = Markup(' <span class="pill pill-restricted">Restricted</span>')
_QUEUE_ME = Markup(' class="queue-me"')
_YOU = Markup(" (you)")
_NOTHING = Markup("")
_HOLDING = Markup("holding")
# Where the foot goes, when the text around it is worked out once.
_FOOT = "<\x00foot\x00>"


def _marker(name):
    return Markup(_MARKER.format(name))


class SharedMarks:
    """Markers in the places that are the reader's own (see the module docstring)."""

    card_classes = _marker("card_classes")
    data_you = _marker("data_you")
    restricted_pill = _marker("restricted_pill")
    foot = _marker("foot")

    @staticmethod
    def for_administrators(caller):
        return _marker(_ADMIN_START) + caller() + _marker(_ADMIN_END)

    @staticmethod
    def queue_me(user_id):
        return _marker(f"queue_me {user_id}")

    @staticmethod
    def you(user_id):
        return _marker(f"you {user_id}")


@dataclass(frozen=True)
class FootFacts:
    """Everything a card's foot is rendered from, besides the page's query: where the reader
    stands on the card and what they may ask for. Equal facts, equal foot."""

    resource_id: int
    name: str
    mine: bool  # the reader's own request by name on it, held or waiting
    position: int | None
    keep_alive: bool  # their hold has an end, so it can be kept alive
    taken: bool  # someone holds it or it is kept for a label request
    taken_by_me: bool
    taken_request: int | None  # the reader's label request it is held or kept for
    queue_length: int
    restricted: bool
    maintenance: bool
    maximum: int | None
    choices: tuple


class ReaderMarks:
    """One reader's own parts of one card (`foot`: its rendered foot, given)."""

    __slots__ = ("me", "admin", "card_classes", "data_you", "restricted_pill", "foot")

    def __init__(self, me, admin, mine, restricted, foot):
        self.me = me
        self.admin = admin
        self.card_classes = Markup((" card-mine" if mine else "") + (" card-restricted" if restricted else ""))
        self.data_you = _NOTHING if mine is None else _HOLDING if mine.position == 0 else escape(mine.position)
        self.restricted_pill = _RESTRICTED_PILL if restricted else _NOTHING
        self.foot = foot

    def for_administrators(self, caller):
        return caller() if self.admin else _NOTHING

    def queue_me(self, user_id):
        return _QUEUE_ME if user_id == self.me else _NOTHING

    def you(self, user_id):
        return _YOU if user_id == self.me else _NOTHING


def reader_relation(card, me, restricted, involved=True):
    """(the reader's own request by name on the card or None, the card's FootFacts less the hold
    lengths) for the reader `me`; `restricted`: whether the card's resource is barred to them;
    `involved`: whether they are on the card at all (holding, kept for, waiting)."""
    mine = own_request(card.holder, card.queue, me) if involved else None
    taken = card.holder or card.kept
    taken_by_me = involved and taken is not None and taken.user_id == me
    return mine, (card.id, card.name, mine is not None, mine.position if mine else None,
                  bool(mine and mine.valid_until), taken is not None, taken_by_me,
                  taken.parent_id if taken_by_me else None, len(card.queue), restricted, card.maintenance)


class SharedCard:
    """A kept shared part, cut for assembly, with who is on the card: for any other reader the
    card is the same text around the foot, worked out once per (administrator, restricted)."""

    __slots__ = ("cut", "users", "_around_foot")

    def __init__(self, shared, card):
        self.cut = pieces(shared)
        self.users = frozenset(entry.user_id for entry in (card.holder, card.kept, *card.queue) if entry is not None)
        self._around_foot = {}

    def for_reader(self, marks):
        return assemble(self.cut, marks)

    def around_foot(self, admin, restricted):
        """(the card before its foot, after it) for a reader who is not on the card."""
        key = (admin, restricted)
        found = self._around_foot.get(key)
        if found is None:
            text = assemble(self.cut, ReaderMarks(None, admin, None, restricted, _FOOT))
            found = self._around_foot[key] = tuple(text.split(_FOOT))
        return found


def pieces(shared):
    """The shared part cut at its markers: a tuple of text and of functions of a ReaderMarks."""
    parts = _MARKERS.split(shared)
    cut = [parts[0]]
    index = 1
    while index < len(parts):
        name, text = parts[index], parts[index + 1]
        index += 2
        if name == _ADMIN_START:
            # The Manage link: kept whole, shown only to administrators.
            link, after = text, parts[index + 1]
            index += 2
            cut.append(_for_administrators(link))
            cut.append(after)
            continue
        kind, _, user = name.partition(" ")
        cut.append(_slot(kind, int(user) if user else None))
        cut.append(text)
    return tuple(part for part in cut if part != "")


def assemble(cut, marks):
    """One reader's card from the shared part's pieces."""
    return "".join(part if part.__class__ is str else part(marks) for part in cut)


def _for_administrators(link):
    return lambda marks: link if marks.admin else ""


def _slot(kind, user_id):
    if user_id is None:
        return lambda marks: getattr(marks, kind)
    if kind == "queue_me":
        return lambda marks: _QUEUE_ME if user_id == marks.me else ""
    return lambda marks: _YOU if user_id == marks.me else ""
