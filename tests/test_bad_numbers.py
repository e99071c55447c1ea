"""Ids and whole numbers: only ASCII digits within an id column's range are numbers, wherever they are typed.

Python's int() takes other scripts' digits ("١" is 1), and str.isdigit() passes superscripts
("²") that int() then refuses: each of these once answered 500 or named the wrong row.
"""
import pytest

from tests.conftest import Accounts
from tests.pages import HTML, csrf_token

NOT_NUMBERS = ["²", "١", "𝟏", "1_0", "+1", "-1", "0", "1.0", "1e3", "0x1", "9223372036854775808", "2147483648",
               "9" * 50, "1 2", "one"]

# Every query-string argument that takes an id or a whole number, with the endpoint it is on.
QUERY_NUMBERS = [
    ("/reservation/active", "resource_id"),
    ("/reservation/active/all_users", "resource_id"),
    ("/reservation/active/user", "resource_id"),
    ("/reservation/history", "user_id"),
    ("/reservation/history", "resource_id"),
    ("/reservation/history", "page"),
    ("/reservation/history", "per_page"),
    ("/reservation/history/export", "user_id"),
    ("/reservation/history/export", "resource_id"),
]


@pytest.fixture(scope="module")
def world(module_app):
    """An administrator with a resource and a hold; the cases only read."""
    accounts = Accounts(module_app)
    bench, admin = accounts.queue_of("bench-1", accounts.admin)
    return module_app, admin, bench


@pytest.mark.parametrize("value", NOT_NUMBERS)
@pytest.mark.parametrize("path, name", QUERY_NUMBERS)
def test_query_numbers_that_are_not_numbers_are_refused(world, path, name, value):
    _, admin, _ = world
    response = admin.get(path, query_string={name: value})
    assert response.status_code == 400, response.data[:300]
    assert response.json["code"] == "INVALID_INPUT"
    assert name in response.json["error"]


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_history_page_number_that_is_not_a_number_is_a_400_page(world, value):
    _, admin, _ = world
    response = admin.get("/reservation/mine", query_string={"page": value}, headers=HTML)
    assert response.status_code == 400
    assert "page must be a whole number" in response.get_data(as_text=True)


@pytest.mark.parametrize("value", NOT_NUMBERS)
@pytest.mark.parametrize("path", ["/admin/users/{}", "/admin/resources/{}"])
def test_ids_in_page_addresses_that_are_not_numbers_are_no_page(world, path, value):
    _, admin, _ = world
    assert admin.get(path.format(value), headers=HTML).status_code == 404


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_resource_filter_of_the_history_page_that_is_not_a_number_is_refused(world, value):
    _, admin, _ = world
    page = admin.get("/reservation/mine", query_string={"resource_id": value}, headers=HTML)
    assert 'id="resource_id-error"' in page.get_data(as_text=True)


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_browser_form_ids_that_are_not_numbers_change_nothing(world, value):
    """"١" once released resource 1 from a browser form: IntegerField took it for 1."""
    _, admin, bench = world
    token = csrf_token(admin, "/")
    response = admin.post("/reservation/release", data={"resource_id": value, "csrf_token": token},
                          headers=HTML, follow_redirects=True)
    assert "Resource:" in response.get_data(as_text=True)
    assert [e["status"] for e in admin.get(f"/reservation/active?resource_id={bench}").json["reservations"]] == [
        "approved"]


def test_the_same_numbers_written_plainly_are_accepted(world):
    _, admin, bench = world
    assert admin.get(f"/reservation/active?resource_id={bench}").status_code == 200
    assert admin.get("/reservation/history?page=1&per_page=5&user_id=1").status_code == 200
    assert admin.get(f"/admin/resources/{bench}", headers=HTML).status_code == 200
    assert admin.get(f"/reservation/mine?page=1&resource_id={bench}", headers=HTML).status_code == 200


@pytest.mark.parametrize("value", ["²", "١", "2147483648", "9223372036854775808"])
@pytest.mark.parametrize("option", ["--user-id", "--resource-id"])
def test_command_line_ids_that_are_not_numbers_are_refused(world, option, value):
    app, _, _ = world
    result = app.test_cli_runner().invoke(args=["export-history", option, value])
    assert result.exit_code == 1
    assert "must be a positive whole number" in result.output
