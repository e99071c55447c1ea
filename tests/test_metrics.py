"""/metrics: what Prometheus reads, checked against a known world, and who may read it."""

import pytest
from prometheus_client.parser import text_string_to_metric_families

OFFICE = {"REMOTE_ADDR": "10.20.30.40"}
OUTSIDE = {"REMOTE_ADDR": "192.0.2.7"}
APP_SETTINGS = {"RESERVIA_METRICS_NETWORKS": "10.20.0.0/16, fd00::/8"}


def samples(response):
    """{(metric sample name, frozenset of labels): value} of a /metrics answer."""
    assert response.status_code == 200, response.get_data(as_text=True)
    found = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def metrics_token(admin):
    answer = admin.post("/session/tokens", json={"name": "prometheus", "scope": "metrics"})
    assert answer.status_code == 201, answer.json
    assert answer.json["scope"] == "metrics"
    return {"Authorization": f"Bearer {answer.json['token']}"}


def test_metrics_report_the_queue_labels_and_totals_of_a_known_world(app, accounts, clock):
    admin = accounts.admin
    bench = accounts.add_resource("bench-1", labels=["scope"])
    spare = accounts.add_resource("bench-2", labels=["scope", "usb3"])
    alice, bob = accounts.user("alice"), accounts.user("bob")
    assert alice.post("/reservation/request", json={"resource_id": bench}).json["status"] == "approved"
    assert bob.post("/reservation/request", json={"resource_id": bench}).json["status"] == "requested"
    assert admin.post("/admin/resource/modify", json={"resource_id": spare, "maintenance": True}).status_code == 200
    visitor = app.test_client()
    for guess in ("wrong-1", "wrong-2"):
        assert visitor.post("/session/login", json={"name": "bob", "password": guess}).status_code == 401
    carol = accounts.user("carol")
    assert carol.post("/reservation/request", json={"resource_id": bench}).status_code == 201
    assert carol.post("/reservation/cancel", json={"resource_id": bench}).status_code == 200
    clock.advance(seconds=90)

    found = samples(app.test_client().get("/metrics", environ_base=OFFICE))

    def one(name, **labels):
        return found[(name, frozenset(labels.items()))]

    b1, b2 = {"resource": "bench-1", "resource_id": str(bench)}, {"resource": "bench-2", "resource_id": str(spare)}
    assert (one("reservia_resource_held", **b1), one("reservia_resource_held", **b2)) == (1, 0)
    assert (one("reservia_resource_queue_length", **b1), one("reservia_resource_queue_length", **b2)) == (1, 0)
    assert (one("reservia_resource_maintenance", **b1), one("reservia_resource_maintenance", **b2)) == (0, 1)
    assert one("reservia_resource_oldest_wait_seconds", **b1) == 90
    assert one("reservia_resource_oldest_wait_seconds", **b2) == 0
    assert (one("reservia_label_resources", label="scope"), one("reservia_label_held", label="scope")) == (2, 1)
    assert (one("reservia_label_resources", label="usb3"), one("reservia_label_held", label="usb3")) == (1, 0)
    assert one("reservia_requests_total") == 3
    assert one("reservia_approvals_total") == 1
    assert one("reservia_expiries_total") == 0
    assert one("reservia_login_failures_total") == 2
    assert one("reservia_deliveries_pending") == 0
    assert one("reservia_deliveries_failed_total") == 0
    assert [value for (name, _), value in found.items() if name == "reservia_build_info"] == [1]


def test_expiries_are_counted_from_the_history(app, accounts, clock):
    bench, alice = accounts.queue_of("bench-1", "alice")
    clock.advance(minutes=app.config["RESERVIA_HOLD_MINUTES"] + 1)
    found = samples(app.test_client().get("/metrics", environ_base=OFFICE))
    assert found[("reservia_expiries_total", frozenset())] == 1
    assert found[("reservia_resource_held", frozenset({"resource": "bench-1", "resource_id": str(bench)}.items()))] == 0


