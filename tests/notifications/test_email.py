"""E-mail notifications, received by a real SMTP server (aiosmtpd) started by the test."""
import email
from email import policy

import pytest

from tests.notifications.conftest import deliver
from tests.notifications.receivers import SmtpServer

pytestmark = pytest.mark.once


@pytest.fixture(scope="module")
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def app_settings(smtp):
    smtp.messages.clear()
    return {"RESERVIA_PUBLIC_URL": "https://reservia.example.org/reservia", "RESERVIA_SMTP_HOST": "127.0.0.1",
            "RESERVIA_SMTP_PORT": smtp.port, "RESERVIA_SMTP_SECURITY": "none",
            "RESERVIA_SMTP_FROM": "Reservia <reservia@example.org>"}


def parsed(envelope):
    return email.message_from_bytes(envelope.content, policy=policy.default)


def test_your_turn_arrives_by_email(clock, accounts, smtp, worker):
    bench, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    alice.post("/reservation/release", json={"resource_id": bench})
    deliver(worker, clock)
    [envelope] = smtp.messages
    assert envelope.rcpt_tos == ["bob@example.org"]
    assert envelope.mail_from == "reservia@example.org"
    message = parsed(envelope)
    assert message["To"] == "bob@example.org"
    assert message["Subject"] == "Reservia: Your turn: bench-1 is yours"
    assert message.get_content_type() == "text/plain"
    body = message.get_content()
    assert "Your request 2 was approved: you now hold bench-1." in body
    assert "Dashboard: https://reservia.example.org/reservia/" in body
    assert "https://reservia.example.org/reservia/session/notifications" in body


def test_email_follows_the_preferences(clock, accounts, smtp, worker, admin_client):
    bench, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    assert bob.post("/session/notifications", json={"granted_email": False}).status_code == 200
    assert alice.post("/session/notifications", json={"ended_email": True}).status_code == 200
    admin_client.post("/admin/reservation/force_release", json={"resource_id": bench, "reason": "audit"})
    deliver(worker, clock)
    [envelope] = smtp.messages
    assert envelope.rcpt_tos == ["alice@example.org"]
    assert "ended: audit." in parsed(envelope).get_content()


def test_an_unreachable_mail_server_is_retried(app, clock, accounts, smtp, worker):
    bench, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    alice.post("/reservation/release", json={"resource_id": bench})
    smtp.stop()
    try:
        worker.run_once()
    finally:
        smtp.start()
    assert smtp.messages == []
    clock.advance(seconds=30)
    worker.run_once()
    [envelope] = smtp.messages
    assert envelope.rcpt_tos == ["bob@example.org"]
