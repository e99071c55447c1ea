"""Forms for personal API tokens: make one, revoke one."""
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from backend.forms.fields import MAX_ID, IdField, PrintableName, strip
from backend.models.api_token import FULL, METRICS

DEFAULT_EXPIRY_DAYS = 90
MAX_EXPIRY_DAYS = 3650


class TokenForm(FlaskForm):
    name = StringField("Name", filters=[strip], description="What uses it, such as ci-bench.",
                       validators=[InputRequired(), Length(min=1, max=80), PrintableName()])
    expires_days = IdField("Expires after (days)", default=DEFAULT_EXPIRY_DAYS, validators=[
        Optional(), NumberRange(min=1, max=MAX_EXPIRY_DAYS, message=f"Must be from 1 to {MAX_EXPIRY_DAYS} days.")])
    # metrics: a token that can only scrape /metrics, made by administrators for Prometheus.
    scope = SelectField("Scope", choices=[(FULL, "Everything I may do"), (METRICS, "Scrape /metrics only")],
                        default=FULL, validators=[Optional()])


class TokenRevokeForm(FlaskForm):
    token_id = IdField("Token", validators=[
        InputRequired(), NumberRange(min=1, max=MAX_ID, message="Must be a positive token id.")])
