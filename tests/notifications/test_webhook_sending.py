"""What the sender connects to, and what owners are told: the address checked is the address
connected to (resolved once, Host and TLS name kept), a blocked address fails before any
connection, redirects are not followed, and failures are shown as categories, never as the
network's own words."""
import pytest

from deploy.ports import free_loopback_port
from tests.notifications.conftest import add_webhook
from tests.pages import HTML, text

pytestmark = pytest.mark.once


def deliveries(client, webhook_id):
    return client.get(f"/session/webhooks/deliveries?webhook_id={webhook_id}").json["deliveries"]


def _port(receiver):
    return receiver.server.server_port


@pytest.mark.parametrize("app_settings", [{"RESERVIA_WEBHOOK_HOSTS": ""}])
def test_a_name_that_resolves_inside_the_site_when_sending_is_blocked(clock, accounts, receiver, worker, resolver):
    # Public when the webhook is added, the loopback address when the worker sends.
    resolver.names["rebind.example.net"] = [["93.184.215.14"], ["127.0.0.1"]]
    bench, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    webhook_id = add_webhook(bob, f"http://rebind.example.net:{_port(receiver)}/hook")
    alice.post("/reservation/release", json={"resource_id": bench})
    worker.run_once()
    assert receiver.received == []
    [blocked] = deliveries(bob, webhook_id)
    assert (blocked["status"], blocked["error"], blocked["status_code"]) == ("failed", "blocked", None)


def test_the_sender_connects_to_the_address_it_checked_and_names_the_host(clock, accounts, receiver, worker,
                                                                          resolver):
    # Any later look-up would answer an address nothing may reach: there is only one per attempt.
    resolver.names["hooks.example.net"] = [["127.0.0.1"], ["127.0.0.1"], ["10.9.9.9"]]
    bench, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    webhook_id = add_webhook(bob, f"http://hooks.example.net:{_port(receiver)}/hook?team=ci")
    alice.post("/reservation/release", json={"resource_id": bench})
    worker.run_once()
    [received] = receiver.received
    assert received.path == "/hook?team=ci"
    assert received.headers["Host"] == f"hooks.example.net:{_port(receiver)}"
    assert resolver.looked_up.count("hooks.example.net") == 2  # when added, when sent
    assert deliveries(bob, webhook_id)[0]["status"] == "delivered"


def test_a_redirect_is_reported_not_followed(clock, accounts, receiver, worker):
    receiver.answers = [307, 200]
    bench, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    webhook_id = add_webhook(bob, receiver.url)
    alice.post("/reservation/release", json={"resource_id": bench})
    worker.run_once()
    assert len(receiver.received) == 1
    [redirected] = deliveries(bob, webhook_id)
    assert (redirected["status"], redirected["status_code"], redirected["error"]) == ("pending", 307, "http 307")


def test_owners_see_what_went_wrong_as_a_category_only(app, clock, accounts, receiver, worker):
    receiver.answers = [503]
    closed = free_loopback_port()
    bench, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    hooks = {"http 503": add_webhook(bob, receiver.url),
             "refused": add_webhook(bob, f"http://127.0.0.1:{closed}/hook"),
             "tls": add_webhook(bob, f"https://127.0.0.1:{_port(receiver)}/tls"),
             "dns": add_webhook(bob, "https://no-such-host.example.org/hook")}
    alice.post("/reservation/release", json={"resource_id": bench})
    worker.run_once()
    shown = {category: deliveries(bob, hook)[0]["error"] for category, hook in hooks.items()}
    assert shown == {category: category for category in hooks}
    page = text(bob.get("/session/notifications", headers=HTML))
    listed = bob.get(f"/session/webhooks/deliveries?webhook_id={hooks['refused']}").get_data(as_text=True)
    for raw in ("Errno", "Connection refused", "SSL", "Name or service", "Service Unavailable"):
        assert raw not in page and raw not in listed
    for category in hooks:
        assert f'<span class="muted">{category}</span>' in page
