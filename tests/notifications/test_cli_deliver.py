"""`flask --app app deliver`: the worker from the command line."""
import pytest

from tests.notifications.conftest import add_webhook


def test_deliver_once_sends_what_is_pending(app, clock, accounts, receiver):
    bench, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    add_webhook(bob, receiver.url)
    alice.post("/reservation/release", json={"resource_id": bench})
    result = app.test_cli_runner().invoke(args=["deliver", "--once"])
    assert result.exit_code == 0, result.output
    assert "Delivery pass done: 1 delivery attempted." in result.output
    [granted] = receiver.received
    assert granted.json["event"] == "granted"
    again = app.test_cli_runner().invoke(args=["deliver", "--once"])
    assert "0 deliveries attempted" in again.output and len(receiver.received) == 1


@pytest.mark.parametrize("app_settings", [{"RESERVIA_SMTP_HOST": "127.0.0.1", "RESERVIA_SMTP_SECURITY": "ssl"}])
def test_deliver_refuses_a_setting_it_cannot_understand(app):
    result = app.test_cli_runner().invoke(args=["deliver", "--once"])
    assert result.exit_code == 1
    assert "RESERVIA_SMTP_SECURITY must be one of starttls, tls, none, not 'ssl'" in result.output
