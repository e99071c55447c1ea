"""An administrator gives a team its own rig and a rule on the pages; someone outside the team
sees the rig's card as restricted, without buttons."""
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PASSWORD = "browser-password"


def test_an_administrator_restricts_a_rig_to_a_team_and_others_see_it_restricted(open_page):
    admin = open_page("admin", at=None)
    for name in ("alice", "bob"):
        admin.request.post("/admin/user/add", data={"name": name, "email": f"{name}@example.org",
                                                    "password": PASSWORD})
    admin.goto("/admin/groups")
    admin.get_by_label("Name").fill("HIL team")
    admin.get_by_role("button", name="Add group").click()
    expect(admin.get_by_role("status")).to_contain_text("Group HIL team created.")
    row = admin.get_by_role("row", name="HIL team")
    row.get_by_label("Add user ids").fill("2")
    row.get_by_role("button", name="Change members of HIL team").click()
    expect(admin.get_by_role("status")).to_contain_text("The group has 1 member.")
    expect(admin.get_by_role("row", name="HIL team")).to_contain_text("alice")

    group_id = admin.request.get("/admin/groups").json()["groups"][0]["group_id"]
    admin.request.post("/admin/resource/add", data={"name": "hil-rig", "allowed_groups": [group_id]})
    admin.goto("/admin/rules")
    admin.get_by_label("For").select_option(label="HIL team")
    admin.get_by_label("On resource").select_option(label="hil-rig")
    admin.get_by_label("Priority (0-100, 50 by default)").fill("80")
    admin.get_by_role("button", name="Add rule").click()
    expect(admin.get_by_role("status")).to_contain_text("Rule added.")
    expect(admin.get_by_role("row", name="HIL team")).to_contain_text("hil-rig")

    bob = open_page("bob", PASSWORD)
    card = bob.get_by_role("article", name="hil-rig")
    expect(card).to_contain_text("Restricted")
    expect(card.get_by_role("button")).to_have_count(0)
    alice = open_page("alice", PASSWORD)
    alice.get_by_role("article", name="hil-rig").get_by_role("button", name="Request").click()
    expect(alice.get_by_role("article", name="hil-rig")).to_contain_text("Approved — you hold it.")
