"""What the dashboard shows: a search over names, comments and labels, chosen labels, a page of
cards. The filters are read from the query string (backend/forms/dashboard.py), so that a filtered
dashboard is an address people can bookmark and the board's refresh asks for the same cards; the
Boards part builds the page from them (Boards.dashboard)."""
from dataclasses import dataclass

# Cards on one page of the dashboard; the user's own holds and requests are always shown above.
PAGE_SIZE = 48
# The longest search, in characters.
MAX_SEARCH = 100


@dataclass(frozen=True)
class DashboardFilters:
    text: str = ""
    labels: tuple = ()
    page: int = 1

    def matches(self, board):
        """Whether a board shows: it carries every chosen label, and the search is in its name,
        comment or one of its labels (case does not matter)."""
        resource = board.resource
        if not set(self.labels) <= set(resource.labels):
            return False
        if not self.text:
            return True
        needle = self.text.casefold()
        return any(needle in part.casefold() for part in (resource.name, resource.comment, *resource.labels))

    def query(self, **changes):
        """The filters as query arguments for url_for, with some changed (page=2, labels=...)."""
        values = {"q": self.text or None, "label": list(self.labels) or None,
                  "page": self.page if self.page != 1 else None}
        for name, value in changes.items():
            values["q" if name == "text" else "label" if name == "labels" else name] = value
        return {k: v for k, v in values.items() if v not in (None, [], (), 1, "")}

    def toggled(self, label):
        """The labels chosen with `label` added, or taken away when it was chosen."""
        return tuple(sorted(set(self.labels) ^ {label}))


# An unfiltered dashboard; its refresh, the most frequent request of all, need not parse a query.
NO_FILTERS = DashboardFilters()


def page_count(total):
    """How many pages `total` cards fill (one, empty, when there are none)."""
    return max(1, -(-total // PAGE_SIZE))
