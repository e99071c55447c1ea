"""Administrators change and retire users and resources and end other people's reservations."""
import pytest

from tests.conftest import USER_PASSWORD, active, users_by_name


def queue_of(client, resource_id):
    """(user, status) of each active reservation of the resource, holder first."""
    return [(e["user_name"], e["status"]) for e in active(client, resource_id)]


def test_admin_renames_a_user_and_changes_role_and_email(accounts):
    alice_id = accounts.add_user("alice")
    admin = accounts.admin
    response = admin.post("/admin/user/modify", json={
        "user_id": alice_id, "name": "alice2", "email": "New@Example.org", "role": "admin"})
    assert response.status_code == 200
    assert response.json == {"message": "User modified successfully", "user_id": alice_id}
    assert users_by_name(admin)["alice2"]["email"] == "new@example.org"
    assert users_by_name(admin)["alice2"]["role"] == "admin"
    assert accounts.login("alice2").get("/info/users").status_code == 200


def test_admin_sets_a_password_and_old_sessions_end(accounts):
    alice_id = accounts.add_user("alice")
    old_session = accounts.login("alice")
    accounts.admin.post("/admin/user/modify", json={"user_id": alice_id, "password": "brand-new-pass"})
    assert old_session.get("/info/resources").status_code == 401
    accounts.login("alice", "brand-new-pass")


def test_deactivated_user_loses_sessions_and_holds(accounts):
    bench = accounts.add_resource("bench-1")
    alice_id = accounts.add_user("alice")
    alice, bob = accounts.login("alice"), accounts.user("bob")
    alice.post("/reservation/request", json={"resource_id": bench})
    bob.post("/reservation/request", json={"resource_id": bench})
    response = accounts.admin.post("/admin/user/modify", json={"user_id": alice_id, "active": False})
    assert response.status_code == 200
    assert alice.get("/info/resources").status_code == 401
    assert accounts.app.test_client().post("/session/login", json={
        "name": "alice", "password": USER_PASSWORD}).status_code == 401
    assert queue_of(bob, bench) == [("bob", "approved")]
    assert users_by_name(accounts.admin)["alice"]["active"] is False


def test_the_last_administrator_cannot_be_demoted_or_deleted(accounts):
    admin = accounts.admin
    admin_id = users_by_name(admin)["admin"]["id"]
    demote = admin.post("/admin/user/modify", json={"user_id": admin_id, "role": "user"})
    assert demote.status_code == 409 and demote.json["code"] == "LAST_ADMIN"
    assert admin.post("/admin/user/delete", json={"user_id": admin_id}).json["code"] == "SELF_DELETE"
    assert users_by_name(admin)["admin"]["role"] == "admin"


def test_user_without_history_is_deleted_and_with_history_deactivated(accounts):
    bench = accounts.add_resource("bench-1")
    newbie, worker = accounts.add_user("newbie"), accounts.add_user("worker")
    accounts.login("worker").post("/reservation/request", json={"resource_id": bench})
    admin = accounts.admin
    gone = admin.post("/admin/user/delete", json={"user_id": newbie}).json
    kept = admin.post("/admin/user/delete", json={"user_id": worker}).json
    assert gone["deactivated"] is False and kept["deactivated"] is True
    assert "newbie" not in users_by_name(admin)
    assert users_by_name(admin)["worker"]["active"] is False
    assert queue_of(admin, bench) == []


def test_rename_to_a_taken_name_is_409_and_changes_nothing(accounts):
    accounts.add_user("alice")
    bob_id = accounts.add_user("bob")
    response = accounts.admin.post("/admin/user/modify", json={"user_id": bob_id, "name": "alice"})
    assert response.status_code == 409
    assert "bob" in users_by_name(accounts.admin)


def test_maintenance_holds_the_queue_until_the_resource_is_back(accounts):
    bench = accounts.add_resource("bench-1")
    alice, bob = accounts.user("alice"), accounts.user("bob")
    admin = accounts.admin
    alice.post("/reservation/request", json={"resource_id": bench})
    admin.post("/admin/resource/modify", json={"resource_id": bench, "maintenance": True})
    bob.post("/reservation/request", json={"resource_id": bench})
    alice.post("/reservation/release", json={"resource_id": bench})
    assert queue_of(admin, bench) == [("bob", "requested")]
    resource = admin.get("/info/resources").json["resources"][0]
    assert resource["maintenance"] is True
    admin.post("/admin/resource/modify", json={"resource_id": bench, "maintenance": False})
    assert queue_of(admin, bench) == [("bob", "approved")]


