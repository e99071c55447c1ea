"""A change watcher the test drives (backend/database/change_watchers.py): it reports a change only
when told, and counts how often it was asked, so a test can let the signal's thread look many
times and see that nothing was read again meanwhile."""
import threading
from contextlib import contextmanager

from backend.database.changes import ChangeSignal

# Long enough to wait for a thread to get somewhere; what a test waits on is an event, not a time.
PATIENCE = 20


class DrivenWatcher:
    def __init__(self):
        self._looked = threading.Condition()
        self.looks = 0
        self._told = 0

    @contextmanager
    def open(self):
        yield self

    @staticmethod
    def pause(busy):
        return 0.001

    def changed(self):
        with self._looked:
            self.looks += 1
            moved, self._told = self._told > 0, 0
            self._looked.notify_all()
            return moved

    def tell(self):
        """The database changed (as far as the signal will know)."""
        with self._looked:
            self._told += 1

    def let_look(self, times=20):
        """Returns once the signal's thread has asked `times` more times."""
        with self._looked:
            until = self.looks + times
            assert self._looked.wait_for(lambda: self.looks >= until, PATIENCE)


def drive_changes(app):
    """Give the application a change signal this watcher drives; returns the watcher."""
    watcher = DrivenWatcher()
    app.extensions["reservia_database"].transactions.changes = ChangeSignal(watcher)
    return watcher


class Counted:
    """Counts calls of a function and lets a test wait for the n-th."""

    def __init__(self, function):
        self.function = function
        self.calls = 0
        self._called = threading.Condition()

    def __call__(self, *args, **kwargs):
        result = self.function(*args, **kwargs)
        with self._called:
            self.calls += 1
            self._called.notify_all()
        return result

    def wait_for(self, calls):
        with self._called:
            assert self._called.wait_for(lambda: self.calls >= calls, PATIENCE), (self.calls, calls)
