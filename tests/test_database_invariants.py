"""The database itself refuses a second holder or a second active request, whatever code writes to it."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from backend.extensions import db
from backend.models import Reservation

MOMENT = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)


@pytest.fixture
def world(accounts):
    """Two users and one resource, made through the API."""
    return {"resource": accounts.add_resource("bench-1"),
            "alice": accounts.add_user("alice"), "bob": accounts.add_user("bob")}


def _insert(app, *rows):
    """Write reservations straight into the table, past the Database layer and its checks."""
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(insert(Reservation), [
            {"requested_at": MOMENT, "approved_at": MOMENT if row["state"] == "approved" else None,
             "ended_at": MOMENT if row["state"] not in ("approved", "requested") else None, **row}
            for row in rows])


def test_a_second_holder_is_refused(app, world):
    _insert(app, {"user_id": world["alice"], "resource_id": world["resource"], "state": "approved"})
    with pytest.raises(IntegrityError):
        _insert(app, {"user_id": world["bob"], "resource_id": world["resource"], "state": "approved"})


def test_a_second_active_request_of_one_user_is_refused(app, world):
    _insert(app, {"user_id": world["alice"], "resource_id": world["resource"], "state": "requested"})
    with pytest.raises(IntegrityError):
        _insert(app, {"user_id": world["alice"], "resource_id": world["resource"], "state": "requested"})


def test_finished_reservations_do_not_count(app, world):
    _insert(app,
            {"user_id": world["alice"], "resource_id": world["resource"], "state": "released"},
            {"user_id": world["alice"], "resource_id": world["resource"], "state": "expired"},
            {"user_id": world["bob"], "resource_id": world["resource"], "state": "released"},
            {"user_id": world["alice"], "resource_id": world["resource"], "state": "approved"},
            {"user_id": world["bob"], "resource_id": world["resource"], "state": "requested"})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Reservation)) == 5


@pytest.fixture
def label_world(accounts):
    """Two scope benches and a user, made through the API."""
    admin = accounts.admin
    ids = [admin.post("/admin/resource/add", json={"name": f"scope-{i}", "labels": ["scope"]}).json["resource_id"]
           for i in (1, 2)]
    return {"resources": ids, "alice": accounts.add_user("alice"), "bob": accounts.add_user("bob")}


def _label_request(app, user_id, count, state="requested"):
    with app.app_context(), db.engine.begin() as connection:
        return connection.execute(insert(Reservation).values(
            user_id=user_id, resource_id=None, state=state, requested_at=MOMENT, labels="scope",
            count=count)).inserted_primary_key[0]


def _set_state(app, reservation_id, state):
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(update(Reservation).where(Reservation.id == reservation_id).values(
            state=state, approved_at=MOMENT))


def test_a_label_request_is_never_approved_with_fewer_resources_than_it_asked_for(app, label_world):
    request = _label_request(app, label_world["alice"], count=2)
    _insert(app, {"user_id": label_world["alice"], "resource_id": label_world["resources"][0], "state": "kept",
                  "parent_id": request})
    with pytest.raises(IntegrityError):
        _set_state(app, request, "approved")
    with pytest.raises(IntegrityError):
        _label_request(app, label_world["alice"], count=1, state="approved")


def test_a_resource_of_a_label_request_is_approved_only_with_its_request(app, label_world):
    request = _label_request(app, label_world["alice"], count=1)
    with pytest.raises(IntegrityError):
        _insert(app, {"user_id": label_world["alice"], "resource_id": label_world["resources"][0],
                      "state": "approved", "parent_id": request})


def test_a_kept_resource_cannot_be_held_by_anyone_else(app, label_world):
    request = _label_request(app, label_world["alice"], count=2)
    _insert(app, {"user_id": label_world["alice"], "resource_id": label_world["resources"][0], "state": "kept",
                  "parent_id": request})
    with pytest.raises(IntegrityError):
        _insert(app, {"user_id": label_world["bob"], "resource_id": label_world["resources"][0],
                      "state": "approved"})
    other = _label_request(app, label_world["bob"], count=1)
    with pytest.raises(IntegrityError):
        _insert(app, {"user_id": label_world["bob"], "resource_id": label_world["resources"][0], "state": "kept",
                      "parent_id": other})


def test_a_whole_set_is_approved(app, label_world):
    request = _label_request(app, label_world["alice"], count=2)
    for resource_id in label_world["resources"]:
        _insert(app, {"user_id": label_world["alice"], "resource_id": resource_id, "state": "kept",
                      "parent_id": request})
    _set_state(app, request, "approved")
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(update(Reservation).where(Reservation.parent_id == request).values(state="approved"))
        assert connection.scalar(select(func.count()).select_from(Reservation).where(
            Reservation.state == "approved")) == 3
