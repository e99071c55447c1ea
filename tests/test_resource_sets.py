"""Several resources by id in one request (`resource_ids`), all or nothing, as CI jobs need a
bench and its power switch together."""
from datetime import datetime, timezone

import pytest

START = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def benches(accounts):
    return [accounts.add_resource(name) for name in ("bench-a", "bench-b", "bench-c")]


def test_named_resources_are_held_together_when_all_are_free(accounts, benches):
    ci = accounts.user("ci")
    answer = ci.post("/reservation/request", json={"resource_ids": [benches[1], benches[0]]})
    assert answer.status_code == 201, answer.json
    assert (answer.json["status"], answer.json["resource_ids"]) == ("approved", benches[:2])
    assert answer.json["message"] == (
        f"Request approved: you hold resources {benches[0]}, {benches[1]}: bench-a, bench-b.")
    held = {r["resource_name"]: r["status"] for r in ci.get("/reservation/active").json["reservations"]}
    assert held["bench-a"] == held["bench-b"] == "approved" and "bench-c" not in held


def test_named_resources_wait_until_all_are_free_and_block_nobody_else(accounts, benches, clock):
    bob, ci, eve = accounts.user("bob"), accounts.user("ci"), accounts.user("eve")
    bob.post("/reservation/request", json={"resource_id": benches[1]})
    waiting = ci.post("/reservation/request", json={"resource_ids": benches[:2]}).json
    assert waiting["status"] == "requested"
    assert eve.post("/reservation/request", json={"resource_id": benches[2]}).json["status"] == "approved"
    bob.post("/reservation/release", json={"resource_id": benches[1]})
    status = ci.get(f"/reservation/wait?request_id={waiting['request_id']}").json
    assert (status["status"], status["resource_ids"]) == ("approved", benches[:2])
    ci.post("/reservation/release", json={"request_id": waiting["request_id"]})
    assert ci.get("/reservation/active").json["count"] == 1  # eve's


@pytest.mark.parametrize("body, code", [
    ({"resource_ids": []}, "INVALID_INPUT"),
    ({"resource_ids": ["1"]}, "INVALID_TYPE"),
    ({"resource_ids": [True]}, "INVALID_TYPE"),
    ({"resource_ids": 3}, "INVALID_TYPE"),
    ({"resource_ids": [0]}, "INVALID_INPUT"),
    ({"resource_ids": [1], "labels": ["scope"]}, "INVALID_INPUT"),
    ({"resource_ids": [1], "count": 1}, "INVALID_INPUT"),
])
def test_bad_resource_ids_are_refused(accounts, benches, body, code):
    answer = accounts.user("ci").post("/reservation/request", json=body)
    assert (answer.status_code, answer.json["code"]) == (400, code), answer.json
    assert accounts.admin.get("/reservation/active").json["count"] == 0


def test_an_unknown_resource_id_is_named(accounts, benches):
    answer = accounts.user("ci").post("/reservation/request", json={"resource_ids": [benches[0], 999]})
    assert (answer.status_code, answer.json["code"], answer.json["error"]) == (
        404, "RESOURCE_NOT_FOUND", "No active resource 999.")
