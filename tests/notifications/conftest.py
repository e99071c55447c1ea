"""Fixtures of the notification tests: a clock the test moves, a webhook receiver, the worker."""
from datetime import datetime, timezone

import pytest

from backend.notifications.worker import DeliveryWorker
from tests.fixed_clock import install_clock
from tests.notifications.receivers import WebhookReceiver

START = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
SECRET = "a-webhook-secret-of-some-length"


@pytest.fixture
def app_settings():
    return {"RESERVIA_PUBLIC_URL": "https://reservia.example.org/reservia"}


@pytest.fixture
def clock(app):
    return install_clock(app, START)


@pytest.fixture
def receiver():
    server = WebhookReceiver().start()
    yield server
    server.stop()


@pytest.fixture
def worker(app, clock):
    return DeliveryWorker(app)


def add_webhook(client, url, events=("granted", "expiring"), **extra):
    response = client.post("/session/webhooks", json={"url": url, "events": list(events), "secret": SECRET,
                                                      **extra})
    assert response.status_code == 201, response.json
    return response.json["webhook_id"]


def deliver(worker, clock, passes=1, step=None):
    """Run worker passes, moving the clock by `step` (a dict for timedelta) after each."""
    for _ in range(passes):
        worker.run_once()
        if step:
            clock.advance(**step)


def queue_behind(accounts, holder_name="alice", waiter_name="bob", resource="bench-1"):
    """alice holds bench-1, bob waits for it; returns (resource id, alice, bob)."""
    bench = accounts.add_resource(resource)
    holder, waiter = accounts.user(holder_name), accounts.user(waiter_name)
    assert holder.post("/reservation/request", json={"resource_id": bench}).json["status"] == "approved"
    assert waiter.post("/reservation/request", json={"resource_id": bench}).json["status"] == "requested"
    return bench, holder, waiter
