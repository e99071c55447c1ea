"""Forms for notifications: a webhook, which webhook, and who wants which event by which channel."""
from flask import current_app
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, URLField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from backend.domain.webhook_urls import MAX_LENGTH, HostPolicy, InvalidUrl, parse_url
from backend.forms.binding import CodedMessage
from backend.forms.fields import MAX_ID, IdField, strip
from backend.models.notifications import DEFAULT_EVENTS, EVENTS, FORMATS, PREFERENCE_CHANNELS

EVENT_LABELS = {"granted": "Your turn came (granted)", "expiring": "Your hold ends soon (expiring)",
                "ended": "Your hold or request was ended for you (ended)",
                "resource_changed": "A resource went into or out of maintenance (resource_changed)",
                "booking_starts_soon": "One of your bookings starts soon (booking_starts_soon)",
                "booking_started": "One of your bookings started: you hold it (booking_started)",
                "booking_cancelled": "Someone else cancelled your booking (booking_cancelled)",
                "hold_shortened": "Your hold was shortened for a booking (hold_shortened)"}
CHANNEL_LABELS = {"email": "E-mail", "browser": "Browser"}


class WebhookUrl:
    """A URL the one webhook URL parser accepts (INVALID_URL), to a host and addresses
    RESERVIA_WEBHOOK_HOSTS allows (URL_NOT_ALLOWED)."""

    def __call__(self, form, field):
        try:
            url = parse_url(field.data)
        except InvalidUrl as error:
            raise ValidationError(CodedMessage(str(error), "INVALID_URL")) from None
        refusal = HostPolicy(current_app.config["RESERVIA_WEBHOOK_HOSTS"]).registration_refusal(url)
        if refusal:
            raise ValidationError(CodedMessage(refusal, "URL_NOT_ALLOWED"))


class WebhookForm(FlaskForm):
    url = URLField("URL", filters=[strip], validators=[InputRequired(), WebhookUrl(), Length(max=MAX_LENGTH)])
    events = SelectMultipleField("Events", choices=[(e, EVENT_LABELS[e]) for e in EVENTS],
                                 default=list(DEFAULT_EVENTS),
                                 validators=[DataRequired(message="Choose at least one event.")])
    secret = StringField("Secret", filters=[strip], validators=[Optional(), Length(min=16, max=200)])
    format = SelectField("Format", choices=[(f, f) for f in FORMATS], default="json",
                         validators=[Optional()])


class WebhookIdForm(FlaskForm):
    webhook_id = IdField("Webhook", validators=[
        InputRequired(), NumberRange(min=1, max=MAX_ID, message="Must be a positive webhook id.")])


def preference_name(event, channel):
    return f"{event}_{channel}"


class PreferencesForm(FlaskForm):
    """One box per event and channel, named `<event>_<channel>` (granted_email, …); only the boxes
    a request sends are changed. And how long before one's bookings start one is told."""

    booking_reminder_minutes = IdField("Tell me this many minutes before my booking starts", validators=[
        Optional(), NumberRange(min=1, max=24 * 60, message="Must be from 1 to 1440 minutes.")])


for _event in EVENTS:
    for _channel in PREFERENCE_CHANNELS:
        setattr(PreferencesForm, preference_name(_event, _channel),
                BooleanField(f"{EVENT_LABELS[_event]}: {CHANNEL_LABELS[_channel]}"))
