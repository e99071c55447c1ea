"""The audit log: every administrator's change, every change to someone else's things and every
security event is recorded with who, how and from where; GET /admin/audit finds them."""
from datetime import timedelta

import pytest
from sqlalchemy import text as sql

from backend.extensions import db
from tests.conftest import ADMIN_PASSWORD, USER_PASSWORD


def audit(client, **filters):
    response = client.get("/admin/audit", query_string=filters)
    assert response.status_code == 200, response.json
    return response.json


def entries(client, **filters):
    return audit(client, **filters)["entries"]


def stored_rows(app):
    """Every stored audit row and checkpoint, as text: what a secret must never be found in."""
    with app.app_context():
        rows = db.session.execute(sql("SELECT * FROM audit_entries")).all()
        rows += db.session.execute(sql("SELECT * FROM audit_checkpoints")).all()
    return repr(rows)


def test_an_administrators_change_to_a_user_is_recorded_with_who_how_and_from_where(accounts):
    alice_id = accounts.add_user("alice")
    answer = accounts.admin.post("/admin/user/modify", json={"user_id": alice_id, "role": "admin",
                                                             "email": "alice@corp.example"},
                                 environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert answer.status_code == 200
    [entry] = entries(accounts.admin, action="user.modify")
    admin_id = accounts.admin.get("/session/status").json["user_id"]
    assert entry | {"id": None, "at": None} == {
        "id": None, "at": None, "actor_id": admin_id, "actor_name": "admin", "via": "api",
        "source_address": "10.1.2.3", "action": "user.modify", "object_type": "user", "object_id": alice_id,
        "object_name": "alice", "changes": {"role": ["user", "admin"], "email": ["alice@example.org",
                                                                               "alice@corp.example"]},
        "reason": None}
    [created] = entries(accounts.admin, action="user.create")
    assert created["changes"]["password"] == ["(hidden)", "(changed)"]


def test_resource_changes_maintenance_labels_and_retirement_are_recorded(accounts):
    bench = accounts.add_resource("bench-1", labels=["scope"])
    admin = accounts.admin
    admin.post("/admin/resource/modify", json={"resource_id": bench, "maintenance": True, "labels": ["scope", "usb"]})
    admin.post("/admin/resource/modify", json={"resource_id": bench, "comment": ""})  # nothing changes
    admin.post("/admin/resource/delete", json={"resource_id": bench})
    found = entries(admin, object_type="resource", object_id=bench)
    assert [(e["action"], e["changes"]) for e in found] == [
        ("resource.delete", {}),
        ("resource.modify", {"maintenance": [False, True], "labels": [["scope"], ["scope", "usb"]]}),
        ("resource.create", {"name": [None, "bench-1"], "labels": [None, ["scope"]]}),
    ]


def test_ending_someone_elses_reservations_is_recorded_with_the_reason(accounts):
    bench, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    carol = accounts.user("carol")
    carol.post("/reservation/request", json={"resource_id": bench})
    admin = accounts.admin
    waiting = [r for r in carol.get("/reservation/active").json["reservations"] if r["user_name"] == "carol"][0]
    assert admin.post("/admin/reservation/remove", json={"reservation_id": waiting["id"],
                                                         "reason": "wrong bench"}).status_code == 200
    released = admin.post("/admin/reservation/force_release", json={"resource_id": bench, "reason": "stuck job"})
    assert released.status_code == 200
    [forced] = entries(admin, action="reservation.force_release")
    assert (forced["object_id"], forced["object_name"], forced["changes"], forced["reason"]) == (
        released.json["reservation_id"], "bench-1", {"holder": ["alice", "bob"]}, "stuck job")
    [removed] = entries(admin, action="reservation.remove")
    assert (removed["object_id"], removed["changes"]["user"], removed["reason"]) == (
        waiting["id"], ["carol", None], "wrong bench")


def test_a_users_own_requests_and_releases_are_not_audited(accounts):
    bench = accounts.add_resource("bench-1")
    alice = accounts.user("alice")
    before = audit(accounts.admin)["count"]
    alice.post("/reservation/request", json={"resource_id": bench})
    alice.post("/reservation/release", json={"resource_id": bench})
    assert audit(accounts.admin)["count"] == before


def test_sign_ins_failures_locks_and_sign_outs_are_security_events(app, accounts):
    alice_id = accounts.add_user("alice")
    for n in range(5):
        app.test_client().post("/session/login", json={"name": "Alice", "password": f"guess-{n}"},
                               environ_base={"REMOTE_ADDR": "203.0.113.9"})
    app.test_client().post("/session/login", json={"name": "nobody", "password": "guess"})
    failed = entries(accounts.admin, action="session.login_failed")
    assert [(e["actor_id"], e["actor_name"], e["object_id"]) for e in failed] == (
        [(None, "nobody", None)] + [(None, "Alice", alice_id)] * 5)
    assert failed[1]["source_address"] == "203.0.113.9"
    [locked] = entries(accounts.admin, action="user.lock")
    assert (locked["object_id"], locked["reason"]) == (alice_id, "5 failed logins")
    assert accounts.admin.post("/admin/user/unlock", json={"user_id": alice_id}).status_code == 200
    assert entries(accounts.admin, action="user.unlock")[0]["actor_name"] == "admin"
    alice = accounts.login("alice")
    alice.post("/session/logout", json={})
    mine = entries(accounts.admin, actor="alice")
    assert [e["action"] for e in mine[:2]] == ["session.logout", "session.login"]
    assert mine[1]["via"] == "api"


def test_no_password_or_token_is_ever_stored(app, accounts):
    alice_id = accounts.add_user("alice")
    alice = accounts.login("alice")
    assert alice.post("/session/password", json={"current_password": USER_PASSWORD,
                                                  "new_password": "plum-tree-garden-7",
                                                  "new_password_again": "plum-tree-garden-7"}).status_code == 200
    made = alice.post("/session/tokens", json={"name": "ci-bench"}).json
    assert accounts.admin.post("/admin/user/modify", json={"user_id": alice_id,
                                                           "password": "pear-orchard-river-3"}).status_code == 200
    [changed] = entries(accounts.admin, action="user.password_change")
    assert changed["changes"] == {"password": ["(hidden)", "(changed)"]}
    [token] = entries(accounts.admin, action="token.create")
    assert (token["object_id"], token["object_name"], token["via"]) == (made["token_id"], "ci-bench", "api")
    stored = stored_rows(app)
    for secret in ("plum-tree-garden-7", "pear-orchard-river-3", USER_PASSWORD, ADMIN_PASSWORD, made["token"],
                   made["token"][4:]):
        assert secret not in stored


def test_an_administrator_revoking_someone_elses_token_is_recorded(accounts):
    alice = accounts.user("alice")
    made = alice.post("/session/tokens", json={"name": "ci"}).json
    assert alice.get("/session/status", headers={"Authorization": f"Bearer {made['token']}"}).status_code == 200
    accounts.admin.post("/session/tokens/revoke", json={"token_id": made["token_id"]})
    [revoked] = entries(accounts.admin, action="token.revoke")
    assert (revoked["actor_name"], revoked["object_id"], revoked["changes"]) == (
        "admin", made["token_id"], {"user": ["alice", None]})


def test_actions_with_an_api_token_are_recorded_as_token(accounts):
    made = accounts.admin.post("/session/tokens", json={"name": "admin-script"}).json
    script = accounts.app.test_client()
    script.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {made['token']}"
    assert script.post("/admin/resource/add", json={"name": "bench-9"}).status_code == 201
    [added] = entries(accounts.admin, action="resource.create")
    assert (added["via"], added["actor_name"]) == ("token", "admin")


def test_filters_by_actor_period_and_pages_of_fifty(accounts, clock):
    for n in range(52):
        accounts.add_resource(f"bench-{n}")
    clock.advance(days=2)
    accounts.add_user("alice")
    first = audit(accounts.admin, action="resource.create")
    assert (first["count"], first["page"], first["pages"], len(first["entries"])) == (52, 1, 2, 50)
    assert first["entries"][0]["object_name"] == "bench-51"  # newest first
    second = audit(accounts.admin, action="resource.create", page=2)
    assert [e["object_name"] for e in second["entries"]] == ["bench-1", "bench-0"]
    # A date as `to` runs through the end of that day; `from` takes an instant.
    day = clock.now.date().isoformat()
    assert audit(accounts.admin, **{"to": "2026-11-25", "action": "resource.create"})["count"] == 52
    assert [e["action"] for e in entries(accounts.admin, **{"from": f"{day}T00:00:00Z"})] == ["user.create"]
    assert audit(accounts.admin, actor="nobody")["count"] == 0
    assert audit(accounts.admin, actor="ADMIN", action="user.create")["count"] == 1


@pytest.mark.parametrize("query, code", [
    ({"action": "user.explode"}, "INVALID_ACTION"),
    ({"object_type": "planet"}, "INVALID_OBJECT_TYPE"),
    ({"object_id": "two"}, "INVALID_INPUT"),
    ({"from": "yesterday"}, "INVALID_DATE"),
    ({"from": "2026-11-26", "to": "2026-11-25"}, "INVALID_PERIOD"),
    ({"page": "0"}, "INVALID_INPUT"),
])
def test_bad_filters_are_refused_clearly(admin_client, query, code):
    for path in ("/admin/audit", "/admin/audit.csv"):
        if path.endswith("csv") and "page" in query:
            continue
        answer = admin_client.get(path, query_string=query)
        assert (answer.status_code, answer.json["code"]) == (400, code)


def test_only_administrators_read_the_audit_log(client, user_client):
    assert client.get("/admin/audit").status_code == 401
    assert user_client.get("/admin/audit").json["code"] == "ADMIN_REQUIRED"
    assert user_client.get("/admin/audit.csv").status_code == 403


def test_csv_export_has_the_same_filters_and_is_formula_safe(accounts):
    accounts.add_resource("=HYPERLINK(1)")
    accounts.add_resource("bench-2")
    answer = accounts.admin.get("/admin/audit.csv", query_string={"action": "resource.create"})
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    lines = answer.text.splitlines()
    assert lines[0] == ("id,at,actor_id,actor_name,via,source_address,action,object_type,object_id,"
                        "object_name,changes,reason")
    assert len(lines) == 3
    assert ",'=HYPERLINK(1)," in lines[2]


def test_forcing_a_booking_over_a_hold_and_cancelling_someone_elses_booking_are_recorded(accounts, clock):
    bench = accounts.add_resource("bench-1")
    alice, bob = accounts.user("alice"), accounts.user("bob")
    bob.post("/reservation/request", json={"resource_id": bench})
    start, end = (clock.now + timedelta(minutes=5)).isoformat(), (clock.now + timedelta(hours=1)).isoformat()
    forced = accounts.admin.post("/reservation/book", json={"resource_id": bench, "start": start, "end": end,
                                                            "force": True, "note": "firmware flash"})
    assert forced.status_code == 201, forced.json
    [entry] = entries(accounts.admin, action="booking.force")
    assert (entry["object_type"], entry["object_name"], entry["changes"]["held_by"], entry["reason"]) == (
        "booking", "bench-1", [["bob"], None], "firmware flash")
    later = (clock.now + timedelta(hours=3)).isoformat(), (clock.now + timedelta(hours=4)).isoformat()
    own = alice.post("/reservation/book", json={"resource_id": bench, "start": later[0], "end": later[1]}).json
    alice.post("/reservation/booking/cancel", json={"booking_id": own["booking_id"]})  # one's own: not audited
    theirs = alice.post("/reservation/book", json={"resource_id": bench, "start": later[0], "end": later[1]}).json
    assert accounts.admin.post("/reservation/booking/cancel",
                               json={"booking_id": theirs["booking_id"]}).status_code == 200
    [cancelled] = entries(accounts.admin, action="booking.cancel")
    assert (cancelled["object_id"], cancelled["actor_name"], cancelled["changes"]) == (
        theirs["booking_id"], "admin", {"status": ["booked", "cancelled"], "user": ["alice", None]})


def test_the_intranet_sign_in_records_accounts_it_makes_and_roles_its_groups_change(make_app):
    app = make_app(RESERVIA_AUTH="remote_user", RESERVIA_ADMIN_GROUPS="reservia-admins")
    staff = {"REMOTE_USER": "dave", "AUTHENTICATE_MEMBEROF": "cn=staff,ou=groups,dc=example,dc=org"}
    admins = {"REMOTE_USER": "dave", "AUTHENTICATE_MEMBEROF": "cn=reservia-admins,ou=groups,dc=example,dc=org"}
    for environ in (staff, admins):
        browser = app.test_client()
        browser.environ_base.update(environ)
        assert browser.get("/session/status").json["user_name"] == "dave"
    found = entries(browser, actor="dave")
    assert [(e["action"], e["via"], e["changes"]) for e in found] == [
        ("session.login", "sso", {}),
        ("user.role_change", "sso", {"role": ["user", "admin"]}),
        ("session.login", "sso", {}),
        ("user.provision", "sso", {"auth": [None, "remote_user"], "role": [None, "user"]}),
    ]
