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
    changes = worker.changes
    with changes.listening():
        # The signal watches before the worker starts: the generation it moves on starting up
        # (for a commit made while nothing watched) is behind us, so only a change starts a pass.
        watcher.let_look(5)
        thread.start()
        try:
            passes.wait_for(1)
            watcher.let_look(50)
            assert passes.calls == 1

            alice.post("/reservation/release", json={"resource_id": bench})  # bob's turn: a webhook is due
            watcher.let_look(50)
            assert (passes.calls, receiver.received) == (1, [])  # not told yet: no pass
            watcher.tell()
            passes.wait_for(2)
        finally:
            worker.stop()
            thread.join(PATIENCE)
    assert not thread.is_alive()  # stop() woke it
    assert [r.headers["X-Reservia-Event"] for r in receiver.received] == ["granted"]
