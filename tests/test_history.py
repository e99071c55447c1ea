"""The reservation history: who sees what, filters, pages, CSV export, and refusals of bad filters."""
import csv
import io
from datetime import datetime, timezone

import pytest

from tests.conftest import Accounts, post_action, signed_in_again
from tests.fixed_clock import install_clock

START = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)
APP_SETTINGS = {"RESERVIA_HOLD_MINUTES": 60}


@pytest.fixture(scope="module")
def story(module_app):
    """Alice and Bob share a bench and a scope over a morning; Carol never reserves anything.

    08:00 alice takes the bench, 08:10 bob queues, 08:30 alice releases (bob holds it),
    09:00 bob releases; 09:30 bob takes the scope and still holds it. The clock stays at 09:35.

    The tests of the story only read it, and the clock does not move: they share one.
    """
    clock = install_clock(module_app, START)
    accounts = Accounts(module_app)
    bench, scope = accounts.add_resource("bench"), accounts.add_resource("scope")
    alice, bob, carol = accounts.user("alice"), accounts.user("bob"), accounts.user("carol")
    post_action(alice, "request", bench)
    clock.advance(minutes=10)
    post_action(bob, "request", bench)
    clock.advance(minutes=20)
    post_action(alice, "release", bench)
    clock.advance(minutes=30)
    post_action(bob, "release", bench)
    clock.advance(minutes=30)
    post_action(bob, "request", scope)
    clock.advance(minutes=5)
    users = {u["name"]: u["id"] for u in accounts.admin.get("/info/users").json["users"]}
    return {"alice": alice, "bob": bob, "carol": carol, "admin": accounts.admin,
            "bench": bench, "scope": scope, "users": users}


def history(client, query=""):
    response = client.get(f"/reservation/history{query}")
    assert response.status_code == 200, response.json
    return response.json


def summary(body):
    return [(e["user_name"], e["resource_name"], e["status"]) for e in body["reservations"]]


def test_users_see_only_their_own_history_newest_first(story):
    body = history(story["bob"])
    assert summary(body) == [("bob", "scope", "approved"), ("bob", "bench", "released")]
    assert (body["count"], body["total"], body["page"], body["pages"]) == (2, 2, 1, 1)
    assert history(story["carol"])["reservations"] == []


def test_history_entries_carry_times_and_no_queue_position(story):
    [scope, bench] = history(story["bob"])["reservations"]
    assert bench["request_date"] == "2026-11-02T08:10:00+00:00"
    assert bench["approved_date"] == "2026-11-02T08:30:00+00:00"
    assert bench["end_date"] == "2026-11-02T09:00:00+00:00"
    assert scope["end_date"] is None and scope["position"] is None and bench["position"] is None


def test_administrators_see_everyones_history(story):
    assert summary(history(story["admin"])) == [
        ("bob", "scope", "approved"), ("bob", "bench", "released"), ("alice", "bench", "released")]
    alice_id = story["users"]["alice"]
    assert summary(history(story["admin"], f"?user_id={alice_id}")) == [
        ("alice", "bench", "released")]


def test_users_may_not_read_someone_elses_history(story):
    alice_id, bob_id = story["users"]["alice"], story["users"]["bob"]
    response = story["bob"].get(f"/reservation/history?user_id={alice_id}")
    assert response.status_code == 403
    assert response.json["code"] == "FORBIDDEN"
    assert story["bob"].get(f"/reservation/history/export?user_id={alice_id}").status_code == 403
    assert len(history(story["bob"], f"?user_id={bob_id}")["reservations"]) == 2


def test_history_needs_login(client):
    assert client.get("/reservation/history").status_code == 401
    assert client.get("/reservation/history/export").status_code == 401


def test_history_filters_by_resource_and_state(story):
    admin = story["admin"]
    assert summary(history(admin, f"?resource_id={story['scope']}")) == [("bob", "scope", "approved")]
    assert summary(history(admin, "?state=approved")) == [("bob", "scope", "approved")]
    both = [("bob", "scope", "approved"), ("bob", "bench", "released"),
            ("alice", "bench", "released")]
    assert summary(history(admin, "?state=released,approved")) == both
    assert summary(history(admin, "?state=released&state=approved")) == both
    assert history(admin, "?state=cancelled")["total"] == 0


