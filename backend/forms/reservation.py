"""The forms behind the reservation buttons and calls: which resource, which labels, which request."""
from flask_wtf import FlaskForm
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from backend.forms.fields import MAX_ID, IdField, LabelsField

_RESOURCE_ID = [Optional(), NumberRange(min=1, max=MAX_ID, message="Must be a positive resource id.")]
# How many resources one request may ask for at once.
MAX_COUNT = 100
# A lease shorter than this would be lost to one slow network round trip; longer than the hold
# time is refused by the Database layer (it depends on a setting).
MIN_LEASE_SECONDS = 30
MAX_LEASE_SECONDS = 7 * 24 * 3600


class ResourceActionForm(FlaskForm):
    resource_id = IdField("Resource", validators=[
        InputRequired(), NumberRange(min=1, max=MAX_ID, message="Must be a positive resource id.")])


class RequestForm(FlaskForm):
    """A request names one resource, or labels and how many resources carrying them."""

    resource_id = IdField("Resource", validators=_RESOURCE_ID)
    labels = LabelsField("Labels")
    count = IdField("How many", validators=[
        Optional(), NumberRange(min=1, max=MAX_COUNT, message=f"Must be from 1 to {MAX_COUNT}.")])
    lease_seconds = IdField("Lease (seconds)", validators=[
        Optional(), NumberRange(min=MIN_LEASE_SECONDS, max=MAX_LEASE_SECONDS,
                                message=f"Must be from {MIN_LEASE_SECONDS} to {MAX_LEASE_SECONDS} seconds.")])

    def validate(self, extra_validators=None):
        return super().validate(extra_validators) and _exactly_one(
            self.resource_id, not self.labels.data, "Give either resource_id or labels.")

    def validate_count(self, field):
        if field.data is not None and not self.labels.data:
            raise ValidationError("count goes with labels.")


class RequestActionForm(FlaskForm):
    """Cancel, release or keep alive: a request by its id, or the caller's on one resource."""

    resource_id = IdField("Resource", validators=_RESOURCE_ID)
    request_id = IdField("Request", validators=[
        Optional(), NumberRange(min=1, max=MAX_ID, message="Must be a positive request id.")])

    def validate(self, extra_validators=None):
        return super().validate(extra_validators) and _exactly_one(
            self.resource_id, self.request_id.data is None, "Give either resource_id or request_id.")


def _exactly_one(field, other_missing, message):
    """Form-wide check (a field's own validators stop at Optional() when it is empty)."""
    if (field.data is None) == other_missing:
        field.errors.append(message)
        return False
    return True
