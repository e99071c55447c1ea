"""The bodies Reservia sends: JSON for webhooks (or Slack-style {"text"}), and e-mail messages.

A body is built once, when the worker fans an event out, and stored with the delivery: every
attempt then sends the same bytes under the same signature.
"""
import json

from backend.models.notifications import EMAIL
from backend.notifications import messages
from backend.notifications.messages import resource_ids_of
from backend.serializers import iso


class BodyRenderer:
    """render(record, channel, webhook) -> text, with links to this Reservia's dashboard."""

    def __init__(self, public_url):
        self.public_url = public_url.rstrip("/")

    @property
    def dashboard_url(self):
        return f"{self.public_url}/" if self.public_url else None

    def __call__(self, record, channel, webhook):
        if channel == EMAIL:
            return json.dumps({"subject": f"Reservia: {messages.title(record)}", "text": self.email_text(record)})
        if webhook.format == "slack":
            # A bare address: Slack, Mattermost and Teams each make it a link; their markups differ.
            link = f" {self.dashboard_url}" if self.dashboard_url else ""
            return json.dumps({"text": f"{messages.text(record)}{link}"})
        return json.dumps(self.payload(record))

    def payload(self, record):
        """The JSON a webhook receives."""
        event = record.event
        detail = event.detail or {}
        return {
            "id": event.uid,
            "event": event.event,
            "time": iso(event.occurred_at),
            "user_id": event.user_id,
            "user_name": record.user_name,
            "request_id": event.reservation_id,
            "resource_ids": resource_ids_of(event),
            "resources": ([{"id": event.resource_id, "name": record.resource_name}]
                          if event.resource_id is not None else []),
            "reason": event.reason,
            "valid_until": detail.get("valid_until"),
            "maintenance": detail.get("maintenance"),
            "title": messages.title(record),
            "message": messages.text(record),
            "dashboard_url": self.dashboard_url,
        }

    def email_text(self, record):
        lines = [messages.text(record), ""]
        if self.dashboard_url:
            lines += [f"Dashboard: {self.dashboard_url}", "",
                      "-- ", f"Choose which events reach you by e-mail: {self.public_url}/session/notifications"]
        return "\n".join(lines) + "\n"
