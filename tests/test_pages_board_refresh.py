"""The board the dashboard's script fetches every few seconds: `304 Not Modified` while nothing it
shows has changed, the new board as soon as something has."""
import re
import time
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from flask import template_rendered
from itsdangerous import TimestampSigner

from tests.pages import HTML, csrf_token

pytestmark = pytest.mark.once

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def board(client, validator=None, query=""):
    headers = dict(HTML, **({"If-None-Match": validator} if validator else {}))
    return client.get(f"/reservation/board{query}", headers=headers)


@contextmanager
def rendered_templates(app):
    names = []

    def record(sender, template, context, **extra):
        names.append(template.name)

    template_rendered.connect(record, app)
    try:
        yield names
    finally:
        template_rendered.disconnect(record, app)


@pytest.fixture
def alice(accounts):
    return accounts.user("alice")


@pytest.fixture
def bench(accounts):
    return accounts.add_resource("scope-bench")


def test_an_unchanged_board_is_not_sent_again(alice, bench, clock):
    first = board(alice)
    validator = first.headers["ETag"]
    assert first.status_code == 200 and validator.startswith('W/"')
    assert "scope-bench" in first.get_data(as_text=True)
    clock.advance(hours=7)  # time alone changes nothing on a board without holds
    again = board(alice, validator)
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == validator


def test_a_change_made_by_anyone_sends_the_new_board(accounts, alice, bench, clock):
    validator = board(alice).headers["ETag"]
    accounts.user("bob").post("/reservation/request", json={"resource_id": bench})
    changed = board(alice, validator)
    assert changed.status_code == 200
    assert "bob" in changed.get_data(as_text=True)
    assert changed.headers["ETag"] != validator
    assert board(alice, changed.headers["ETag"]).status_code == 304


def test_a_hold_running_out_sends_the_new_board(accounts, alice, bench, clock):
    accounts.user("bob").post("/reservation/request", json={"resource_id": bench})  # 10 minutes
    held = board(alice)
    assert "bob" in held.get_data(as_text=True)
    clock.advance(minutes=9)
    assert board(alice, held.headers["ETag"]).status_code == 304
    clock.advance(minutes=2)
    free = board(alice, held.headers["ETag"])
    assert free.status_code == 200
    assert "bob" not in free.get_data(as_text=True)


def test_each_reader_and_each_search_has_a_board_of_its_own(accounts, alice, bench, clock):
    validator = board(alice).headers["ETag"]
    assert board(alice, validator, "?q=scope").status_code == 200
    assert board(accounts.user("bob"), validator).status_code == 200


def test_a_board_from_an_earlier_session_is_sent_again_with_forms_that_work(accounts, alice, bench, clock):
    before = board(alice)
    alice.post("/session/logout", headers=HTML, data={"csrf_token": csrf_token(alice, "/")})
    alice = accounts.login("alice")
    after = board(alice, before.headers["ETag"])
    assert after.status_code == 200  # its forms carry this session's token
    token = csrf_token(alice, "/reservation/board")
    response = alice.post("/reservation/request", headers={"Accept": "application/json"},
                          data={"csrf_token": token, "resource_id": bench})
    assert response.status_code == 201, response.json


def test_every_process_names_the_same_board_alike(app, alice, bench, make_app, clock, monkeypatch):
    """Under Apache successive refreshes reach different processes: each must know the board,
    though it renders it later, with CSRF tokens signed at another second."""
    validator = board(alice).headers["ETag"]
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda signer: int(time.time()) + 5)
    other = make_app(RESERVIA_DATABASE_URL=app.config["RESERVIA_DATABASE_URL"])  # another process
    other_client = other.test_client()
    cookie = app.config["SESSION_COOKIE_NAME"]
    other_client.set_cookie(cookie, alice.get_cookie(cookie).value)
    answer = board(other_client, validator)
    assert answer.status_code == 304
    assert answer.headers["ETag"] == validator


