"""A clock tests set and move by hand, so histories happen at chosen times without sleeping."""
from datetime import timedelta


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


def install_clock(app, start):
    """Replace the application's Database clock with a FixedClock starting at `start`."""
    clock = FixedClock(start)
    app.extensions["reservia_database"].transactions.clock = clock
    return clock
