"""Personal API tokens: made once and shown once, they sign scripts in as their user, for JSON only."""
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.conftest import USER_PASSWORD
from tests.pages import HTML, csrf_token, refused_page, text

# conftest's `clock` stops here.
START = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


def make_token(client, name="ci-bench", **extra):
    answer = client.post("/session/tokens", json={"name": name, **extra})
    assert answer.status_code == 201, answer.json
    return answer.json


def test_a_token_is_shown_once_and_listed_without_its_secret(accounts, clock):
    alice = accounts.user("alice")
    made = make_token(alice, expires_days=30)
    assert made["token"].startswith("rsv_") and len(made["token"]) > 40
    assert datetime.fromisoformat(made["expires_date"]) == START + timedelta(days=30)
    listed = alice.get("/session/tokens").json
    [token] = listed["tokens"]
    assert token == {"token_id": made["token_id"], "name": "ci-bench", "user_id": token["user_id"],
                     "user_name": "alice", "scope": "full", "created_date": START.isoformat(), "last_used_date": None,
                     "expires_date": (START + timedelta(days=30)).isoformat(), "expired": False}
    assert made["token"] not in alice.get("/session/tokens").get_data(as_text=True)


def test_a_bearer_request_acts_as_the_user_and_gets_no_cookie(accounts, client, clock):
    bench = accounts.add_resource("bench-1")
    secret = make_token(accounts.user("alice"))["token"]
    status = client.get("/session/status", headers=bearer(secret))
    assert (status.json["logged_in"], status.json["user_name"], status.json["role"]) == (True, "alice", "user")
    held = client.post("/reservation/request", json={"resource_id": bench}, headers=bearer(secret))
    assert (held.status_code, held.json["status"]) == (201, "approved")
    assert "Set-Cookie" not in held.headers and "Set-Cookie" not in status.headers
    assert client.get_cookie("reservia_session") is None
    refused = client.post("/admin/resource/add", json={"name": "x"}, headers=bearer(secret))
    assert (refused.status_code, refused.json["code"]) == (403, "ADMIN_REQUIRED")


def test_an_administrators_token_carries_the_administrators_role(accounts, client):
    secret = make_token(accounts.admin, "provisioning")["token"]
    added = client.post("/admin/resource/add", json={"name": "bench-9"}, headers=bearer(secret))
    assert added.status_code == 201


def test_a_bearer_request_is_signed_in_by_the_token_alone(accounts):
    alice, bob = accounts.user("alice"), accounts.user("bob")
    secret = make_token(bob)["token"]
    # Alice's client carries her session cookie, yet the token decides who this is.
    assert alice.get("/session/status", headers=bearer(secret)).json["user_name"] == "bob"
    assert alice.get("/session/status").json["user_name"] == "alice"


@pytest.mark.parametrize("header", ["Bearer rsv_not-a-token", "Bearer ", "bearer rsv_x"])
def test_an_unknown_token_is_refused_with_401_json(client, header):
    answer = client.get("/reservation/active", headers={"Authorization": header})
    assert answer.status_code == 401
    assert answer.json["code"] in ("INVALID_TOKEN", "NOT_AUTHENTICATED")


def test_revoked_and_expired_tokens_stop_working(accounts, client, clock):
    alice = accounts.user("alice")
    revoked, expiring = make_token(alice, "old"), make_token(alice, "short", expires_days=1)
    assert client.get("/reservation/active", headers=bearer(revoked["token"])).status_code == 200
    answer = alice.post("/session/tokens/revoke", json={"token_id": revoked["token_id"]})
    assert answer.json == {"message": "Token 'old' revoked.", "token_id": revoked["token_id"]}
    refused = client.get("/reservation/active", headers=bearer(revoked["token"]))
    assert (refused.status_code, refused.json["code"]) == (401, "INVALID_TOKEN")
    clock.advance(days=1)
    assert client.get("/reservation/active", headers=bearer(expiring["token"])).status_code == 401
    assert alice.get("/session/tokens").json["tokens"][0]["expired"] is True


