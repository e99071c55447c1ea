"""Under gunicorn with few threads and default settings, jobs waiting their turn never take the
threads that pages need (tests/deploy/test_apache_waits.py: the same under Apache)."""
import pytest

from tests.conftest import ADMIN_PASSWORD, FAST_HASH
from tests.gunicorn_server import running_gunicorn
from tests.postgres import databases_under_test
from tests.waiting_crowd import THREADS, Crowd, assert_pages_answered_while_jobs_wait

pytestmark = [pytest.mark.slow, pytest.mark.once]


def test_the_dashboard_is_answered_while_more_jobs_wait_than_there_are_threads(tmp_path, migrated_template):
    home = tmp_path / "home"
    migrated_template.copy_to(home)
    with running_gunicorn(home, processes=1, threads=THREADS, RESERVIA_ADMIN_PASSWORD=ADMIN_PASSWORD,
                          RESERVIA_PASSWORD_METHOD=FAST_HASH, RESERVIA_SECRET_KEY="test-secret-key",
                          RESERVIA_DATABASE_URL=databases_under_test.url_for_home(home)) as site:
        assert_pages_answered_while_jobs_wait(Crowd(site, ADMIN_PASSWORD))
    assert f"waits hold at most 2 threads of this process: {THREADS} threads per process (gunicorn)" in (
        home / "reservia.log").read_text()
