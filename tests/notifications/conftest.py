"""Fixtures of the notification tests: a webhook receiver and the worker (the clock and the queue
behind a holder come from tests/conftest.py)."""
import pytest

from backend.notifications.worker import DeliveryWorker
from tests.fixed_clock import START
from tests.notifications.receivers import WebhookReceiver

__all__ = ["START"]  # conftest's `clock` stops there; tests compare their events' times with it
SECRET = "a-webhook-secret-of-some-length"


@pytest.fixture
def app_settings():
    return {"RESERVIA_PUBLIC_URL": "https://reservia.example.org/reservia"}


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
