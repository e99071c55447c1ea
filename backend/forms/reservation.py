"""The form behind every reservation button: which resource."""
from flask_wtf import FlaskForm
from wtforms.validators import InputRequired, NumberRange

from backend.forms.fields import MAX_ID, IdField


class ResourceActionForm(FlaskForm):
    resource_id = IdField("Resource", validators=[
        InputRequired(), NumberRange(min=1, max=MAX_ID, message="Must be a positive resource id.")])
