"""A refreshed board leaves out the cards the page says it shows (Reservia-Cards): the page puts
its own copies back and has exactly the board sent whole, but for the CSRF tokens."""
import re

import pytest

from tests.pages import HTML

pytestmark = pytest.mark.once

TOKEN = re.compile(r'name="csrf_token" value="[^"]+"')
PLACEHOLDER = re.compile(r'<template data-same="(resource-\d+)"></template>')
CARD = re.compile(r'<article [^>]*?id="(resource-\d+)"[\s\S]*?</article>')


def board(client, cards=None):
    headers = dict(HTML, **({"Reservia-Cards": cards} if cards is not None else {}))
    return client.get("/reservation/board", headers=headers)


def put_back(sent, held):
    """What dashboard.js does: each placeholder replaced by the page's copy of that card."""
    cards = {found.group(1): found.group(0) for found in CARD.finditer(held)}
    return PLACEHOLDER.sub(lambda found: cards[found.group(1)], sent)


def same_but_tokens(one, other):
    return TOKEN.sub("", one) == TOKEN.sub("", other)


@pytest.fixture
def benches(accounts):
    return [accounts.add_resource(f"bench-{n}") for n in range(1, 6)]


@pytest.mark.parametrize("reader", ["someone on no card", "the holder"])
def test_a_change_sends_only_the_cards_it_changed(accounts, benches, reader):
    holder = accounts.user("hana")
    holder.post("/reservation/request", json={"resource_id": benches[0]})
    client = holder if reader == "the holder" else accounts.user("ivo")
    first = board(client, "")
    assert first.status_code == 200
    held = first.get_data(as_text=True)
    assert not PLACEHOLDER.search(held)  # a page that holds nothing gets every card
    named = first.headers["Reservia-Cards"].split(",")
    assert [name.split(":")[0] for name in named] == [f"resource-{rid}" for rid in benches]

    accounts.user("jon").post("/reservation/request", json={"resource_id": benches[2]})
    changed = board(client, first.headers["Reservia-Cards"])
    sent = changed.get_data(as_text=True)
    assert set(PLACEHOLDER.findall(sent)) == {f"resource-{rid}" for rid in benches if rid != benches[2]}
    assert "jon" in sent and len(sent) < len(held) / 2
    assert "Reservia-Cards" in changed.headers["Vary"]
    whole = board(client).get_data(as_text=True)  # the same board, asked without naming any card
    assert same_but_tokens(put_back(sent, held), whole)
    # The names it sends are those of the whole board: the next refresh compares with them.
    assert changed.headers["Reservia-Cards"] != first.headers["Reservia-Cards"]
    assert changed.headers["Reservia-Cards"].split(",")[0] == named[0]


def test_readers_of_one_board_each_get_it_with_their_own_forms(accounts, benches):
    """Everyone on no card shares one board, cut at its cards once per change: each still gets
    it with the token of their own session, whose forms work."""
    readers = [accounts.user("ivo"), accounts.user("kim")]
    held = {reader: board(reader, "") for reader in readers}
    accounts.user("jon").post("/reservation/request", json={"resource_id": benches[2]})
    tokens = []
    for asked_so_far, reader in enumerate(readers, start=2):
        sent = board(reader, held[reader].headers["Reservia-Cards"]).get_data(as_text=True)
        assert PLACEHOLDER.search(sent)
        whole = board(reader).get_data(as_text=True)
        assert same_but_tokens(put_back(sent, held[reader].get_data(as_text=True)), whole)
        own = set(TOKEN.findall(sent))
        assert len(own) == 1
        tokens.append(own.pop())
        token = tokens[-1].split('value="')[1][:-1]
        answer = reader.post("/reservation/request", headers=HTML,
                             data={"csrf_token": token, "resource_id": benches[3], "next": "/"})
        assert answer.status_code == 302
        assert reader.get("/reservation/active").json["count"] == asked_so_far  # jon's and theirs
    assert tokens[0] != tokens[1]


def test_a_card_named_wrongly_is_sent_whole(accounts, benches):
    client = accounts.user("ivo")
    named = board(client, "").headers["Reservia-Cards"].split(",")
    wrong = [named[0].split(":")[0] + ":" + "0" * 16, *named[1:]]
    sent = board(client, ",".join(wrong)).get_data(as_text=True)
    assert PLACEHOLDER.findall(sent) == [name.split(":")[0] for name in named[1:]]


@pytest.mark.parametrize("cards", ["garbage", "resource-1", "resource-x:zz, ,,", "resource-1:" + "a" * 5000,
                                   ",".join(["resource-1:0123456789abcdef"] * 5000)])
def test_a_header_it_cannot_read_gets_the_whole_board(accounts, benches, cards):
    client = accounts.user("ivo")
    answer = board(client, cards)
    assert answer.status_code == 200
    assert not PLACEHOLDER.search(answer.get_data(as_text=True))
    assert len(answer.headers["Reservia-Cards"].split(",")) == len(benches)


def refresh(client, last):
    """The page's next refresh after the answer `last`: its validator and the cards it shows."""
    return client.get("/reservation/board", headers=dict(
        HTML, **{"If-None-Match": last.headers["ETag"], "Reservia-Cards": last.headers["Reservia-Cards"]}))


@pytest.mark.parametrize("reader", ["someone on no card", "the holder"])
def test_an_unchanged_board_is_still_a_304(accounts, benches, reader):
    holder = accounts.user("hana")
    holder.post("/reservation/request", json={"resource_id": benches[0]})
    client = holder if reader == "the holder" else accounts.user("ivo")
    first = board(client, "")
    again = refresh(client, first)
    assert again.status_code == 304 and again.get_data() == b""


def test_the_holders_own_card_changed_is_sent_and_only_it(accounts, benches):
    """A holder's board is made of everyone's parts and their own: a change on their own card
    moves their validator and sends that card, with them and the newcomer on it."""
    holder = accounts.user("hana")
    holder.post("/reservation/request", json={"resource_id": benches[0]})
    first = board(holder, "")
    accounts.user("jon").post("/reservation/request", json={"resource_id": benches[0]})
    changed = refresh(holder, first)
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]
    sent = changed.get_data(as_text=True)
    assert PLACEHOLDER.findall(sent) == [f"resource-{rid}" for rid in benches[1:]]
    own = CARD.search(sent).group(0)
    assert "Approved — you hold it." in own and "jon" in own
    assert same_but_tokens(put_back(sent, first.get_data(as_text=True)), board(holder).get_data(as_text=True))
    assert refresh(holder, changed).status_code == 304
