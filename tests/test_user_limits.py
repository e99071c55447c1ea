"""What one user may pile up: open requests (RESERVIA_MAX_OPEN_REQUESTS) and live API tokens,
also when many arrive at once."""
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

from backend.database.tokens import MAX_LIVE_TOKENS
from config.defaults import DEFAULTS

# conftest's `clock` stops here.
START = datetime(2026, 12, 2, 9, 0, tzinfo=timezone.utc)
LIMIT = DEFAULTS["RESERVIA_MAX_OPEN_REQUESTS"]


def add_benches(admin, count, labels=("bench",)):
    answers = [admin.post("/admin/resource/add", json={"name": f"bench-{i}", "labels": list(labels)})
               for i in range(count)]
    assert all(a.status_code == 201 for a in answers)
    return [a.json["resource_id"] for a in answers]


def request(client, **body):
    return client.post("/reservation/request", json=body)


def at_once(calls):
    """Run the calls in threads released together; their answers, in order."""
    start = threading.Barrier(len(calls))

    def run(call):
        start.wait(timeout=30)
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_the_limit_is_twenty_open_requests_by_default():
    assert LIMIT == 20


def test_a_request_past_the_limit_is_refused_and_changes_nothing(accounts):
    admin = accounts.admin
    benches = add_benches(admin, 21)
    spare = accounts.add_resource("spare")
    alice, bob = accounts.user("alice"), accounts.user("bob")
    for held in (benches[0], benches[20]):
        assert request(bob, resource_id=held).json["status"] == "approved"
    # Waiting, holding, and one label request keeping two benches: each request counts once.
    assert request(alice, resource_id=benches[0]).json["status"] == "requested"
    for bench in benches[1:18]:
        assert request(alice, resource_id=bench).json["status"] == "approved"
    assert request(alice, labels=["bench"], count=3).json["status"] == "requested"
    assert request(alice, resource_id=benches[20]).json["status"] == "requested"
    before = alice.get("/reservation/active").json
    for body in ({"resource_id": spare}, {"labels": ["bench"]}):
        refused = request(alice, **body)
        assert (refused.status_code, refused.json["code"]) == (409, "TOO_MANY_REQUESTS"), refused.json
    assert alice.get("/reservation/active").json == before
    # Others are not held back by alice's requests.
    assert request(bob, resource_id=spare).status_code == 201
    assert alice.post("/reservation/cancel", json={"resource_id": benches[0]}).status_code == 200
    assert request(alice, resource_id=spare).json["status"] == "requested"


def test_administrators_have_the_same_limit(accounts):
    admin = accounts.admin
    benches = add_benches(admin, LIMIT + 1)
    for bench in benches[:LIMIT]:
        assert request(admin, resource_id=bench).status_code == 201
    assert request(admin, resource_id=benches[LIMIT]).json["code"] == "TOO_MANY_REQUESTS"


def test_requests_arriving_at_once_never_pass_the_limit(accounts, app):
    benches = add_benches(accounts.admin, LIMIT + 3)
    alice = accounts.user("alice")
    for bench in benches[:LIMIT - 3]:
        assert request(alice, resource_id=bench).status_code == 201
    secret = alice.post("/session/tokens", json={"name": "ci"}).json["token"]
    clients = [app.test_client() for _ in range(6)]
    answers = at_once([lambda c=c, b=b: c.post("/reservation/request", json={"resource_id": b},
                                               headers={"Authorization": f"Bearer {secret}"})
                       for c, b in zip(clients, benches[LIMIT - 3:], strict=True)])
    assert sorted(a.status_code for a in answers) == [201, 201, 201, 409, 409, 409]
    assert alice.get("/reservation/active").json["count"] == LIMIT


def make_tokens(client, count, **extra):
    for i in range(count):
        answer = client.post("/session/tokens", json={"name": f"ci-{i}", **extra})
        assert answer.status_code == 201, answer.json


def test_fifty_live_tokens_at_most_and_revoked_or_expired_ones_do_not_count(accounts, clock):
    alice = accounts.user("alice")
    make_tokens(alice, 1, expires_days=1)
    make_tokens(alice, MAX_LIVE_TOKENS - 1)
    refused = alice.post("/session/tokens", json={"name": "one-too-many"})
    assert (refused.status_code, refused.json["code"]) == (409, "TOO_MANY_TOKENS")
    assert alice.get("/session/tokens").json["count"] == MAX_LIVE_TOKENS
    newest = alice.get("/session/tokens").json["tokens"][0]["token_id"]
    alice.post("/session/tokens/revoke", json={"token_id": newest})
    make_tokens(alice, 1)
    clock.advance(days=1)
    make_tokens(alice, 1)
    assert alice.post("/session/tokens", json={"name": "x"}).json["code"] == "TOO_MANY_TOKENS"
    # The limit is each user's own.
    make_tokens(accounts.user("bob"), 1)


def test_tokens_made_at_once_never_pass_the_limit(accounts):
    alice = accounts.user("alice")
    make_tokens(alice, MAX_LIVE_TOKENS - 3)
    sessions = [accounts.login("alice") for _ in range(6)]
    answers = at_once([lambda c=c: c.post("/session/tokens", json={"name": "rush"}) for c in sessions])
    assert sorted(a.status_code for a in answers) == [201, 201, 201, 409, 409, 409]
    assert alice.get("/session/tokens").json["count"] == MAX_LIVE_TOKENS
