"""The Reports page in Chromium: its inline SVG charts draw under the Content-Security-Policy (no
refused style, no script), and the page reads the same without JavaScript."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def refusals(page):
    found = []
    page.on("console", lambda message: found.append(message.text)
            if "Content Security Policy" in message.text or "Refused" in message.text else None)
    return found


@pytest.mark.parametrize("javascript", [True, False])
def test_the_reports_page_draws_its_charts_under_the_policy(open_page, javascript):
    admin = open_page("admin", javascript=javascript, at=None)
    bench = admin.request.post("/admin/resource/add", data={"name": "bench-1", "labels": ["scope"]}).json()
    admin.request.post("/reservation/request", data={"resource_id": bench["resource_id"]})
    refused = refusals(admin)
    admin.goto("/reports")
    expect(admin.get_by_role("heading", name="Reports")).to_be_visible()
    charts = admin.locator("figure.report-chart svg")
    expect(charts).to_have_count(3)
    # pygal's own style sheet applied: its title text is styled by the nonce'd <style> element.
    font_size = charts.first.locator("text.title").first.evaluate("el => getComputedStyle(el).fontSize")
    assert font_size == "16px"
    expect(admin.get_by_role("heading", name="Busy hours")).to_be_visible()
    expect(admin.get_by_role("heading", name="Top users")).to_be_visible()
    admin.get_by_label("Per", exact=True).select_option("week")
    admin.get_by_role("button", name="Show").click()
    expect(admin.locator("figure.report-chart svg")).to_have_count(3)
    if javascript:
        screenshot(admin, "reports")
    assert refused == []