@pytest.mark.parametrize("address", ["10.20.30.40", "10.20.255.1"])
def test_a_listed_network_may_scrape_without_signing_in(app, address):
    assert app.test_client().get("/metrics", environ_base={"REMOTE_ADDR": address}).status_code == 200


def test_anyone_else_is_refused(app, accounts):
    assert app.test_client().get("/metrics", environ_base=OUTSIDE).status_code == 403
    alice = accounts.user("alice")
    refused = alice.get("/metrics", environ_base=OUTSIDE)
    assert (refused.status_code, refused.json["code"]) == (403, "METRICS_FORBIDDEN")


def test_administrators_may_scrape_from_anywhere(app, accounts):
    assert accounts.admin.get("/metrics", environ_base=OUTSIDE).status_code == 200


def test_a_metrics_token_scrapes_and_does_nothing_else(app, accounts):
    token = metrics_token(accounts.admin)
    scraper = app.test_client()
    assert scraper.get("/metrics", headers=token, environ_base=OUTSIDE).status_code == 200
    for method, url, body in (("get", "/info/resources", None), ("get", "/session/tokens", None),
                              ("post", "/reservation/request", {"resource_id": 1}),
                              ("post", "/session/logout", {}), ("get", "/admin/statistics", None)):
        refused = scraper.open(url, method=method.upper(), json=body, headers=token)
        assert (refused.status_code, refused.json["code"]) == (403, "TOKEN_SCOPE"), url
    # The refused logout did not revoke it.
    assert scraper.get("/metrics", headers=token, environ_base=OUTSIDE).status_code == 200


def test_an_ordinary_token_of_a_user_cannot_scrape(app, accounts):
    alice = accounts.user("alice")
    secret = alice.post("/session/tokens", json={"name": "ci"}).json["token"]
    refused = app.test_client().get("/metrics", headers={"Authorization": f"Bearer {secret}"}, environ_base=OUTSIDE)
    assert (refused.status_code, refused.json["code"]) == (403, "METRICS_FORBIDDEN")


def test_an_administrators_ordinary_token_may_scrape(app, accounts):
    secret = accounts.admin.post("/session/tokens", json={"name": "all"}).json["token"]
    allowed = app.test_client().get("/metrics", headers={"Authorization": f"Bearer {secret}"}, environ_base=OUTSIDE)
    assert allowed.status_code == 200


def test_only_administrators_make_metrics_tokens(app, accounts):
    alice = accounts.user("alice")
    refused = alice.post("/session/tokens", json={"name": "prometheus", "scope": "metrics"})
    assert (refused.status_code, refused.json["code"]) == (403, "ADMIN_REQUIRED")
    assert alice.get("/session/tokens").json["count"] == 0
    bad = accounts.admin.post("/session/tokens", json={"name": "x", "scope": "everything"})
    assert bad.status_code == 400
    listed = accounts.admin.get("/session/tokens").json["tokens"]
    assert listed == []


def test_tokens_are_of_the_full_scope_unless_asked(app, accounts):
    accounts.admin.post("/session/tokens", json={"name": "ci"})
    [token] = accounts.admin.get("/session/tokens").json["tokens"]
    assert token["scope"] == "full"


def test_a_bad_metrics_network_is_refused_at_start(make_app):
    with pytest.raises(ValueError, match="RESERVIA_METRICS_NETWORKS"):
        make_app(RESERVIA_METRICS_NETWORKS="10.0.0.0/33")


def test_scrapes_need_no_per_process_state(app, make_app, accounts):
    """Two processes of one installation report the same figures."""
    accounts.queue_of("bench-1", "alice", "bob")
    other = make_app(RESERVIA_DATABASE_URL=app.config["RESERVIA_DATABASE_URL"], RESERVIA_METRICS_NETWORKS="10.0.0.0/8")
    first = samples(app.test_client().get("/metrics", environ_base=OFFICE))
    second = samples(other.test_client().get("/metrics", environ_base=OFFICE))
    waits = {k for k in first if k[0] == "reservia_resource_oldest_wait_seconds"}
    assert {k: v for k, v in first.items() if k not in waits} == {k: v for k, v in second.items() if k not in waits}
