"""One private Apache for the deployment suite, stopped at the end whatever happened."""
from contextlib import contextmanager

import pytest

from deploy.apache_site import ApacheSite, apache_virtualenv
from tests.conftest import FAST_HASH
from tests.postgres import databases_under_test


@contextmanager
def running_site(extra_settings=None, **options):
    """A private Apache serving Reservia on the run's database engine; stopped and removed at the end,
    pass or fail.

    Passwords are hashed the suite's cheap way unless `extra_settings` says otherwise: production's
    scrypt cost a tenth of a second of CPU for each of some fifty logins and accounts a run, and
    these tests are about the site, not the hash (the root-mount site keeps production's)."""
    settings = {"RESERVIA_PASSWORD_METHOD": FAST_HASH, **(extra_settings or {})}
    site = ApacheSite(apache_virtualenv(), extra_settings=settings, **options).prepare()
    site.database_url = databases_under_test.url_for_home(site.data)
    try:
        yield site.start()
    finally:
        site.stop()
        site.remove()


# Failed logins an address may make in a minute on the shared site (test_apache_login_limits.py).
ADDRESS_LIMIT = 12


@pytest.fixture(scope="session")
def apache(_database_engine):
    """Reservia under https://127.0.0.1:PORT/reservia, two mod_wsgi processes of five threads."""
    with running_site(extra_settings={"RESERVIA_LOGIN_ADDRESS_FAILURES_PER_MINUTE": ADDRESS_LIMIT}) as site:
        yield site
