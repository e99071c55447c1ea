"""The dashboard's cards are rendered once per change and served to every reader: each reader still
gets, byte for byte, the page the cards rendered for them alone would make, and a changed card is
rendered once for all its readers, in this process or another of the same installation."""
import re
import shutil

import pytest

from backend.web.cards import cards_of
from backend.web.fragment_files import FragmentFiles
from tests.pages import HTML

pytestmark = pytest.mark.once

PATHS = ("/", "/reservation/board", "/?q=bench", "/reservation/board?label=scope")
_TOKEN = re.compile(r'name="csrf_token" value="[^"]+"')


def page(client, path):
    """The page as its reader gets it, less the CSRF token (signed anew, with the time, on each render)."""
    answer = client.get(path, headers=HTML)
    assert answer.status_code == 200
    return _TOKEN.sub('name="csrf_token" value=""', answer.get_data(as_text=True))


def card(html, resource_id):
    return re.search(rf'<article[^>]*id="resource-{resource_id}".*?</article>', html, re.S).group(0)


@pytest.fixture
def busy(accounts, clock):
    """Cards in every state, seen by readers who stand differently to them: a holder with a note,
    waiters, someone a label request keeps a resource for, someone outside a group, a member of it,
    an administrator; a resource in maintenance, a booked one, a health-checked one."""
    admin = accounts.admin
    group = admin.post("/admin/group/add", json={"name": "hil"}).json["group_id"]
    ids = {"bench": accounts.add_resource("bench-1", "the fast <one> & more", labels=["scope", "x86"]),
           "scope": accounts.add_resource("bench-2", labels=["scope"]),
           "rig": admin.post("/admin/resource/add", json={"name": "rig-1", "allowed_groups": [group]}).json[
               "resource_id"],
           "maintenance": accounts.add_resource("maint-1"),
           "booked": accounts.add_resource("booked-1"),
           "free": accounts.add_resource("scope-3", labels=["scope"])}
    readers = {name: accounts.user(name) for name in ("alice", "bob", "carol", "erin", "frank")}
    member = accounts.add_user("gina")
    assert admin.post("/admin/group/members", json={"group_id": group, "add": [member]}).status_code == 200
    readers["gina"] = accounts.login("gina")
    alice, bob, carol, erin, frank = (readers[n] for n in ("alice", "bob", "carol", "erin", "frank"))
    assert alice.post("/reservation/request", json={"resource_id": ids["bench"], "note": "<b>flashing</b>"}).json[
        "status"] == "approved"
    bob.post("/reservation/request", json={"resource_id": ids["bench"]})
    carol.post("/reservation/request", json={"resource_id": ids["bench"]})
    frank.post("/reservation/request", json={"resource_id": ids["free"]})
    assert erin.post("/reservation/request", json={"labels": ["scope"], "count": 3}).status_code == 201
    bob.post("/reservation/request", json={"resource_id": ids["maintenance"]})
    admin.post("/admin/resource/modify", json={"resource_id": ids["maintenance"], "maintenance": True})
    carol.post("/reservation/request", json={"resource_id": ids["maintenance"]})
    assert carol.post("/reservation/book", json={"resource_id": ids["booked"], "start": "2026-11-26T14:00:00Z",
                                                 "end": "2026-11-26T16:00:00Z"}).status_code == 201
    assert admin.post("/admin/resource/health_check", json={"resource_id": ids["scope"], "kind": "tcp",
                                                            "target": "127.0.0.1:9"}).status_code == 200
    return ids, {"admin": admin, **readers}


