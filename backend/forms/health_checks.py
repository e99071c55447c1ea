"""What administrators send to give a resource a health check, or to take it away."""
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from backend.domain.health_targets import HTTP, TCP, parse_target
from backend.domain.webhook_urls import InvalidUrl
from backend.forms.fields import MAX_ID, IdField, strip

_ID = [InputRequired(), NumberRange(min=1, max=MAX_ID, message="Must be a positive id.")]


class HealthCheckForm(FlaskForm):
    resource_id = IdField("Resource", validators=_ID)
    kind = SelectField("Kind", choices=[(TCP, "TCP connection"), (HTTP, "HTTP GET (2xx or 3xx)")],
                       validators=[InputRequired()])
    target = StringField("Target", filters=[strip], description="host:port for tcp, a URL for http.",
                         validators=[InputRequired(), Length(max=2000)])
    # Not given: the site's RESERVIA_HEALTH_INTERVAL, _TIMEOUT, _FAILURES.
    interval_seconds = IdField("Every (seconds)", validators=[
        Optional(), NumberRange(min=10, max=86400, message="Must be from 10 to 86400 seconds.")])
    timeout_seconds = IdField("Timeout (seconds)", validators=[
        Optional(), NumberRange(min=1, max=60, message="Must be from 1 to 60 seconds.")])
    failures_before_maintenance = IdField("Failures before maintenance", validators=[
        Optional(), NumberRange(min=1, max=100, message="Must be from 1 to 100.")])

    def validate_target(self, field):
        try:
            parse_target(self.kind.data, field.data)
        except InvalidUrl as error:
            raise ValidationError(str(error)) from None


class HealthCheckRemoveForm(FlaskForm):
    resource_id = IdField("Resource", validators=_ID)