@pytest.mark.parametrize("query, expected", [
    # Alice's hold ended at 08:30; a period from 08:30 still sees it end.
    ("?since=2026-11-02T08:30:00Z", 3),
    ("?since=2026-11-02T08:31:00Z", 2),
    # An offset is honoured: 09:31+01:00 is 08:31 UTC.
    ("?since=2026-11-02T09:31:00%2B01:00", 2),
    # A "+" sent unencoded arrives as a space and is still read as an offset.
    ("?since=2026-11-02T09:31:00+01:00", 2),
    # No offset means UTC.
    ("?since=2026-11-02T08:31:00", 2),
    # Bob's scope request came at 09:30: a period ending then does not include it.
    ("?until=2026-11-02T09:30:00Z", 2),
    ("?until=2026-11-02T08:10:00Z", 1),
    ("?since=2026-11-02T09:01:00Z&until=2026-11-03", 1),
    # A date alone as until is the end of that day; as since, its start: one day, both ways.
    ("?until=2026-11-02", 3),
    ("?until=2026-11-01", 0),
    ("?since=2026-11-02&until=2026-11-02", 3),
    ("?since=2026-11-03&until=2026-11-03", 1),
])
def test_history_filters_by_time_range(story, query, expected):
    assert history(story["admin"], query)["total"] == expected


def test_history_is_paginated(app, clock, accounts):
    bench = accounts.add_resource("bench")
    alice = accounts.user("alice")
    for _ in range(5):
        post_action(alice, "request", bench)
        clock.advance(minutes=1)
        post_action(alice, "release", bench)
    first = history(alice, "?per_page=2")
    assert (first["count"], first["total"], first["pages"], first["per_page"]) == (2, 5, 3, 2)
    last = history(alice, "?per_page=2&page=3")
    assert last["count"] == 1 and last["page"] == 3
    seen = [e["id"] for page in (1, 2, 3) for e in history(alice, f"?per_page=2&page={page}")["reservations"]]
    assert seen == sorted(seen, reverse=True) and len(set(seen)) == 5
    beyond = history(alice, "?per_page=2&page=4")
    assert beyond["reservations"] == [] and beyond["total"] == 5


def test_history_costs_the_same_few_statements_whatever_its_length(app, clock, accounts,
                                                                    count_statements):
    bench = accounts.add_resource("bench")
    alice = accounts.user("alice")

    def add_reservations(number):
        for _ in range(number):
            post_action(alice, "request", bench)
            post_action(alice, "release", bench)

    add_reservations(2)
    signed_in_again(accounts.admin)
    short = count_statements(lambda: history(accounts.admin, "?per_page=50&state=released"))
    add_reservations(30)
    signed_in_again(accounts.admin)
    long = count_statements(lambda: history(accounts.admin, "?per_page=50&state=released"))
    assert history(accounts.admin, "?per_page=50")["count"] == 32
    assert short == long


def test_an_overdue_hold_shows_as_expired_without_anyone_touching_it(app, clock, accounts):
    bench = accounts.add_resource("bench")
    alice, bob = accounts.user("alice"), accounts.user("bob")
    post_action(alice, "request", bench)
    post_action(bob, "request", bench)
    clock.advance(minutes=app.config["RESERVIA_HOLD_MINUTES"] + 1)
    entries = history(accounts.admin)["reservations"]
    assert [(e["user_name"], e["status"]) for e in entries] == [("bob", "approved"), ("alice", "expired")]
    assert entries[1]["end_date"] == entries[0]["approved_date"] == "2026-11-02T09:00:00+00:00"


