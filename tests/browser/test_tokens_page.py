"""A person makes an API token for a CI job on the API tokens page, copies it once, and revokes it."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def test_a_token_is_made_shown_once_works_for_json_and_is_revoked(open_page, live_server):
    admin = open_page("admin")
    admin.get_by_role("link", name="API tokens").click()
    expect(admin.get_by_role("heading", name="API tokens", level=1)).to_be_visible()
    expect(admin.locator("main")).to_contain_text("Changing your password does not revoke your tokens")
    admin.get_by_label("Name").fill("gitlab-runners")
    admin.get_by_label("Expires after (days)").fill("30")
    admin.get_by_role("button", name="Create token").click()
    expect(admin.get_by_role("status")).to_contain_text("Copy it now")
    secret = admin.get_by_label("The new token").evaluate("field => field.value")
    assert re.fullmatch(r"rsv_[A-Za-z0-9_-]{40,}", secret)
    expect(admin.get_by_role("row", name=re.compile("gitlab-runners")).first).to_be_visible()
    screenshot(admin, "api-tokens")

    script = admin.context.request
    status = script.get(f"{live_server.url}/session/status", headers={"Authorization": f"Bearer {secret}"})
    assert status.json()["user_name"] == "admin"

    admin.goto("/session/tokens")
    expect(admin.get_by_label("The new token")).to_have_count(0)  # shown once only
    admin.get_by_role("button", name="Revoke of gitlab-runners").first.click()
    expect(admin.get_by_role("status")).to_contain_text("Token 'gitlab-runners' revoked.")
    expect(admin.locator("main")).to_contain_text("You have no tokens.")
    anonymous = script.get(f"{live_server.url}/reservation/active", headers={"Authorization": f"Bearer {secret}"})
    assert anonymous.status == 401