def test_resource_is_renamed_and_its_comment_cleared(accounts):
    bench = accounts.add_resource("bench-1", "old comment")
    admin = accounts.admin
    admin.post("/admin/resource/modify", json={"resource_id": bench, "name": "bench-one", "comment": ""})
    [resource] = admin.get("/info/resources").json["resources"]
    assert (resource["name"], resource["comment"]) == ("bench-one", "")


def test_busy_resource_cannot_be_deleted(accounts):
    bench = accounts.add_resource("bench-1")
    accounts.user("alice").post("/reservation/request", json={"resource_id": bench})
    response = accounts.admin.post("/admin/resource/delete", json={"resource_id": bench})
    assert response.status_code == 409 and response.json["code"] == "RESOURCE_BUSY"
    assert accounts.admin.get("/info/resources").json["count"] == 1


def test_resource_with_history_is_deactivated_not_erased(accounts):
    used, unused = accounts.add_resource("used"), accounts.add_resource("unused")
    alice = accounts.user("alice")
    alice.post("/reservation/request", json={"resource_id": used})
    alice.post("/reservation/release", json={"resource_id": used})
    admin = accounts.admin
    assert admin.post("/admin/resource/delete", json={"resource_id": used}).json["deactivated"] is True
    assert admin.post("/admin/resource/delete", json={"resource_id": unused}).json["deactivated"] is False
    assert admin.get("/info/resources").json["count"] == 0
    assert alice.post("/reservation/request", json={"resource_id": used}).status_code == 404


def test_force_release_approves_the_next_and_keeps_the_reason(accounts, app):
    bench, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    response = accounts.admin.post("/admin/reservation/force_release", json={
        "resource_id": bench, "reason": "left for the weekend"})
    assert response.status_code == 200
    assert response.json["next_reservation_id"] is not None
    assert queue_of(bob, bench) == [("bob", "approved")]
    ended = _reservation(app, response.json["reservation_id"])
    assert (ended.state, ended.end_reason) == ("released", "left for the weekend")
    assert ended.ended_by_id is not None


def test_admin_removes_a_queued_request_with_a_reason(accounts, app):
    bench = accounts.add_resource("bench-1")
    alice, bob = accounts.user("alice"), accounts.user("bob")
    alice.post("/reservation/request", json={"resource_id": bench})
    queued = bob.post("/reservation/request", json={"resource_id": bench}).json["reservation_id"]
    admin = accounts.admin
    held = alice.get(f"/reservation/active/user?resource_id={bench}").json["reservation"]["id"]
    refused = admin.post("/admin/reservation/remove", json={"reservation_id": held})
    assert refused.status_code == 409
    response = admin.post("/admin/reservation/remove", json={"reservation_id": queued, "reason": "duplicate"})
    assert response.status_code == 200
    assert queue_of(admin, bench) == [("alice", "approved")]
    assert _reservation(app, queued).end_reason == "duplicate"


def _reservation(app, reservation_id):
    from backend.extensions import db
    from backend.models import Reservation

    with app.app_context():
        return db.session.get(Reservation, reservation_id)


@pytest.mark.parametrize("path, body", [
    ("/admin/user/modify", {"user_id": 1, "role": "user"}),
    ("/admin/user/delete", {"user_id": 1}),
    ("/admin/resource/modify", {"resource_id": 1, "maintenance": True}),
    ("/admin/resource/delete", {"resource_id": 1}),
    ("/admin/reservation/force_release", {"resource_id": 1}),
    ("/admin/reservation/remove", {"reservation_id": 1}),
])
def test_admin_control_is_refused_to_users_and_anonymous(accounts, client, path, body):
    accounts.add_resource("bench-1")
    user = accounts.user("mallory")
    assert client.post(path, json=body).status_code == 401
    assert user.post(path, json=body).status_code == 403


def test_user_changes_own_password_and_other_sessions_end(accounts):
    accounts.add_user("alice")
    here, elsewhere = accounts.login("alice"), accounts.login("alice")
    wrong = here.post("/session/password", json={"current_password": "nope", "new_password": "another-pass"})
    assert wrong.status_code == 400 and wrong.json["code"] == "WRONG_PASSWORD"
    response = here.post("/session/password", json={
        "current_password": USER_PASSWORD, "new_password": "another-pass"})
    assert response.status_code == 200
    assert here.get("/info/resources").status_code == 200
    assert elsewhere.get("/info/resources").status_code == 401
    accounts.login("alice", "another-pass")
