"""Utilization reports: figures computed by hand from a history made with the fixed clock, in the
site's time zone (Berlin, an hour ahead of UTC in November), as JSON, CSV and the Reports page."""
import csv
import io
from datetime import datetime, timedelta, timezone

import pytest

START = datetime(2026, 11, 25, 21, 0, tzinfo=timezone.utc)  # 22:00 in Berlin
APP_SETTINGS = {"RESERVIA_TIME_ZONE": "Europe/Berlin", "RESERVIA_HOLD_MINUTES": 0}
DAY = 86400


@pytest.fixture
def history(app, accounts, clock):
    """alice holds bench-1 from 22:00 to 00:30 (Berlin) across midnight; bob, who asked at 22:30,
    holds it from 00:30 to 00:45; bench-1 is in maintenance from 23:30 on the 26th to 01:00."""
    bench = accounts.add_resource("bench-1", labels=["scope"])
    accounts.add_resource("bench-2", labels=["power"])
    alice, bob = accounts.user("alice"), accounts.user("bob")
    assert alice.post("/reservation/request", json={"resource_id": bench}).json["status"] == "approved"
    clock.set(START + timedelta(minutes=30))
    assert bob.post("/reservation/request", json={"resource_id": bench}).json["status"] == "requested"
    clock.set(START + timedelta(hours=2, minutes=30))
    assert alice.post("/reservation/release", json={"resource_id": bench}).status_code == 200
    clock.set(START + timedelta(hours=2, minutes=45))
    assert bob.post("/reservation/release", json={"resource_id": bench}).status_code == 200
    clock.set(datetime(2026, 11, 26, 22, 30, tzinfo=timezone.utc))
    accounts.admin.post("/admin/resource/modify", json={"resource_id": bench, "maintenance": True})
    clock.set(datetime(2026, 11, 27, 0, 0, tzinfo=timezone.utc))
    accounts.admin.post("/admin/resource/modify", json={"resource_id": bench, "maintenance": False})
    clock.set(datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc))
    return bench, alice


def rows_of(client, query):
    answer = client.get(f"/reports/utilization?{query}")
    assert answer.status_code == 200, answer.json
    return answer.json


def test_a_hold_across_midnight_is_split_between_the_days_of_the_site(history):
    bench, alice = history
    report = rows_of(alice, "from=2026-11-25&to=2026-11-26&resource_id=%d" % bench)
    assert (report["from"], report["to"]) == ("2026-11-24T23:00:00+00:00", "2026-11-26T23:00:00+00:00")
    first, second = report["rows"]
    assert first == {"resource_id": bench, "resource_name": "bench-1", "period": "2026-11-25",
                     "held_seconds": 7200.0, "booked_seconds": 0.0, "maintenance_seconds": 0.0,
                     "utilization": pytest.approx(7200 / DAY, abs=1e-4), "requests": 2,
                     "median_wait_seconds": 0.0, "p90_wait_seconds": 0.0, "no_shows": 0}
    # 23:00-00:30 UTC of alice's hold, then bob's quarter of an hour; bob waited two hours;
    # maintenance from 23:30 until the day ends at midnight, Berlin time.
    assert second == {"resource_id": bench, "resource_name": "bench-1", "period": "2026-11-26",
                      "held_seconds": 1800.0 + 900.0, "booked_seconds": 0.0, "maintenance_seconds": 1800.0,
                      "utilization": pytest.approx(2700 / DAY, abs=1e-4), "requests": 0,
                      "median_wait_seconds": 7200.0, "p90_wait_seconds": 7200.0, "no_shows": 0}


def test_instants_cut_the_report_exactly(history):
    bench, alice = history
    # 22:45 to 00:15 UTC: a quarter of an hour of the 25th in Berlin, and on the 26th alice's
    # last half hour and bob's quarter.
    report = rows_of(alice, f"from=2026-11-25T23:45:00%2B01:00&to=2026-11-26T00:15:00Z&resource_id={bench}")
    assert [(r["period"], r["held_seconds"]) for r in report["rows"]] == [("2026-11-25", 900.0),
                                                                         ("2026-11-26", 2700.0)]
    assert report["rows"][0]["utilization"] == 1.0


