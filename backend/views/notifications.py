"""Notifications for the signed-in user: the Notifications page and its preferences, webhooks over
JSON or the page's forms, and the events the browser shows as they happen."""
import secrets

from flask import current_app, jsonify, redirect, render_template, request, url_for
from flask.views import MethodView
from flask_login import current_user

from backend.database import get_database
from backend.database.notifications import events_for
from backend.forms.binding import bind_form
from backend.forms.history_filters import parse_moment
from backend.forms.notifications import (
    CHANNEL_LABELS,
    EVENT_LABELS,
    PreferencesForm,
    WebhookForm,
    WebhookIdForm,
    preference_name,
)
from backend.forms.query import query_id, query_paging
from backend.models.notifications import EVENTS, PREFERENCE_CHANNELS
from backend.notifications.documents import delivery_json, feed_entry_json, webhook_json
from backend.serializers import iso
from backend.views.session import blueprint
from backend.web.access import login_required
from backend.web.conditional import answer_unless_unchanged
from backend.web.form_pages import refused_form, show_refusals_at_fields
from backend.web.notices import FEED_OVERLAP, notices_version, validator_gap
from backend.web.responses import respond, wants_json

# Deliveries shown per webhook on the page.
SHOWN_DELIVERIES = 5


@blueprint.app_context_processor
def _notice_helpers():
    """The moment a page was drawn: its script asks for the events recorded since then; and how
    old its previous look may be for it to send the feed's validator back (web/notices.py)."""
    return {"notices_since": lambda: iso(get_database().now()),
            "notices_validator_seconds": lambda: int(validator_gap().total_seconds())}


def _preferences_json(preferences):
    return {preference_name(event, channel): on for (event, channel), on in preferences.items()}


def notifications_page(webhook_form=None, status=200):
    database = get_database()
    summaries = database.notifications.webhooks(current_user)
    recent = {s.webhook.id: database.notifications.deliveries(current_user, s.webhook.id, SHOWN_DELIVERIES)[1]
              for s in summaries}
    events = events_for(current_user)
    if webhook_form is None:
        webhook_form = refused_form("session.webhooks", WebhookForm) or WebhookForm()
    webhook_form.events.choices = [(e, EVENT_LABELS[e]) for e in events]
    return render_template(
        "session/notifications.html", preferences=database.notifications.preferences(current_user),
        events=events, channels=PREFERENCE_CHANNELS, event_labels=EVENT_LABELS,
        channel_labels=CHANNEL_LABELS, preference_name=preference_name, summaries=summaries,
        recent=recent, webhook_form=webhook_form,
        booking_reminder_minutes=database.notifications.reminder_minutes(current_user),
        email_configured=bool(current_app.config["RESERVIA_SMTP_HOST"])), status


class NotificationsView(MethodView):
    """The page, or for scripts the preferences; a post changes the preferences it names."""

    decorators = [login_required]

    def get(self):
        if not wants_json():
            return notifications_page()
        database = get_database()
        preferences = database.notifications.preferences(current_user)
        return jsonify(preferences=_preferences_json(preferences), events=list(events_for(current_user)),
                       email_configured=bool(current_app.config["RESERVIA_SMTP_HOST"]),
                       booking_reminder_minutes=database.notifications.reminder_minutes(current_user))

    def post(self):
        form = bind_form(PreferencesForm)
        changes = {(event, channel): form[preference_name(event, channel)].data
                   for event in EVENTS for channel in PREFERENCE_CHANNELS
                   if preference_name(event, channel) in form.provided}
        preferences = get_database().notifications.set_preferences(current_user, changes,
                                                                   form.booking_reminder_minutes.data)
        return respond({"message": "Notification preferences saved.",
                        "preferences": _preferences_json(preferences)},
                       default_endpoint="session.notifications")


class WebhooksView(MethodView):
    decorators = [login_required]

    def get(self):
        if not wants_json():
            return redirect(url_for("session.notifications"))
        summaries = get_database().notifications.webhooks(current_user)
        return jsonify(webhooks=[webhook_json(s) for s in summaries], count=len(summaries))

    def post(self):
        form = bind_form(WebhookForm)
        generated = not form.secret.data
        secret = form.secret.data or secrets.token_urlsafe(24)
        webhook = get_database().notifications.add_webhook(
            current_user, form.url.data, list(dict.fromkeys(form.events.data)), secret, form.format.data or "json")
        message = "Webhook added."
        payload = {"message": message, "webhook_id": webhook.id}
        if generated:
            payload["message"] = f"Webhook added. Its secret, shown only now: {secret}"
            payload["secret"] = secret
        return respond(payload, 201, default_endpoint="session.notifications")


class WebhookRemoveView(MethodView):
    decorators = [login_required]

    def post(self):
        form = bind_form(WebhookIdForm)
        webhook = get_database().notifications.remove_webhook(current_user, form.webhook_id.data)
        return respond({"message": "Webhook removed.", "webhook_id": webhook.id},
                       default_endpoint="session.notifications")


class WebhookTestView(MethodView):
    decorators = [login_required]

    def post(self):
        form = bind_form(WebhookIdForm)
        event = get_database().notifications.test_webhook(current_user, form.webhook_id.data)
        return respond({"message": "Test delivery queued: see its outcome among the deliveries in a few seconds.",
                        "webhook_id": form.webhook_id.data, "event_id": event.uid}, 202,
                       default_endpoint="session.notifications")


class WebhookDeliveriesView(MethodView):
    decorators = [login_required]

    def get(self):
        webhook_id = query_id("webhook_id", required=True)
        _, per_page = query_paging(20)
        webhook, rows = get_database().notifications.deliveries(current_user, webhook_id, per_page)
        return jsonify(webhook_id=webhook.id,
                       deliveries=[delivery_json(d, uid, event) for d, uid, event in rows], count=len(rows))


class FeedView(MethodView):
    """Events for this browser since `?since=` (an ISO time the previous answer gave as `now`);
    `304 Not Modified` while none arrived since the answer whose ETag If-None-Match names (see
    web/notices.py)."""

    decorators = [login_required]

    def get(self):
        database = get_database()
        now = database.now()
        since = parse_moment("since", request.args.get("since")) or now
        try:
            start = since - FEED_OVERLAP
        except OverflowError:  # since the first moment there is: no earlier one to look back to
            start = since
        # Read before the events: one committed in between is then in the answer, and at worst the
        # next look finds the validator moved and asks again. Read after, the validator could name
        # an event the answer lacks, and the next look would be told that nothing arrived.
        version = notices_version()
        return answer_unless_unchanged(version, lambda: jsonify(
            notifications=[feed_entry_json(r) for r in database.notifications.feed(current_user, start)],
            now=iso(now)))


show_refusals_at_fields(blueprint, {"session.webhooks": WebhookForm},
                        pages={"session.webhooks": "session.notifications"})

blueprint.add_url_rule("/session/notifications", view_func=NotificationsView.as_view("notifications"))
blueprint.add_url_rule("/session/notifications/feed", view_func=FeedView.as_view("notifications_feed"))
blueprint.add_url_rule("/session/webhooks", view_func=WebhooksView.as_view("webhooks"))
blueprint.add_url_rule("/session/webhooks/remove", view_func=WebhookRemoveView.as_view("webhook_remove"))
blueprint.add_url_rule("/session/webhooks/test", view_func=WebhookTestView.as_view("webhook_test"))
blueprint.add_url_rule("/session/webhooks/deliveries",
                       view_func=WebhookDeliveriesView.as_view("webhook_deliveries"))
