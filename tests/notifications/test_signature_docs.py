"""docs/notifications.md shows how to verify a signature in Python and with openssl: both snippets
are run here on a real delivery, so they stay true."""
import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.notifications.conftest import SECRET, add_webhook

pytestmark = pytest.mark.once

DOC = Path(__file__).resolve().parents[2] / "docs" / "notifications.md"


def snippet(marker):
    found = re.search(rf"<!-- {marker} -->\n```\w+\n(.*?)```", DOC.read_text(), re.S)
    assert found, f"no {marker} block in {DOC.name}"
    return found.group(1)


def test_the_documented_checks_accept_a_real_delivery_and_refuse_a_changed_one(clock, accounts, receiver,
                                                                               worker, tmp_path):
    bench, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    add_webhook(bob, receiver.url)
    alice.post("/reservation/release", json={"resource_id": bench})
    worker.run_once()
    [delivery] = receiver.received
    header = delivery.headers["X-Reservia-Signature"]

    namespace = {}
    exec(snippet("verify-python"), namespace)  # noqa: S102 - our own documentation
    check = namespace["is_from_reservia"]
    assert check(SECRET, delivery.body, header)
    assert not check(SECRET, delivery.body.replace(b"bob", b"eve"), header)
    assert not check("not-the-secret-at-all", delivery.body, header)

    def shell(body, secret):
        (tmp_path / "body.json").write_bytes(body)
        return subprocess.run(["sh", "-c", snippet("verify-shell")], cwd=tmp_path, capture_output=True,
                              text=True, env={**os.environ, "SECRET": secret, "SIGNATURE": header},
                              check=True).stdout.strip()

    assert shell(delivery.body, SECRET) == "signature valid"
    assert shell(delivery.body.replace(b"bob", b"eve"), SECRET) == "signature WRONG"
