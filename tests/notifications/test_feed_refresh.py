"""The notices feed that every signed-in page asks every few seconds: `304 Not Modified` while no
notice arrived for the reader, and on the dashboard the board's refresh says as much, so that an
open page costs one cheap request per interval."""
import re

from tests.pages import HTML

# The forms' CSRF token is signed afresh with the time of each render (a second's difference
# changes it): what the board shows is the page less it.
CSRF_VALUE = re.compile(rb'name="csrf_token" value="[^"]*"')

FEED = "/session/notifications/feed"


def look(client, validator=None, since=None):
    headers = {"If-None-Match": validator} if validator else {}
    return client.get(FEED, query_string={"since": since} if since else {}, headers=headers)


def board(client, validator=None):
    headers = dict(HTML, **({"If-None-Match": validator} if validator else {}))
    return client.get("/reservation/board", headers=headers)


def test_a_feed_without_news_answers_304_and_clients_without_its_validator_get_the_list(clock, accounts):
    _, _, bob = accounts.queue_of("bench-1", "alice", "bob")
    first = look(bob)
    validator = first.headers["ETag"]
    assert first.status_code == 200 and validator.startswith('W/"')
    assert first.json == {"notifications": [], "now": "2026-11-25T09:00:00+00:00"}
    clock.advance(minutes=5)
    again = look(bob, validator, since=first.json["now"])
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == validator
    # A client that does not send the validator is answered as before.
    plain = look(bob, since=first.json["now"])
    assert plain.status_code == 200
    assert plain.json == {"notifications": [], "now": "2026-11-25T09:05:00+00:00"}


def test_the_validator_moves_for_the_readers_own_notice_and_not_for_someone_elses(clock, accounts):
    bench, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    other, carol, _ = accounts.queue_of("bench-2", "carol", "dave")
    first = look(bob)
    validator = first.headers["ETag"]
    clock.advance(minutes=1)
    carol.post("/reservation/release", json={"resource_id": other})  # dave's turn, not bob's
    assert look(bob, validator, since=first.json["now"]).status_code == 304
    clock.advance(minutes=1)
    alice.post("/reservation/release", json={"resource_id": bench})
    news = look(bob, validator, since=first.json["now"])
    assert news.status_code == 200
    [turn] = news.json["notifications"]
    assert turn["title"] == "Your turn: bench-1 is yours"
    assert news.headers["ETag"] != validator
    assert look(bob, news.headers["ETag"], since=news.json["now"]).status_code == 304


def test_a_validator_from_another_reader_is_not_theirs(clock, accounts):
    _, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    assert look(alice, look(bob).headers["ETag"]).status_code == 200


def test_an_unchanged_look_reads_no_more_than_the_validator(clock, accounts, record_statements):
    """On PostgreSQL the validator is read again (one statement); the feed itself is not."""
    _, _, bob = accounts.queue_of("bench-1", "alice", "bob")
    validator = look(bob).headers["ETag"]
    statements = record_statements(lambda: look(bob, validator))
    events = [s for s in statements if "notification_events" in s]
    assert len(events) <= 1 and "JOIN" not in "".join(events)  # not the feed's own query
    assert not [s for s in statements if "notification_preferences" in s]


def test_an_unchanged_look_reads_nothing(clock, accounts, record_statements):
    """On both engines: the commit count (SQLite) or data version (PostgreSQL) says nothing changed."""
    _, _, bob = accounts.queue_of("bench-1", "alice", "bob")
    validator = look(bob).headers["ETag"]
    look(bob, validator)  # the login lookup is read once per commit
    answers = []
    assert record_statements(lambda: answers.append(look(bob, validator))) == []
    assert answers[0].status_code == 304


def test_the_board_carries_the_notices_validator(clock, accounts):
    bench, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    other, carol, _ = accounts.queue_of("bench-2", "carol", "dave")
    sent = board(bob)
    assert sent.headers["Reservia-Notices"] == look(bob).headers["ETag"]
    carol.post("/reservation/release", json={"resource_id": other})  # the board changes, bob's notices not
    changed = board(bob, sent.headers["ETag"])
    assert changed.status_code == 200
    assert changed.headers["Reservia-Notices"] == sent.headers["Reservia-Notices"]
    assert board(bob, changed.headers["ETag"]).status_code == 304
    alice.post("/reservation/release", json={"resource_id": bench})
    turn = board(bob, changed.headers["ETag"])
    assert turn.status_code == 200
    assert turn.headers["Reservia-Notices"] != changed.headers["Reservia-Notices"]
    assert turn.headers["Reservia-Notices"] == look(bob).headers["ETag"]


def test_a_notice_that_changes_nothing_on_the_board_still_moves_its_validator(clock, accounts, worker):
    """`expiring` (the hold ends soon) leaves the board as it was: its refresh must still tell."""
    bench = accounts.add_resource("bench-1")
    alice = accounts.user("alice")
    alice.post("/reservation/request", json={"resource_id": bench})  # ten minutes
    sent = board(alice)
    clock.advance(minutes=9)
    assert board(alice, sent.headers["ETag"]).status_code == 304
    worker.run_once()  # records `expiring` for alice's hold
    told = board(alice, sent.headers["ETag"])
    assert told.status_code == 200
    assert CSRF_VALUE.sub(b"", told.get_data()) == CSRF_VALUE.sub(b"", sent.get_data())
    assert told.headers["Reservia-Notices"] != sent.headers["Reservia-Notices"]
    feed = look(alice, sent.headers["Reservia-Notices"], since="2026-11-25T09:08:00+00:00")
    assert [n["event"] for n in feed.json["notifications"]] == ["expiring"]


def test_a_notice_leaving_the_window_costs_one_look_that_finds_nothing_new(clock, accounts):
    """The script moves `since` on after each 304, as the looks below do."""
    bench, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    alice.post("/reservation/release", json={"resource_id": bench})
    shown = look(bob)
    assert len(shown.json["notifications"]) == 1
    clock.advance(minutes=1)
    assert look(bob, shown.headers["ETag"], since="2026-11-25T09:00:00+00:00").status_code == 304
    clock.advance(minutes=1)
    later = look(bob, shown.headers["ETag"], since="2026-11-25T09:01:00+00:00")
    assert later.status_code == 200 and later.json["notifications"] == []
    assert look(bob, later.headers["ETag"], since=later.json["now"]).status_code == 304


def test_a_resource_change_moves_every_administrators_validator_and_nobody_elses(clock, accounts):
    bench = accounts.add_resource("bench-1")
    other_admin = accounts.user("root2", role="admin")
    alice = accounts.user("alice")
    before = {name: look(client) for name, client in (("admin", accounts.admin), ("root2", other_admin),
                                                        ("alice", alice))}
    clock.advance(minutes=1)
    assert accounts.admin.post("/admin/resource/modify",
                               json={"resource_id": bench, "maintenance": True}).status_code == 200
    after = {name: look(client, before[name].headers["ETag"], since=before[name].json["now"])
             for name, client in (("admin", accounts.admin), ("root2", other_admin), ("alice", alice))}
    assert after["alice"].status_code == 304
    for name in ("admin", "root2"):
        # Shown only to those who turned it on for their browser: the others' look finds nothing new.
        assert after[name].status_code == 200, name
        assert after[name].headers["ETag"] != before[name].headers["ETag"], name
