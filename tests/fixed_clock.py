"""A clock tests set and move by hand, so histories happen at chosen times without sleeping."""
from datetime import datetime, timedelta, timezone

# Where conftest's `clock` stops when the test module names no START of its own.
START = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


class FixedClock:
    """Stands in for Database.clock: returns `now` until moved."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += timedelta(**delta)

    def set(self, moment):
        self.now = moment

    def drive(self, app):
        """Make `app` (another process of the same installation, say) keep this clock's time too."""
        app.extensions["reservia_database"].transactions.clock = self
        return self


def install_clock(app, start):
    """Replace the application's Database clock with a FixedClock starting at `start`."""
    return FixedClock(start).drive(app)
