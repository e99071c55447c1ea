"""One private Apache for the deployment suite, stopped at the end whatever happened."""
import pytest

from tests.deploy.apache import running_site


@pytest.fixture(scope="session")
def apache(_database_engine):
    """Reservia under https://127.0.0.1:PORT/reservia, two mod_wsgi processes of three threads."""
    with running_site() as site:
        yield site
