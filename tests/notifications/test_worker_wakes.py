"""The delivery worker starts a pass when the database changed, not an interval later
(backend/notifications/worker.py, backend/database/changes.py)."""
import threading

from tests.notifications.conftest import add_webhook
from tests.signal_drivers import PATIENCE, Counted, drive_changes

# Far longer than any test: a delivery can only come from being told of the change.
INTERVAL = 3600


def test_the_worker_attempts_a_delivery_as_soon_as_told_of_a_commit(app, accounts, receiver, worker,
                                                                      monkeypatch):
    watcher = drive_changes(app)
    bench, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    add_webhook(bob, receiver.url)
    passes = Counted(worker.run_once)
    monkeypatch.setattr(worker, "run_once", passes)
    thread = threading.Thread(target=worker.run_forever, args=(INTERVAL,), daemon=True)
    thread.start()
    try:
        # The first pass, and one when the signal starts watching (a commit just before may be unseen).
        passes.wait_for(2)
        watcher.let_look(50)
        assert passes.calls == 2

        alice.post("/reservation/release", json={"resource_id": bench})  # bob's turn: a webhook is due
        watcher.let_look(50)
        assert (passes.calls, receiver.received) == (2, [])  # not told yet: no pass
        watcher.tell()
        passes.wait_for(3)
    finally:
        worker.stop()
        thread.join(PATIENCE)
    assert not thread.is_alive()  # stop() woke it
    assert [r.headers["X-Reservia-Event"] for r in receiver.received] == ["granted"]