@pytest.mark.parametrize("query, code", [
    ("?since=yesterday", "INVALID_DATE"),
    ("?until=2026-13-01", "INVALID_DATE"),
    ("?since=2026-11-02T25:00:00Z", "INVALID_DATE"),
    ("?since=0001-01-01T00:00:00%2B01:00", "INVALID_DATE"),
    ("?until=9999-12-31T23:59:59-01:00", "INVALID_DATE"),
    ("?since=2026-11-03&until=2026-11-02", "INVALID_PERIOD"),
    ("?since=2026-11-02T00:00:00Z&until=2026-11-02T00:00:00Z", "INVALID_PERIOD"),
    ("?user_id=abc", "INVALID_INPUT"),
    ("?user_id=-1", "INVALID_INPUT"),
    ("?user_id=0", "INVALID_INPUT"),
    ("?resource_id=1.5", "INVALID_INPUT"),
    ("?resource_id=99999999999999999999", "INVALID_INPUT"),
    ("?resource_id=%D9%A3", "INVALID_INPUT"),
    ("?state=finished", "INVALID_STATE"),
    ("?state=released,,bogus", "INVALID_STATE"),
])
def test_bad_filters_are_refused_with_a_clear_message(story, query, code):
    for path in ("/reservation/history", "/reservation/history/export"):
        response = story["admin"].get(path + query)
        assert response.status_code == 400, (path, query)
        assert response.json["code"] == code
        assert response.json["error"]


@pytest.mark.parametrize("query", ["?page=0", "?page=two", "?page=99999999", "?per_page=0",
                                   "?per_page=101", "?per_page=-5"])
def test_bad_pages_are_refused_with_a_clear_message(story, query):
    response = story["admin"].get("/reservation/history" + query)
    assert response.status_code == 400
    assert response.json["code"] == "INVALID_INPUT"
    assert "whole number from 1 to" in response.json["error"]


def test_unknown_user_or_resource_is_404(story):
    assert story["admin"].get("/reservation/history?resource_id=999").json["code"] == "RESOURCE_NOT_FOUND"
    response = story["admin"].get("/reservation/history?user_id=999")
    assert response.status_code == 404 and response.json["code"] == "USER_NOT_FOUND"


def read_csv(response):
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_export_is_the_filtered_history_as_csv_oldest_first(story):
    rows = read_csv(story["admin"].get(f"/reservation/history/export?resource_id={story['bench']}"))
    assert [(r["user_name"], r["resource_name"], r["status"]) for r in rows] == [
        ("alice", "bench", "released"), ("bob", "bench", "released")]
    assert rows[1]["request_date"] == "2026-11-02T08:10:00+00:00"
    assert rows[1]["end_date"] == "2026-11-02T09:00:00+00:00"
    assert rows[1]["end_reason"] == ""


def test_export_of_a_user_holds_only_their_own_rows(story):
    rows = read_csv(story["alice"].get("/reservation/history/export"))
    assert [(r["user_name"], r["status"]) for r in rows] == [("alice", "released")]
    header = story["carol"].get("/reservation/history/export").get_data(as_text=True)
    assert header.splitlines() == ["id,user_id,user_name,resource_id,resource_name,status,request_date,"
                                   "approved_date,end_date,valid_until_date,end_reason,note,request_id,labels,"
                                   "booking_id,booking_outcome"]


def test_export_is_not_paginated(app, clock, accounts):
    bench = accounts.add_resource("bench")
    alice = accounts.user("alice")
    for _ in range(app.config["RESERVIA_PAGE_SIZE"] + 5):
        post_action(alice, "request", bench)
        post_action(alice, "release", bench)
    response = alice.get("/reservation/history/export?per_page=1")
    assert response.is_streamed
    assert len(read_csv(response)) == app.config["RESERVIA_PAGE_SIZE"] + 5


def test_export_keeps_spreadsheets_from_running_names_as_formulas(app, clock, accounts):
    bench = accounts.add_resource("=HYPERLINK(\"http://example.org\")")
    alice = accounts.user("alice")
    post_action(alice, "request", bench)
    [row] = read_csv(alice.get("/reservation/history/export"))
    assert row["resource_name"] == "'=HYPERLINK(\"http://example.org\")"