def test_the_board_leaves_the_end_of_the_day_to_the_script(alice, bench, clock):
    """The page without script offers the minutes to midnight when a hold may last that long; the
    board's script works both out itself, so the board reads the same all day."""
    clock.set(START.replace(hour=23, minute=55))  # within the usual 10 minutes of midnight
    page = alice.get("/", headers=HTML).get_data(as_text=True)
    assert '<option value="5" data-end-of-day>until the end of the day</option>' in page
    fetched = board(alice).get_data(as_text=True)
    assert '<option value="end-of-day" data-end-of-day>until the end of the day</option>' in fetched


def test_an_unchanged_refresh_renders_nothing_and_reads_no_more_than_the_session_status(
        app, alice, bench, clock, record_statements, sqlite_only):
    validator = board(alice).headers["ETag"]
    board(alice, validator)  # the login lookup and the board's parts are read once per commit
    with rendered_templates(app) as rendered:
        refresh = record_statements(lambda: board(alice, validator))
    status = record_statements(lambda: alice.get("/session/status"))
    assert rendered == []
    assert len(refresh) <= len(status) and all(statement in status for statement in refresh)


def _less_token(answer):
    return re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token" value=""', answer.get_data(as_text=True))


def test_readers_who_hold_nothing_share_one_rendering_each_with_forms_of_their_own(app, accounts, bench, clock):
    readers = [accounts.user(name) for name in ("alice", "bob", "carol")]
    accounts.add_resource("scope-2")  # a change: every board is new
    with rendered_templates(app) as rendered:
        boards = [board(reader) for reader in readers]
    assert rendered.count("reservation/_board.html") == 1
    assert len({_less_token(answer) for answer in boards}) == 1
    tokens = [re.search(r'name="csrf_token" value="([^"]+)"', answer.get_data(as_text=True)).group(1)
              for answer in boards]
    assert len(set(tokens)) == 3
    # Each reader's own token works for them, from the page rendered for another.
    answer = readers[2].post("/reservation/request", headers={"Accept": "application/json"},
                             data={"csrf_token": tokens[2], "resource_id": bench})
    assert answer.status_code == 201, answer.json
    # And their validator is their own: another's tells them nothing.
    assert board(readers[1], boards[0].headers["ETag"]).status_code == 200


def test_a_shared_board_is_byte_for_byte_the_board_rendered_for_its_reader(app, accounts, bench, clock):
    alice, bob = accounts.user("alice"), accounts.user("bob")
    accounts.add_resource("scope-2")
    board(alice)  # rendered for alice, kept for everyone alike
    shared = board(bob)
    accounts.add_user("zed")  # a commit that changes nothing on the board
    with rendered_templates(app) as rendered:
        own = board(bob)
    assert rendered == ["reservation/_mine.html", "reservation/_board.html"]  # the parts, once
    assert _less_token(shared) == _less_token(own)
    assert shared.headers["ETag"] == own.headers["ETag"]


def test_whoever_holds_or_waits_gets_everyones_board_with_their_own_section_and_cards(app, accounts, bench,
                                                                                      clock):
    """The board is rendered once; each reader on something renders only their "Yours" section
    (tests/test_pages_dashboard_cards.py checks each gets the bytes of their board rendered whole)."""
    alice, bob, carol, dave = (accounts.user(name) for name in ("alice", "bob", "carol", "dave"))
    accounts.add_resource("scope-2", labels=["scope"])
    taken = accounts.add_resource("scope-3", labels=["scope"])
    bob.post("/reservation/request", json={"resource_id": taken})
    carol.post("/reservation/request", json={"resource_id": taken})
    assert dave.post("/reservation/request", json={"labels": ["scope"], "count": 2}).status_code == 201
    with rendered_templates(app) as rendered:
        pages = {name: board(client).get_data(as_text=True)
                 for name, client in (("alice", alice), ("bob", bob), ("carol", carol), ("dave", dave))}
    assert rendered.count("reservation/_board.html") == 1
    assert rendered.count("reservation/_mine.html") == 4  # everyone's, bob's, carol's, dave's
    assert "Approved — you hold it." in pages["bob"]
    assert "You are <strong>position 1</strong> in the queue." in pages["carol"]
    assert "Kept for <strong>dave</strong> (you)" in pages["dave"] and 'id="request-' in pages["dave"]
    assert "(you)" not in pages["alice"] and "You hold nothing and wait for nothing" in pages["alice"]
