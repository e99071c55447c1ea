"""Commands for accounts: create a user or administrator, set a password."""
import click
from flask.cli import with_appcontext

from backend.cli.common import ShellOperator, checked_form, password_option, reports_errors
from backend.database import get_database
from backend.forms.admin import UserForm
from backend.models.user import ROLE_ADMIN, ROLES


@click.command("create-user")
@click.argument("name")
@click.option("--email", required=True, help="The user's email address (unique).")
@click.option("--role", type=click.Choice(ROLES), help="user (the default) or admin.")
@click.option("--admin", "make_admin", is_flag=True, help="Same as --role admin.")
@password_option
@with_appcontext
@reports_errors
def create_user_command(name, email, role, make_admin, password):
    """Add a user, or an administrator with --admin."""
    if make_admin and role not in (None, ROLE_ADMIN):
        raise click.UsageError("--admin contradicts --role user; give one of them.")
    role = ROLE_ADMIN if make_admin else role
    form = checked_form(UserForm, name=name, email=email, password=password, role=role)
    user = get_database().users.create(form.name.data, form.email.data, form.password.data,
                                       form.role.data or "user")
    click.echo(f"Created {user.role} {user.name!r} (id {user.id}).")


@click.command("set-password")
@click.argument("name")
@password_option
@with_appcontext
@reports_errors
def set_password_command(name, password):
    """Give a user a new password and log them out everywhere."""
    database = get_database()
    user = database.users.named(name)
    checked_form(UserForm, password=password)
    database.administration.modify_user(ShellOperator(), user.id, {"password": password})
    click.echo(f"Password of {user.name!r} changed; their sessions were logged out.")


COMMANDS = (create_user_command, set_password_command)