def test_a_revoked_tokens_id_is_never_handed_out_again(accounts):
    """The access log and token lists name tokens by id: a new token must not take a revoked one's."""
    alice = accounts.user("alice")
    make_token(alice, "first")
    newest = make_token(alice, "newest")
    assert alice.post("/session/tokens/revoke", json={"token_id": newest["token_id"]}).status_code == 200
    assert make_token(alice, "next")["token_id"] > newest["token_id"]


def test_a_deactivated_users_tokens_stop_at_once_and_a_password_change_keeps_them(accounts, client):
    alice_id = accounts.add_user("alice")
    alice = accounts.login("alice")
    secret = make_token(alice)["token"]
    changed = alice.post("/session/password", json={"current_password": USER_PASSWORD,
                                                    "new_password": "another-password"})
    assert changed.status_code == 200
    assert client.get("/reservation/active", headers=bearer(secret)).status_code == 200
    accounts.admin.post("/admin/user/modify", json={"user_id": alice_id, "active": False})
    assert client.get("/reservation/active", headers=bearer(secret)).status_code == 401
    accounts.admin.post("/admin/user/modify", json={"user_id": alice_id, "active": True})
    assert client.get("/reservation/active", headers=bearer(secret)).status_code == 401


def test_a_deleted_users_tokens_go_with_them(accounts, client):
    bob_id = accounts.add_user("bob")
    secret = make_token(accounts.login("bob"))["token"]
    deleted = accounts.admin.post("/admin/user/delete", json={"user_id": bob_id})
    assert (deleted.status_code, deleted.json["deactivated"]) == (200, False)
    assert client.get("/reservation/active", headers=bearer(secret)).status_code == 401
    assert accounts.admin.get("/session/tokens?all=true").json["count"] == 0


def test_a_token_never_signs_in_a_page_or_a_browser_form(accounts, client):
    secret = make_token(accounts.user("alice"))["token"]
    page = client.get("/", headers={**HTML, **bearer(secret)})
    assert (page.status_code, page.json["code"]) == (403, "TOKEN_NOT_FOR_PAGES")
    form = client.post("/reservation/request", data={"resource_id": "1"}, headers=bearer(secret))
    assert form.status_code == 400 and "CSRF" in form.get_data(as_text=True)


def test_a_token_cannot_make_tokens_nor_log_out(accounts, client):
    secret = make_token(accounts.user("alice"))["token"]
    made = client.post("/session/tokens", json={"name": "more"}, headers=bearer(secret))
    assert (made.status_code, made.json["code"]) == (403, "TOKEN_NOT_ALLOWED")
    logout = client.post("/session/logout", headers=bearer(secret), json={})
    assert (logout.status_code, logout.json["code"]) == (400, "TOKEN_NOT_A_SESSION")
    assert client.get("/session/status", headers=bearer(secret)).json["logged_in"] is True


def test_last_use_is_written_at_most_once_in_five_minutes(accounts, client, clock, record_statements):
    alice = accounts.user("alice")
    made = make_token(alice)
    client.get("/reservation/active", headers=bearer(made["token"]))
    assert alice.get("/session/tokens").json["tokens"][0]["last_used_date"] == START.isoformat()
    clock.advance(minutes=4, seconds=59)
    statements = record_statements(lambda: client.get("/reservation/active", headers=bearer(made["token"])))
    assert not [s for s in statements if s.lstrip().upper().startswith("UPDATE")]
    clock.advance(seconds=1)
    client.get("/reservation/active", headers=bearer(made["token"]))
    used = alice.get("/session/tokens").json["tokens"][0]["last_used_date"]
    assert datetime.fromisoformat(used) == START + timedelta(minutes=5)


