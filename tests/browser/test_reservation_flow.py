"""The whole story in a real browser: an administrator sets up, three people share one bench."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, screenshot

pytestmark = pytest.mark.browser

PASSWORD = "browser-password"


def add_user(admin, name):
    admin.goto("/admin/users")
    form = admin.locator("form", has=admin.get_by_role("button", name="Add user"))
    form.get_by_label("User name").fill(name)
    form.get_by_label("Email").fill(f"{name}@example.org")
    form.get_by_label("Password").fill(PASSWORD)
    form.get_by_label("Role").select_option("user")
    form.get_by_role("button", name="Add user").click()
    expect(admin.get_by_role("status")).to_contain_text("User created successfully")


def add_resource(admin, name, comment):
    admin.goto("/admin/resources")
    admin.get_by_label("Name", exact=True).fill(name)
    admin.get_by_label("Comment").fill(comment)
    admin.get_by_role("button", name="Add resource").click()
    expect(admin.get_by_role("status")).to_contain_text("Resource created successfully")


def card(page, name):
    return page.get_by_role("article", name=name)


def test_queue_is_served_in_order_and_the_waiting_page_updates_itself(open_page):
    admin = open_page("admin", at=None)  # add_user opens the Users page
    add_user(admin, "alice")
    add_user(admin, "bob")
    add_resource(admin, "bench-1", "Oscilloscope and logic analyser, room 2.14")
    add_resource(admin, "licence-matlab", "One seat")
    add_resource(admin, "pi-cluster", "")

    alice = open_page("alice", PASSWORD)
    card(alice, "bench-1").get_by_role("button", name="Request").click()
    expect(alice.get_by_role("status")).to_contain_text("approved")
    expect(card(alice, "bench-1")).to_contain_text("Approved — you hold it.")

    bob = open_page("bob", PASSWORD)
    card(bob, "bench-1").get_by_role("button", name="Request").click()
    expect(bob.get_by_role("status")).to_contain_text("position 1")
    expect(card(bob, "bench-1")).to_contain_text("You are position 1 in the queue.")
    card(bob, "licence-matlab").get_by_role("button", name="Request").click()
    expect(card(bob, "licence-matlab")).to_contain_text("Approved — you hold it.")
    bob.evaluate("window.__notReloaded = true")

    admin.goto("/admin/users")
    screenshot(admin, "admin-users")
    admin.goto("/admin/resources")
    screenshot(admin, "admin-resources")
    alice.reload()
    expect(card(alice, "bench-1")).to_contain_text("bob")
    screenshot(alice, "dashboard-desktop")

    boards = []
    bob.on("response", lambda answer: boards.append(answer) if "/reservation/board" in answer.url else None)
    card(alice, "bench-1").get_by_role("button", name="Release").click()
    expect(alice.get_by_role("status")).to_contain_text("Released — bob now holds it.")

    expect(card(bob, "bench-1")).to_contain_text("Approved — you hold it.")
    expect(card(bob, "bench-1").get_by_role("button", name="Release")).to_be_visible()
    expect(bob.locator("#board-announcer")).to_contain_text("you now hold bench-1")
    assert bob.evaluate("window.__notReloaded") is True
    # The refresh sent bench-1's card alone; the others are the page's own copies, whose forms
    # still work.
    kept = f'<template data-same="{card(bob, "licence-matlab").get_attribute("id")}">'
    assert any(kept in answer.text() for answer in boards if answer.status == 200)
    card(bob, "licence-matlab").get_by_role("button", name="Release").click()
    expect(bob.get_by_role("status")).to_contain_text("Released")
    expect(card(bob, "licence-matlab").get_by_role("button", name="Request")).to_be_visible()

    phone = open_page("bob", PASSWORD, viewport=PHONE)
    expect(card(phone, "bench-1")).to_contain_text("Approved — you hold it.")
    screenshot(phone, "dashboard-phone")
    admin.set_viewport_size(PHONE)
    admin.goto("/admin/resources")
    screenshot(admin, "admin-resources-phone")


def test_cancelling_a_queued_request(open_page, live_server):
    admin = open_page("admin", at=None)  # add_user opens the Users page
    add_user(admin, "alice")
    add_resource(admin, "bench-1", "")
    admin.goto("/")
    card(admin, "bench-1").get_by_role("button", name="Request").click()
    alice = open_page("alice", PASSWORD)
    card(alice, "bench-1").get_by_role("button", name="Request").click()
    card(alice, "bench-1").get_by_role("button", name="Cancel request").click()
    expect(alice.get_by_role("status")).to_contain_text("Request cancelled.")
    expect(card(alice, "bench-1").get_by_role("button", name="Request")).to_be_visible()
    alice.goto("/reservation/mine")
    expect(alice.get_by_role("row", name=re.compile("bench-1"))).to_contain_text("cancelled")


def test_everything_works_with_javascript_off(open_page):
    admin = open_page("admin", at=None)  # add_user opens the Users page
    add_user(admin, "alice")
    add_resource(admin, "bench-1", "")
    admin.goto("/")
    card(admin, "bench-1").get_by_role("button", name="Request").click()

    alice = open_page("alice", PASSWORD, javascript=False)
    card(alice, "bench-1").get_by_role("button", name="Request").click()
    expect(alice.get_by_role("status")).to_contain_text("position 1")
    expect(card(alice, "bench-1").locator("time").first).to_contain_text("UTC")

    card(admin, "bench-1").get_by_role("button", name="Release").click()
    # No script: the page reloads itself every few seconds instead.
    expect(card(alice, "bench-1")).to_contain_text("Approved — you hold it.")
