"""Under the deployment's Apache with few threads and default settings, jobs waiting their turn
never take the threads that pages need: mod_wsgi says how many threads its processes have."""
import pytest

from deploy.apache_site import ADMIN_PASSWORD
from tests.deploy.conftest import running_site
from tests.waiting_crowd import THREADS, Crowd, assert_pages_answered_while_jobs_wait

pytestmark = [pytest.mark.deploy, pytest.mark.slow, pytest.mark.once]


def test_the_dashboard_is_answered_while_more_jobs_wait_than_there_are_threads(_database_engine):
    with running_site(processes=1, threads=THREADS,
                      extra_settings={"RESERVIA_PASSWORD_METHOD": "pbkdf2:sha256:1000"}) as site:
        assert_pages_answered_while_jobs_wait(Crowd(site, ADMIN_PASSWORD))
        told = site.reservia_log.read_text()
    assert f"waits hold at most 2 threads of this process: {THREADS} threads per process (mod_wsgi)" in told