def test_administrators_see_and_revoke_anyones_tokens_others_only_their_own(accounts, client):
    alice, bob = accounts.user("alice"), accounts.user("bob")
    alices = make_token(alice, "alice-ci")
    make_token(bob, "bob-ci")
    assert [t["name"] for t in accounts.admin.get("/session/tokens?all=true").json["tokens"]] == ["bob-ci", "alice-ci"]
    assert bob.get("/session/tokens?all=true").status_code == 403
    mine = bob.post("/session/tokens/revoke", json={"token_id": alices["token_id"]})
    assert (mine.status_code, mine.json["code"]) == (404, "TOKEN_NOT_FOUND")
    assert accounts.admin.post("/session/tokens/revoke", json={"token_id": alices["token_id"]}).status_code == 200
    assert client.get("/session/status", headers=bearer(alices["token"])).status_code == 401


@pytest.mark.parametrize(("body", "code"), [
    ({}, "INVALID_INPUT"), ({"name": ""}, "INVALID_INPUT"), ({"name": "x" * 81}, "INVALID_INPUT"),
    ({"name": "ci", "expires_days": 0}, "INVALID_INPUT"), ({"name": "ci", "expires_days": 3651}, "INVALID_INPUT"),
    ({"name": "ci", "expires_days": "9"}, "INVALID_TYPE")])
def test_bad_token_requests_are_refused_and_make_nothing(accounts, body, code):
    alice = accounts.user("alice")
    answer = alice.post("/session/tokens", json=body)
    assert (answer.status_code, answer.json["code"]) == (400, code)
    assert alice.get("/session/tokens").json["count"] == 0


def test_the_secret_never_reaches_the_log(accounts, client, app):
    alice = accounts.user("alice")
    secret = make_token(alice)["token"]
    client.get("/reservation/active", headers=bearer(secret))
    client.get("/reservation/active", headers=bearer(secret + "x"))
    log = Path(app.config["RESERVIA_LOG_FILE"]).read_text(encoding="utf-8")
    assert "token created" in log and "token_id=" in log
    assert secret not in log and secret[4:20] not in log


def test_the_tokens_page_makes_a_token_shows_it_once_and_revokes_it(accounts, client):
    alice = accounts.user("alice")
    page = alice.post("/session/tokens", headers=HTML, data={
        "csrf_token": csrf_token(alice, "/session/tokens"), "name": "laptop", "expires_days": "7"})
    assert page.status_code == 201
    shown = text(page)
    assert "Copy it now" in shown and "Changing your password does not revoke your tokens" in shown
    [entry] = alice.get("/session/tokens").json["tokens"]
    secret = shown.split('id="new-token" class="token-secret" value="')[1].split('"')[0]
    assert client.get("/session/status", headers=bearer(secret)).json["user_name"] == "alice"
    assert secret not in text(alice.get("/session/tokens", headers=HTML))
    revoked = alice.post("/session/tokens/revoke", headers=HTML, data={
        "csrf_token": csrf_token(alice, "/session/tokens"), "token_id": str(entry["token_id"]),
        "next": "/session/tokens"})
    assert revoked.headers["Location"] == "/session/tokens"
    assert "Token 'laptop' revoked." in text(alice.get("/session/tokens", headers=HTML))
    without_csrf = alice.post("/session/tokens", headers=HTML, data={"name": "sneaky"})
    assert without_csrf.status_code == 400
    assert alice.get("/session/tokens").json["count"] == 0


def test_the_tokens_page_shows_a_bad_name_at_its_field(accounts):
    alice = accounts.user("alice")
    answer = alice.post("/session/tokens", headers=HTML, data={
        "csrf_token": csrf_token(alice, "/session/tokens"), "name": "", "expires_days": "7"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/session/tokens"
    assert "This field is required." in text(refused_page(alice, answer))


def test_create_token_command_prints_a_working_token(app, accounts, client):
    accounts.add_user("ci")
    result = app.test_cli_runner().invoke(args=["create-token", "ci", "--name", "runner-7"])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    assert "Created token 'runner-7'" in result.stderr and secret not in result.stderr
    assert client.get("/session/status", headers=bearer(secret)).json["user_name"] == "ci"
    unknown = app.test_cli_runner().invoke(args=["create-token", "nobody", "--name", "x"])
    assert unknown.exit_code == 1 and "No user named 'nobody'" in unknown.output
