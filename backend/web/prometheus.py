"""/metrics in the Prometheus text format, made with prometheus_client from one Snapshot.

Each scrape builds a registry of its own holding one collector over the figures just read, so
nothing is registered in prometheus_client's global registry and nothing is counted in this
process: several applications in one process (the tests) or several processes report alike.
"""
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, InfoMetricFamily

from backend.version import __version__

# The help text of each metric, as docs/observability.md lists them.
HELP = {
    "reservia_resource_held": "1 while someone holds the resource, else 0.",
    "reservia_resource_queue_length": "Requests by name waiting for the resource.",
    "reservia_resource_maintenance": "1 while the resource is in maintenance, else 0.",
    "reservia_resource_oldest_wait_seconds": "Seconds the oldest request waiting for the resource has waited; "
                                             "0 when nobody waits.",
    "reservia_label_resources": "Active resources carrying the label.",
    "reservia_label_held": "Resources carrying the label that someone holds.",
    "reservia_requests": "Requests made (by name or by labels, one each), from the history.",
    "reservia_approvals": "Requests approved, from the history.",
    "reservia_expiries": "Holds and queued requests that expired, from the history.",
    "reservia_bookings": "Bookings by outcome, from the history.",
    "reservia_deliveries_pending": "Notification deliveries waiting to be sent or retried.",
    "reservia_deliveries_failed": "Notification deliveries that failed for good, among those kept.",
    "reservia_login_failures": "Failed logins (wrong password or unknown name).",
    "reservia_build": "The running Reservia's version.",
}
CONTENT_TYPE = CONTENT_TYPE_LATEST


class SnapshotCollector:
    """A prometheus_client collector over one Snapshot (backend/database/metrics.py)."""

    def __init__(self, snapshot):
        self.snapshot = snapshot

    def collect(self):
        s = self.snapshot
        per_resource = {
            "reservia_resource_held": lambda r: int(r.held),
            "reservia_resource_queue_length": lambda r: r.queue_length,
            "reservia_resource_maintenance": lambda r: int(r.maintenance),
            "reservia_resource_oldest_wait_seconds": lambda r: r.oldest_wait_seconds,
        }
        for name, value in per_resource.items():
            family = GaugeMetricFamily(name, HELP[name], labels=["resource", "resource_id"])
            for r in s.resources:
                family.add_metric([r.name, str(r.resource_id)], value(r))
            yield family
        for name, value in (("reservia_label_resources", lambda x: x.resources),
                            ("reservia_label_held", lambda x: x.held)):
            family = GaugeMetricFamily(name, HELP[name], labels=["label"])
            for label in s.labels:
                family.add_metric([label.label], value(label))
            yield family
        for name, value in (("reservia_requests", s.requests), ("reservia_approvals", s.approvals),
                            ("reservia_expiries", s.expiries), ("reservia_deliveries_failed", s.deliveries_failed),
                            ("reservia_login_failures", s.login_failures)):
            yield CounterMetricFamily(name, HELP[name], value=value)
        bookings = CounterMetricFamily("reservia_bookings", HELP["reservia_bookings"], labels=["outcome"])
        for outcome, count in sorted(s.bookings.items()):
            bookings.add_metric([outcome], count)
        yield bookings
        yield GaugeMetricFamily("reservia_deliveries_pending", HELP["reservia_deliveries_pending"],
                                value=s.deliveries_pending)
        yield InfoMetricFamily("reservia_build", HELP["reservia_build"], value={"version": __version__})


def exposition(snapshot):
    """The Prometheus text of one Snapshot, as bytes."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SnapshotCollector(snapshot))
    return generate_latest(registry)
