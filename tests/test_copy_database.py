"""copy-database: a SQLite installation moves to another database (PostgreSQL in that run) whole."""
from tests.conftest import USER_PASSWORD, Accounts, dispose
from tests.postgres import databases_under_test


def _sqlite_app(make_app, tmp_path):
    """The installation copied from: SQLite whatever the run's engine."""
    return make_app(RESERVIA_DATABASE_URL=f"sqlite:///{tmp_path}/source.sqlite3")


def _target_url(tmp_path):
    """An empty database of the engine under test: PostgreSQL in that run, else another SQLite file."""
    return databases_under_test.url_for_home(tmp_path / "target") or f"sqlite:///{tmp_path}/target.sqlite3"


def test_everything_is_copied_and_the_copy_carries_on(tmp_path, make_app):
    source = _sqlite_app(make_app, tmp_path)
    accounts = Accounts(source)
    bench = accounts.add_resource("bench-1", "the fast one")
    accounts.add_resource("bench-2")
    alice, bob = accounts.user("alice"), accounts.user("bob")
    alice.post("/reservation/request", json={"resource_id": bench})
    bob.post("/reservation/request", json={"resource_id": bench})
    alice.post("/reservation/release", json={"resource_id": bench})
    alice.post("/reservation/request", json={"resource_id": bench})
    before = accounts.admin.get("/reservation/active").json["reservations"]
    target_url = _target_url(tmp_path)

    result = source.test_cli_runner().invoke(args=["copy-database", target_url])
    assert result.exit_code == 0, result.output
    assert "reservations: 3 rows" in result.output
    dispose(source)

    copy = make_app(RESERVIA_DATABASE_URL=target_url)
    copied = Accounts(copy)
    assert copied.admin.get("/reservation/active").json["reservations"] == before
    bob_again = copied.login("bob", USER_PASSWORD)
    released = bob_again.post("/reservation/release", json={"resource_id": bench})
    assert released.status_code == 200
    assert released.json["next_reservation_id"] == before[1]["id"]
    carol = copied.user("carol")
    newest = carol.post("/reservation/request", json={"resource_id": bench})
    assert newest.status_code == 201
    assert newest.json["reservation_id"] == 4  # ids continue after the copied ones
    names = [r["name"] for r in copied.admin.get("/info/resources").json["resources"]]
    assert names == ["bench-1", "bench-2"]


def test_a_target_holding_data_is_refused_and_left_alone(tmp_path, make_app):
    target_url = _target_url(tmp_path)
    occupied = make_app(RESERVIA_DATABASE_URL=target_url)
    Accounts(occupied).add_resource("already-here")
    dispose(occupied)
    source = _sqlite_app(make_app, tmp_path)
    Accounts(source).add_resource("bench-1")

    result = source.test_cli_runner().invoke(args=["copy-database", target_url])
    assert result.exit_code == 1
    assert "already holds data" in result.output
    dispose(source)
    occupied = make_app(RESERVIA_DATABASE_URL=target_url)
    names = [r["name"] for r in Accounts(occupied).admin.get("/info/resources").json["resources"]]
    assert names == ["already-here"]


def test_copying_onto_itself_is_refused(tmp_path, make_app):
    source = _sqlite_app(make_app, tmp_path)
    url = source.config["RESERVIA_DATABASE_URL"]
    result = source.test_cli_runner().invoke(args=["copy-database", url])
    assert result.exit_code == 1
    assert "own database" in result.output
