"""What clients read about notifications: webhooks, their deliveries, the browser's events, as JSON."""
from backend.notifications import messages
from backend.notifications.messages import resource_ids_of
from backend.serializers import iso


def delivery_json(delivery, event_uid, event):
    """One delivery as its owner sees it: `error` is the category of the last failure (timeout,
    refused, dns, tls, http 503, blocked …), never the text the network gave."""
    return {"id": delivery.id, "event_id": event_uid, "event": event, "status": delivery.status,
            "attempts": delivery.attempts, "status_code": delivery.status_code, "error": delivery.error,
            "created_date": iso(delivery.created_at), "last_attempt_date": iso(delivery.last_attempt_at),
            "next_attempt_date": iso(delivery.next_attempt_at) if delivery.status == "pending" else None,
            "finished_date": iso(delivery.finished_at)}


def webhook_json(summary):
    """A webhook as its owner sees it: everything but the secret."""
    webhook, last = summary.webhook, summary.last_delivery
    return {"id": webhook.id, "url": webhook.url, "events": webhook.event_list, "format": webhook.format,
            "created_date": iso(webhook.created_at), "disabled_reason": webhook.disabled_reason,
            "last_delivery": None if last is None else {
                "status": last.status, "status_code": last.status_code, "attempts": last.attempts,
                "date": iso(last.finished_at or last.last_attempt_at or last.created_at)}}


def feed_entry_json(record):
    """One event as the browser shows it."""
    event = record.event
    return {"id": event.uid, "event": event.event, "time": iso(event.occurred_at),
            "title": messages.title(record), "message": messages.text(record),
            "request_id": event.reservation_id,
            "resource_ids": resource_ids_of(event)}
