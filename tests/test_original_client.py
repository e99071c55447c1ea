"""A script written for the original Reservia runs unchanged: login, request, poll, keep alive, release."""
from datetime import datetime

import pytest
import requests

from tests.live_server import running_reservia

# The server of the script keeps its data in a SQLite file of its own.
pytestmark = pytest.mark.own_sqlite


class OriginalReserviaClient:
    """Uses only the original Reservia's endpoints and field names, as existing scripts do."""

    def __init__(self, base):
        self.base = base
        self.http = requests.Session()

    def _post(self, path, **body):
        response = self.http.post(self.base + path, json=body, timeout=10)
        response.raise_for_status()
        return response.json()

    def login(self, name, password):
        return self._post("/session/login", name=name, password=password)["user_id"]

    def request(self, resource_id):
        answer = self._post("/reservation/request", resource_id=resource_id)
        return answer["reservation_id"], answer["status"]

    def my_reservation(self, resource_id):
        response = self.http.get(f"{self.base}/reservation/active/user",
                                 params={"resource_id": resource_id}, timeout=10)
        response.raise_for_status()
        return response.json()["reservation"]

    def everyone(self):
        return self.http.get(f"{self.base}/reservation/active/all_users", timeout=10).json()["reservations"]

    def keep_alive(self, resource_id):
        return self._post("/reservation/keep_alive", resource_id=resource_id)["valid_until_date"]

    def release(self, resource_id):
        return self._post("/reservation/release", resource_id=resource_id)["next_reservation_id"]

    def logout(self):
        return self._post("/session/logout")["message"]


def test_original_client_workflow(tmp_path):
    home = tmp_path / "home"
    with running_reservia(home) as base:
        admin = OriginalReserviaClient(base)
        admin.login("admin", (home / "initial-admin-password").read_text().strip())
        bench = admin._post("/admin/resource/add", name="bench", comment="")["resource_id"]
        admin._post("/admin/resource/modify", resource_id=bench, comment="HIL bench in lab 2")
        for name in ("ci-runner", "nightly"):
            user_id = admin._post("/admin/user/add", name=name, email=f"{name}@example.org",
                                  password="initial-pass")["user_id"]
            admin._post("/admin/user/modify", user_id=user_id, password=f"{name[::-1]}-password")

        runner, nightly = OriginalReserviaClient(base), OriginalReserviaClient(base)
        runner.login("ci-runner", "rennur-ic-password")
        nightly.login("nightly", "ylthgin-password")
        assert runner.request(bench)[1] == "approved"
        queued_id, status = nightly.request(bench)
        assert status == "requested"

        assert nightly.my_reservation(bench)["status"] == "requested"
        held = runner.my_reservation(bench)
        extended = runner.keep_alive(bench)
        assert datetime.fromisoformat(extended) >= datetime.fromisoformat(held["valid_until_date"])
        assert [r["user_name"] for r in admin.everyone()] == ["ci-runner", "nightly"]

        assert runner.release(bench) == queued_id
        assert runner.my_reservation(bench) is None
        mine = nightly.my_reservation(bench)
        assert (mine["id"], mine["status"]) == (queued_id, "approved")
        nightly.release(bench)
        assert nightly.logout() == "Logout successful"
