"""Bookings in the metrics and the utilization reports: outcomes counted from the history, booked
time and no-shows per period, maintenance windows as maintenance."""
from datetime import datetime, timedelta, timezone

from tests.test_bookings import booked, resource
from tests.test_metrics import OFFICE, samples

START = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)
APP_SETTINGS = {"RESERVIA_HOLD_MINUTES": 60, "RESERVIA_METRICS_NETWORKS": "10.20.0.0/16"}


def at(hours, minutes=0):
    return (START + timedelta(hours=hours, minutes=minutes)).isoformat()


def outcome_world(accounts, clock):
    """alice books 09-10 (used), 10-11 (no show), 11-12 (released early) and 13-14 (cancelled)."""
    rig = resource(accounts, "rig", checkin_minutes=10)
    alice = accounts.user("alice")
    booked(alice, rig, at(1), at(2))
    booked(alice, rig, at(2), at(3))
    booked(alice, rig, at(3), at(4))
    cancelled = booked(alice, rig, at(5), at(6))
    alice.post("/reservation/booking/cancel", json={"booking_id": cancelled["booking_id"]})
    clock.advance(hours=1, minutes=5)
    alice.post("/reservation/booking/checkin", json={"booking_id": 1})
    clock.advance(hours=2)
    alice.post("/reservation/release", json={"resource_id": rig})
    clock.advance(hours=3)
    return rig, alice


def test_metrics_count_bookings_by_outcome(app, accounts, clock):
    outcome_world(accounts, clock)
    found = samples(app.test_client().get("/metrics", environ_base=OFFICE))
    by_outcome = {dict(labels)["outcome"]: value for (name, labels), value in found.items()
                  if name == "reservia_bookings_total"}
    assert by_outcome == {"used": 1, "released_early": 1, "no_show": 1, "cancelled": 1}


def test_reports_count_booked_time_and_no_shows(app, accounts, clock):
    rig, alice = outcome_world(accounts, clock)
    [row] = alice.get(f"/reports/utilization?from=2026-11-02&to=2026-11-02&resource_id={rig}").json["rows"]
    # Three windows of an hour each were booked (the cancelled one is not); one was a no-show.
    assert (row["booked_seconds"], row["no_shows"]) == (3 * 3600.0, 1)


def test_a_maintenance_window_counts_as_maintenance(app, accounts, clock):
    rig = resource(accounts, "rig")
    booked(accounts.admin, rig, at(1), at(3), maintenance=True)
    clock.advance(hours=1, minutes=30)
    found = samples(app.test_client().get("/metrics", environ_base=OFFICE))
    labels = frozenset({"resource": "rig", "resource_id": str(rig)}.items())
    assert found[("reservia_resource_maintenance", labels)] == 1
    clock.advance(hours=3)
    query = f"from=2026-11-02&to=2026-11-02&resource_id={rig}"
    [row] = accounts.admin.get(f"/reports/utilization?{query}").json["rows"]
    assert (row["maintenance_seconds"], row["booked_seconds"]) == (2 * 3600.0, 0.0)