def test_weeks_and_months_group_the_same_seconds(history):
    bench, alice = history
    [week] = rows_of(alice, f"from=2026-11-23&to=2026-11-29&group_by=week&resource_id={bench}")["rows"]
    assert (week["period"], week["held_seconds"], week["maintenance_seconds"]) == ("2026-W48", 9900.0, 5400.0)
    [month] = rows_of(alice, f"from=2026-11-01&to=2026-11-30&group_by=month&resource_id={bench}")["rows"]
    assert (month["period"], month["held_seconds"], month["requests"]) == ("2026-11", 9900.0, 2)
    assert month["utilization"] == pytest.approx(9900 / (27 * DAY + 13 * 3600), abs=1e-4)  # 31 Oct 23:00Z to now


def test_labels_choose_the_resources(history):
    _, alice = history
    rows = rows_of(alice, "from=2026-11-25&to=2026-11-25&label=power")["rows"]
    assert [(r["resource_name"], r["held_seconds"]) for r in rows] == [("bench-2", 0.0)]
    every = rows_of(alice, "from=2026-11-25&to=2026-11-25")["rows"]
    assert {r["resource_name"] for r in every} == {"bench-1", "bench-2"}


def test_a_hold_still_running_counts_up_to_now(app, accounts, clock):
    bench, alice = accounts.queue_of("bench-1", "alice")
    clock.advance(hours=1)
    [row] = rows_of(alice, "from=2026-11-25&to=2026-11-25")["rows"]
    # 21:00 to 22:00 UTC: an hour held of the 23 hours of the day already past.
    assert row["held_seconds"] == 3600.0
    assert row["utilization"] == pytest.approx(3600 / (23 * 3600), abs=1e-4)


def test_the_csv_has_the_json_keys_as_its_header(history):
    bench, alice = history
    query = f"from=2026-11-25&to=2026-11-26&resource_id={bench}"
    answer = alice.get(f"/reports/utilization.csv?{query}")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    expected = rows_of(alice, query)["rows"]
    assert list(rows[0]) == list(expected[0])
    assert [(r["period"], float(r["held_seconds"]), float(r["median_wait_seconds"])) for r in rows] == [
        (e["period"], e["held_seconds"], e["median_wait_seconds"]) for e in expected]


@pytest.mark.parametrize("query, code", [
    ("group_by=year", "INVALID_GROUP_BY"), ("from=soon", "INVALID_DATE"),
    ("from=2026-11-26&to=2026-11-25", "INVALID_PERIOD"), ("resource_id=x", "INVALID_INPUT"),
    ("from=1900-01-01&to=2026-01-01", "PERIOD_TOO_LONG"), ("label=no%20label", "INVALID_LABEL")])
def test_bad_queries_are_refused_with_a_reason(app, accounts, query, code):
    alice = accounts.user("alice")
    for path in ("/reports/utilization", "/reports/utilization.csv"):
        answer = alice.get(f"{path}?{query}")
        assert (answer.status_code, answer.json["code"]) == (400, code), answer.json


def test_reports_need_a_sign_in(client):
    assert client.get("/reports/utilization").status_code == 401


def test_the_page_draws_the_charts_inline_without_script(history, accounts):
    bench, alice = history
    answer = alice.get("/reports?from=2026-11-25&to=2026-11-26")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert html.count("<svg") >= 3 and "<script type=\"text/javascript\">" not in html
    nonce = answer.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'<style nonce="{nonce}">' in html and ' style="' not in html
    assert "Busy hours" in html and "heat-5" in html  # the busiest hour
    assert "Top users" not in html  # for administrators only
    admin_page = accounts.admin.get("/reports?from=2026-11-25&to=2026-11-26").get_data(as_text=True)
    assert "Top users" in admin_page and "alice" in admin_page


def test_the_page_shows_a_bad_filter_as_a_message(app, accounts):
    answer = accounts.user("alice").get("/reports?from=soon")
    assert answer.status_code == 400
    assert "from must be an ISO 8601 date" in answer.get_data(as_text=True)
