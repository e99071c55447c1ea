"""Commands for accounts: create a user or administrator, set a password, clear failed logins."""
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


@click.command("clear-login-failures")
@click.argument("name", required=False)
@click.option("--address", help="Also (or only) clear the failures counted for this client address.")
@with_appcontext
@reports_errors
def clear_login_failures_command(name, address):
    """Let NAME log in again at once, after too many failed logins.

    Its count of failures starts again from zero; with --address, that client address's too.
    """
    if name is None and address is None:
        raise click.UsageError("Give a user name, --address, or both.")
    cleared = get_database().login_limits.clear(name=name, address=address)
    about = " and ".join(f"{what}" for what in (repr(name) if name else None,
                                                f"address {address}" if address else None) if what)
    click.echo(f"Failed logins of {about} cleared." if cleared else f"No failed logins were counted for {about}.")


COMMANDS = (create_user_command, set_password_command, clear_login_failures_command)