def test_every_reader_gets_the_same_bytes_from_kept_cards_as_from_cards_rendered_for_them(app, busy):
    ids, readers = busy
    cards = cards_of(app)
    kept = {(name, path, n): page(client, path) for n in (1, 2) for name, client in readers.items() for path in PATHS}
    cards.keep = False
    whole = {(name, path): page(client, path) for name, client in readers.items() for path in PATHS}

    for (name, path, _), html in kept.items():
        assert html == whole[name, path], f"{name} on {path}"
    # Each reader's own marks are there, and nobody else's.
    bench, rig = ids["bench"], ids["rig"]
    assert '<li class="queue-me">' in card(kept["bob", "/", 2], bench) and "bob (you)" in kept["bob", "/", 2]
    assert "(you)" not in card(kept["frank", "/", 2], bench)
    assert "Kept for <strong>erin</strong> (you)" in kept["erin", "/", 2]
    assert "pill-restricted" in card(kept["frank", "/", 2], rig)
    assert "pill-restricted" not in card(kept["gina", "/", 2], rig)
    assert 'class="manage"' in kept["admin", "/", 2] and 'class="manage"' not in kept["alice", "/", 2]
    assert "Approved — you hold it." in card(kept["alice", "/", 2], bench)
    assert "You are <strong>position 2</strong> in the queue." in card(kept["carol", "/", 2], bench)


def test_a_kept_card_carries_the_readers_own_csrf_token(busy):
    ids, readers = busy
    booked = ids["booked"]  # the same foot for both: neither is on the card

    def token_on_card(name):
        html = readers[name].get("/", headers=HTML).get_data(as_text=True)
        return re.search(r'name="csrf_token" value="([^"]+)"', card(html, booked)).group(1)

    assert token_on_card("frank") != token_on_card("gina")
    answer = readers["gina"].post("/reservation/request", headers=HTML,
                                  data={"csrf_token": token_on_card("gina"), "resource_id": booked})
    assert answer.status_code == 302
    assert "Approved — you hold it." in card(page(readers["gina"], "/"), booked)


def test_a_changed_card_is_rendered_once_for_all_its_readers(app, accounts):
    bench, other = accounts.add_resource("bench-1"), accounts.add_resource("bench-2")
    readers = [accounts.user(f"reader{n}") for n in range(6)]
    validators = [reader.get("/reservation/board", headers=HTML).headers["ETag"] for reader in readers]
    cards = cards_of(app)
    before = cards.shared_renders

    readers[0].post("/reservation/request", json={"resource_id": bench})
    boards = [reader.get("/reservation/board", headers={**HTML, "If-None-Match": validator})
              for reader, validator in zip(readers, validators, strict=True)]

    assert cards.shared_renders - before == 1
    for board in boards:
        assert board.status_code == 200
        assert "Held by <strong>reader0</strong>" in card(board.get_data(as_text=True), bench)
        assert "Held by" not in card(board.get_data(as_text=True), other)


def test_another_process_of_the_installation_reads_the_cards_this_one_rendered(app, accounts, make_app):
    for n in range(3):
        accounts.add_resource(f"bench-{n}")
    accounts.user("alice").get("/", headers=HTML)
    other = make_app(home=app.config["RESERVIA_HOME"], migrated=False,
                     RESERVIA_DATABASE_URL=app.config["RESERVIA_DATABASE_URL"])
    reader = other.test_client()
    assert reader.post("/session/login", json={"name": "alice", "password": "user-password-1"}).status_code == 200

    assert "bench-2" in page(reader, "/")
    assert cards_of(other).shared_renders == 0


def test_kept_fragments_are_read_only_whole_and_their_folder_stays_bounded(tmp_path):
    files = FragmentFiles(tmp_path / "cards", limit=10, prune_every=5)
    assert files.get("missing") is None
    for n in range(40):
        files.put(f"fragment-{n}", f"<p>{n}</p>" * 100)
    assert files.get("fragment-39") == "<p>39</p>" * 100
    (tmp_path / "cards" / "half-written").write_text("<p>39</p>" * 50)
    assert files.get("half-written") is None
    assert len(list((tmp_path / "cards").iterdir())) <= 10 + 5 + 1
    shutil.rmtree(tmp_path / "cards")  # an operator clears the cache
    files.put("again", "<p>again</p>")
    assert files.get("again") == "<p>again</p>"


def test_a_folder_that_cannot_be_written_only_means_cards_are_rendered_again(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    files = FragmentFiles(blocked / "cards")
    files.put("fragment", "<p>kept</p>")
    assert files.get("fragment") is None
