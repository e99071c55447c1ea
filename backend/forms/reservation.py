"""The forms behind the reservation buttons and calls: which resource (or labels, or request), and
for a request how long and why."""
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from backend.domain.labels import MAX_COUNT
from backend.forms.fields import MAX_ID, IdField, IdListField, LabelsField, PrintableName, hold_minutes_field, strip

_RESOURCE_ID = [Optional(), NumberRange(min=1, max=MAX_ID, message="Must be a positive resource id.")]
# A lease shorter than this would be lost to one slow network round trip; longer than the hold
# time is refused by the Database layer (it depends on a setting).
MIN_LEASE_SECONDS = 30
MAX_LEASE_SECONDS = 7 * 24 * 3600


class RequestForm(FlaskForm):
    """A request names one resource, or labels and how many resources carrying them."""

    resource_id = IdField("Resource", validators=_RESOURCE_ID)
    labels = LabelsField("Labels")
    # Several resources by id, all at once.
    resource_ids = IdListField("Resources")
    count = IdField("How many", validators=[
        Optional(), NumberRange(min=1, max=MAX_COUNT, message=f"Must be from 1 to {MAX_COUNT}.")])
    hold_minutes = hold_minutes_field("Hold for")
    note = StringField("Note", filters=[strip], validators=[Optional(), Length(max=200), PrintableName()])
    lease_seconds = IdField("Lease (seconds)", validators=[
        Optional(), NumberRange(min=MIN_LEASE_SECONDS, max=MAX_LEASE_SECONDS,
                                message=f"Must be from {MIN_LEASE_SECONDS} to {MAX_LEASE_SECONDS} seconds.")])

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        given = [self.resource_id.data is not None, bool(self.labels.data), bool(self.resource_ids.data)]
        if given.count(True) != 1:
            self.resource_id.errors.append("Give one of resource_id, labels or resource_ids.")
            return False
        return True

    def validate_count(self, field):
        if field.data is not None and not self.labels.data:
            raise ValidationError("count goes with labels.")


class RequestActionForm(FlaskForm):
    """Cancel or release: a request by its id, or the caller's on one resource."""

    resource_id = IdField("Resource", validators=_RESOURCE_ID)
    request_id = IdField("Request", validators=[
        Optional(), NumberRange(min=1, max=MAX_ID, message="Must be a positive request id.")])

    def validate(self, extra_validators=None):
        return super().validate(extra_validators) and _exactly_one(
            self.resource_id, self.request_id.data is None, "Give either resource_id or request_id.")


class KeepAliveForm(RequestActionForm):
    hold_minutes = hold_minutes_field("Keep for")


def _exactly_one(field, other_missing, message):
    """Form-wide check (a field's own validators stop at Optional() when it is empty)."""
    if (field.data is None) == other_missing:
        field.errors.append(message)
        return False
    return True
