"""Which webhook URLs are taken: one parser (INVALID_URL with the reason), and by default no
loopback, link-local, private, unique-local, multicast or unspecified address (URL_NOT_ALLOWED)
unless RESERVIA_WEBHOOK_HOSTS lists a network that contains it."""
import pytest

from tests.notifications.conftest import SECRET

pytestmark = pytest.mark.once

# What the server itself sees as "somewhere else": an empty list, as installed.
DEFAULTS = {"RESERVIA_WEBHOOK_HOSTS": ""}


def register(client, url):
    return client.post("/session/webhooks", json={"url": url, "events": ["granted"], "secret": SECRET})


@pytest.mark.parametrize("url, reason", [
    ("http://ci.example.org/a b", "must not contain spaces"),
    ("http://ci.example.org/hook\r\nX-Injected: 1", "line breaks"),
    ("http://ci.example.org/\x7f", "control characters"),
    ("http://ci.example.org:99999/hook", "port must be a number from 1 to 65535"),
    ("http://ci.example.org:0/hook", "port must be a number from 1 to 65535"),
    ("http://ci.example.org:http/hook", "not a host name or an address"),
    ("http://user:password@ci.example.org/hook", "must not carry a user name or password"),
    ("http://127.0.0.1\\@ci.example.org/", "must not carry a user name or password"),
    ("http://127.0.0.1\\.ci.example.org/", "must not contain a backslash"),
    ("http://2130706433/", "write IPv4 as four numbers"),
    ("http://[fe80::1%25eth0]/", "must not name a network interface"),
    ("http:///hook", "with a host"),
    ("gopher://ci.example.org/", "http:// or https://"),
    ("https://ci.example.org/" + "x" * 2000, "longer than 2,000 characters"),
])
def test_a_url_the_sender_could_not_use_is_refused_with_the_reason(clock, accounts, url, reason):
    alice = accounts.user("alice")
    answer = register(alice, url)
    assert (answer.status_code, answer.json["code"]) == (400, "INVALID_URL")
    assert reason in answer.json["error"]
    assert alice.get("/session/webhooks").json["count"] == 0


@pytest.mark.parametrize("app_settings", [DEFAULTS])
@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8080/hook", "http://127.1.2.3/", "http://[::1]/hook", "http://169.254.169.254/latest/meta-data",
    "http://10.1.2.3/", "http://172.16.0.1/", "http://192.168.1.1/", "http://[fd00::1]/", "http://[fe80::1]/",
    "http://224.0.0.1/", "http://[ff02::1]/", "http://0.0.0.0/", "http://[::]/", "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:169.254.169.254]/", "http://100.64.0.1/", "http://localhost:8080/hook",
    "http://metadata.internal/", "http://both.internal/",
])
def test_by_default_addresses_inside_the_site_are_refused(clock, accounts, resolver, url):
    resolver.names.update({"metadata.internal": ["169.254.169.254"], "both.internal": ["10.0.0.7", "fd00::7"]})
    alice = accounts.user("alice")
    answer = register(alice, url)
    assert (answer.status_code, answer.json["code"]) == (400, "URL_NOT_ALLOWED")
    assert "RESERVIA_WEBHOOK_HOSTS" in answer.json["error"]
    assert alice.get("/session/webhooks").json["count"] == 0


@pytest.mark.parametrize("app_settings", [DEFAULTS])
def test_by_default_public_hosts_are_taken(clock, accounts, resolver):
    resolver.names["hooks.example.net"] = ["93.184.215.14", "127.0.0.1"]
    alice = accounts.user("alice")
    for url in ("https://hooks.example.net/x", "http://93.184.215.14:8443/x", "https://[2606:4700::1]/x",
                "https://not-resolvable-now.example.org/x"):
        assert register(alice, url).status_code == 201, url


@pytest.mark.parametrize("app_settings", [{"RESERVIA_WEBHOOK_HOSTS": "localhost, *.internal, *, 10.0.0.0/8"}])
def test_a_name_pattern_never_opens_inside_addresses_a_network_does(clock, accounts, resolver):
    resolver.names.update({"db.internal": ["192.168.5.5"], "ci.internal": ["10.20.30.40"]})
    alice = accounts.user("alice")
    for url in ("http://localhost/", "http://db.internal/", "http://127.0.0.1/", "http://192.168.5.5/"):
        answer = register(alice, url)
        assert (answer.status_code, answer.json["code"]) == (400, "URL_NOT_ALLOWED"), url
    for url in ("http://ci.internal/", "http://10.1.2.3/", "http://[::ffff:10.1.2.3]/"):
        assert register(alice, url).status_code == 201, url


@pytest.mark.parametrize("app_settings", [{"RESERVIA_WEBHOOK_HOSTS": "*.example.org"}])
def test_the_host_checked_is_the_host_connected_to(clock, accounts):
    """urlsplit reads ok.example.org here, while a sender splitting at the backslash reached 127.0.0.1."""
    alice = accounts.user("alice")
    answer = register(alice, "http://127.0.0.1\\@ok.example.org/")
    assert (answer.status_code, answer.json["code"]) == (400, "INVALID_URL")
