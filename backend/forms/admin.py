"""Forms administrators use to add users and resources."""
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, Optional

from backend.forms.fields import PrintableName, PrintableText, strip
from backend.models.user import ROLE_ADMIN, ROLE_USER


class UserForm(FlaskForm):
    name = StringField("User name", filters=[strip],
                       validators=[InputRequired(), Length(min=1, max=80), PrintableName()])
    email = EmailField("Email", filters=[strip],
                       validators=[InputRequired(), Length(max=254),
                                   Email(check_deliverability=False, allow_smtputf8=True)])
    password = PasswordField("Password", validators=[InputRequired(), Length(min=8, max=1024)])
    role = SelectField("Role", choices=[(ROLE_USER, "User"), (ROLE_ADMIN, "Administrator")],
                       default=ROLE_USER, validators=[Optional()])


class ResourceForm(FlaskForm):
    name = StringField("Name", filters=[strip],
                       validators=[InputRequired(), Length(min=1, max=80), PrintableName()])
    comment = TextAreaField("Comment", filters=[strip], validators=[Optional(), Length(max=500), PrintableText()])
