"""One private Apache for the deployment suite, stopped at the end whatever happened."""
import pytest

from tests.deploy.apache import ApacheSite, apache_virtualenv
from tests.postgres import databases_under_test


@pytest.fixture(scope="session")
def apache(_database_engine):
    """Reservia under https://127.0.0.1:PORT/reservia, two mod_wsgi processes of three threads."""
    site = ApacheSite(apache_virtualenv()).prepare()
    site.database_url = databases_under_test.url_for_home(site.data)
    try:
        yield site.start()
    finally:
        site.stop()
        site.remove()
