"""Forms administrators use on groups and their rules (docs/policies.md)."""
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from backend.domain.labels import LABEL_PATTERN
from backend.domain.policies import HIGHEST_PRIORITY, LOWEST_PRIORITY
from backend.forms.fields import MAX_ID, IdField, IdListField, PrintableName, PrintableText, hold_minutes_field, strip

_ID = [InputRequired(), NumberRange(min=1, max=MAX_ID, message="Must be a positive id.")]
_OPTIONAL_ID = [Optional(), NumberRange(min=1, max=MAX_ID, message="Must be a positive id.")]
# A group of a whole department: members are added and removed a page of ids at a time.
MAX_MEMBERS_AT_ONCE = 1000


class GroupForm(FlaskForm):
    name = StringField("Name", filters=[strip], validators=[InputRequired(), Length(min=1, max=200), PrintableName()])
    description = TextAreaField("Description", filters=[strip],
                                validators=[Optional(), Length(max=500), PrintableText()])


class GroupModifyForm(FlaskForm):
    group_id = IdField("Group", validators=_ID)
    name = StringField("Name", filters=[strip], validators=[Optional(), Length(min=1, max=200), PrintableName()])
    description = StringField("Description", filters=[strip],
                              validators=[Optional(), Length(max=500), PrintableText()])


class GroupIdForm(FlaskForm):
    group_id = IdField("Group", validators=_ID)


class GroupMembersForm(FlaskForm):
    group_id = IdField("Group", validators=_ID)
    add = IdListField("Add (user ids)", maximum=MAX_MEMBERS_AT_ONCE)
    remove = IdListField("Remove (user ids)", maximum=MAX_MEMBERS_AT_ONCE)


class RuleForm(FlaskForm):
    group_id = IdField("Group (empty: everyone)", validators=_OPTIONAL_ID)
    resource_id = IdField("Resource (empty: all, or the label's)", validators=_OPTIONAL_ID)
    label = StringField("Label", filters=[strip, lambda v: v.lower() if isinstance(v, str) else v],
                        validators=[Optional(), Regexp(LABEL_PATTERN, message="Not a label.")])
    max_hold_minutes = hold_minutes_field("Longest hold (minutes)")
    max_open_requests = IdField("Most open requests", validators=[Optional(), NumberRange(
        min=1, max=10_000, message="Must be a whole number from 1 to 10000.")])
    max_booked_hours_per_week = IdField("Most booked hours a week", validators=[Optional(), NumberRange(
        min=1, max=168, message="Must be a whole number of hours from 1 to 168.")])
    priority = IdField("Priority (0-100, 50 by default)", validators=[Optional(), NumberRange(
        min=LOWEST_PRIORITY, max=HIGHEST_PRIORITY, message="Must be a whole number from 0 to 100.")])

    # JSON null: the rule is for everyone, as an empty box in the browser.
    nullable = ("group_id",)


class RuleIdForm(FlaskForm):
    rule_id = IdField("Rule", validators=_ID)


def rule_values(form):
    """The four limits and the priority a RuleForm carries (None: not set)."""
    return {name: form[name].data for name in ("max_hold_minutes", "max_open_requests",
                                               "max_booked_hours_per_week", "priority")}
