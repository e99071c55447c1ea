"""The validator of the signed-in user's notices: the notices feed answers `304 Not Modified`
while it has not moved, and the dashboard's board carries it too, so that an open page asks for
the notices themselves only when one arrived.

The pages' script asks the feed for the events recorded since its previous look, less
FEED_OVERLAP: an event recorded just before that look but committed just after is still found.
The validator is a digest of the events recorded within `version_window()` that the user's
browser could be shown (Notifications.feed_version). Answering 304 is right when every event
that became visible since the previous look is inside that window. Such an event was recorded at
most FEED_OVERLAP before it became visible (the overlap's own assumption), and the script sends
the validator back only while its previous look is at most `validator_gap()` old (a tab that slept
or was throttled asks for the whole answer instead); the window allows one more gap for the
request to be answered.
"""
from datetime import timedelta

from flask import current_app
from flask_login import current_user

from backend.database import get_database

FEED_OVERLAP = timedelta(seconds=30)
# The gap the script allows between its looks, whatever the refresh interval.
SHORTEST_GAP = timedelta(seconds=15)


def validator_gap():
    """How old the script's previous look may be for it to send the validator back: three refresh
    intervals (a late timer is no reason for a whole answer), at least SHORTEST_GAP."""
    return max(SHORTEST_GAP, 3 * timedelta(seconds=current_app.config["RESERVIA_REFRESH_SECONDS"]))


def version_window():
    """How far back the validator looks: see the module docstring."""
    return FEED_OVERLAP + 2 * validator_gap()


def notices_version():
    """The signed-in user's notices validator."""
    return get_database().notifications.feed_version(current_user, version_window())
