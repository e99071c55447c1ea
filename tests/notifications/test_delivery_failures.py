"""A receiver that hangs, resets or fails, or a URL stored before URLs were checked, fails only its
own delivery: everyone else's still arrive, once each, and no try is ever sent twice."""
from datetime import timedelta

import pytest

from backend.database import get_database
from backend.database.deliveries import Deliveries
from backend.extensions import db
from backend.models import Webhook
from backend.notifications import worker as worker_module
from backend.notifications.retries import retry_at
from backend.notifications.worker import BATCH
from tests.notifications.conftest import SECRET, add_webhook, deliver
from tests.notifications.receivers import ResettingReceiver, WebhookReceiver


@pytest.fixture
def app_settings():
    return {"RESERVIA_WEBHOOK_TIMEOUT": 0.5}


@pytest.fixture
def receivers():
    started = []

    def start(receiver):
        started.append(receiver.start())
        return receiver

    yield start
    for receiver in started:
        receiver.stop()


def _waiting_for_one_bench_each(accounts, names):
    """alice holds one bench per name; each named user waits for theirs. Returns alice, the users'
    clients and a function that has alice release every bench."""
    alice = accounts.user("alice")
    clients, benches = {}, []
    for name in names:
        benches.append(accounts.add_resource(f"bench-{name}"))
        alice.post("/reservation/request", json={"resource_id": benches[-1]})
        clients[name] = accounts.user(name)
        waiting = clients[name].post("/reservation/request", json={"resource_id": benches[-1]})
        assert waiting.json["status"] == "requested"

    def release_all():
        for bench in benches:
            alice.post("/reservation/release", json={"resource_id": bench})

    return clients, release_all


def _store_unchecked_webhook(app, client, url):
    """A webhook row as it was stored before URLs were checked."""
    user_id = client.get("/session/status").json["user_id"]
    with app.app_context():
        hook = Webhook(user_id=user_id, url=url, events="granted", secret=SECRET, format="json",
                       created_at=get_database().now())
        db.session.add(hook)
        db.session.commit()
        return hook.id


def _deliveries(client, webhook_id):
    return client.get(f"/session/webhooks/deliveries?webhook_id={webhook_id}").json["deliveries"]


def test_bad_receivers_hold_up_no_one_else(app, clock, accounts, worker, receivers):
    good = receivers(WebhookReceiver())
    hanging = receivers(WebhookReceiver(delay=3))
    failing = receivers(WebhookReceiver(answers=[500]))
    resetting = receivers(ResettingReceiver())
    users, release_all = _waiting_for_one_bench_each(
        accounts, ["hang", "reset", "fail", "invalid", "bracket", "good-1", "good-2"])
    hooks = {"hang": add_webhook(users["hang"], hanging.url, events=("granted",)),
             "reset": add_webhook(users["reset"], resetting.url, events=("granted",)),
             "fail": add_webhook(users["fail"], failing.url, events=("granted",)),
             "invalid": _store_unchecked_webhook(app, users["invalid"], "http://127.0.0.1:99999/hook"),
             "bracket": _store_unchecked_webhook(app, users["bracket"], "http://[::1/hook"),
             "good-1": add_webhook(users["good-1"], good.url_of("/one"), events=("granted",)),
             "good-2": add_webhook(users["good-2"], good.url_of("/two"), events=("granted",))}
    release_all()

    # Passes well past the first retries and past the time a claim was once held for.
    deliver(worker, clock, passes=4, step={"minutes": 2})

    assert sorted(r.path for r in good.received) == ["/one", "/two"]
    assert set(good.by_delivery().values()) == {1}
    outcomes = {name: _deliveries(users[name], hooks[name])[0] for name in hooks}
    assert {name: (o["status"], o["error"]) for name, o in outcomes.items()} == {
        "hang": ("pending", "timeout"), "reset": ("pending", "reset"), "fail": ("pending", "http 500"),
        "invalid": ("failed", "invalid url"), "bracket": ("failed", "invalid url"),
        "good-1": ("delivered", None), "good-2": ("delivered", None)}
    assert outcomes["fail"]["status_code"] == 500
    # Each bad receiver was tried once per pass, each attempt recorded.
    assert len(failing.received) == outcomes["fail"]["attempts"] == 4
    assert resetting.connections == outcomes["reset"]["attempts"] == 4


def test_an_exception_in_the_sender_is_that_deliverys_failure(app, clock, accounts, worker, receiver, monkeypatch):
    users, release_all = _waiting_for_one_bench_each(accounts, ["bob", "carol"])
    bob_hook = add_webhook(users["bob"], receiver.url_of("/bob"), events=("granted",))
    add_webhook(users["carol"], receiver.url_of("/carol"), events=("granted",))
    real_send = worker_module.send_webhook

    def send(claim, timeout, policy):
        if claim.url.endswith("/bob"):
            raise OverflowError("getsockaddrarg: port must be 0-65535.")
        return real_send(claim, timeout, policy)

    monkeypatch.setattr(worker_module, "send_webhook", send)
    release_all()
    deliver(worker, clock, passes=3, step={"minutes": 2})
    assert [r.path for r in receiver.received] == ["/carol"]
    [failed] = _deliveries(users["bob"], bob_hook)
    assert (failed["status"], failed["error"], failed["attempts"]) == ("pending", "error", 3)
    assert failed["next_attempt_date"] is not None


def test_a_pass_that_dies_after_sending_never_sends_one_try_twice(app, clock, accounts, worker, receiver,
                                                                   monkeypatch):
    users, release_all = _waiting_for_one_bench_each(accounts, ["bob"])
    add_webhook(users["bob"], receiver.url, events=("granted",))
    release_all()

    def lost(self, outcomes):
        raise RuntimeError("the database went away before the outcome was stored")

    monkeypatch.setattr(Deliveries, "record", lost)
    for _ in range(20):
        try:
            worker.run_once()
        except RuntimeError:
            pass
        clock.advance(seconds=30)
    # Ten minutes of passes, each dying after its send: the tries follow the retry schedule
    # (20 s, 40 s, 80 s … each at least a minute apart while a send may still run), not every pass.
    attempts = [int(r.headers["X-Reservia-Attempt"]) for r in receiver.received]
    assert attempts == [1, 2, 3, 4, 5]


def test_the_last_try_is_made_once_even_if_its_worker_dies(app, clock, accounts, worker, receiver):
    users, release_all = _waiting_for_one_bench_each(accounts, ["bob"])
    receiver.answers = [500, 200]
    hook = add_webhook(users["bob"], receiver.url, events=("granted",))
    release_all()
    worker.run_once()
    clock.advance(hours=25)
    with app.app_context():
        [claim] = get_database().deliveries.claim_due(BATCH, timedelta(minutes=1), retry_at)
    # The worker holding it stops here, before sending or telling anything.
    [lost] = _deliveries(users["bob"], hook)
    assert (lost["status"], lost["error"], lost["attempts"]) == ("failed", "interrupted", claim.attempt)
    deliver(worker, clock, passes=3, step={"minutes": 5})
    assert len(receiver.received) == 1

