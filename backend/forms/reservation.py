"""The form behind every reservation button: which resource."""
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from backend.forms.fields import MAX_ID


class ResourceActionForm(FlaskForm):
    resource_id = IntegerField("Resource", validators=[
        InputRequired(), NumberRange(min=1, max=MAX_ID, message="Must be a positive resource id.")])
