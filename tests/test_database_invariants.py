"""The database itself refuses a second holder or a second active request, whatever code writes to it."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, insert, select
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
