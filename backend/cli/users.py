"""Commands for accounts: create, list, change and retire users and administrators, set a password,
clear failed logins."""
import click
from flask.cli import with_appcontext

from backend.cli.common import ShellOperator, checked_form, password_option, reports_errors
from backend.database import get_database
from backend.forms.admin_users import UserForm, UserModifyForm
from backend.models.user import ROLE_ADMIN, ROLES
from backend.web.messages import ended_text, modified_text


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
                                       form.role.data or "user", acting=ShellOperator())
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


@click.command("list-users")
@with_appcontext
@reports_errors
def list_users_command():
    """List every account: id, name, email, role, and whether it can log in."""
    users = get_database().users.list()
    width = max(len(u.name) for u in users)
    email_width = max(len(u.email or "-") for u in users)
    click.echo(f"{'ID':>5}  {'NAME':<{width}}  {'EMAIL':<{email_width}}  {'ROLE':<5}  STATUS")
    for u in users:
        click.echo(f"{u.id:>5}  {u.name:<{width}}  {u.email or '-':<{email_width}}  {u.role:<5}  "
                   f"{'active' if u.active else 'deactivated'}")


@click.command("modify-user")
@click.argument("name")
@click.option("--name", "new_name", help="A new user name.")
@click.option("--email", help="A new email address.")
@click.option("--role", type=click.Choice(ROLES), help="user or admin.")
@click.option("--active/--inactive", default=None,
              help="Let the user log in again, or no more: their sessions and reservations end.")
@with_appcontext
@reports_errors
def modify_user_command(name, new_name, email, role, active):
    """Change a user's name, email, role, or whether they can log in (use set-password for passwords)."""
    database = get_database()
    user = database.users.named(name)
    form = checked_form(UserModifyForm, name=new_name, email=email)
    changes = {"name": form.name.data if new_name is not None else None,
               "email": form.email.data if email is not None else None, "role": role, "active": active}
    modified = database.administration.modify_user(
        ShellOperator(), user.id, {k: v for k, v in changes.items() if v is not None})
    click.echo(modified_text(modified.changed and f"User {modified.item.name!r} changed: "
                                                  f"{', '.join(modified.changed)}.",
                             modified.item.name, modified.ended))


@click.command("delete-user")
@click.argument("name")
@with_appcontext
@reports_errors
def delete_user_command(name):
    """Delete a user without history; one with history is deactivated, their holds and requests ended."""
    database = get_database()
    user = database.users.named(name)
    deactivated, ended = database.administration.delete_user(ShellOperator(), user.id)
    message = f"User {name!r} deactivated: their history is kept." if deactivated else f"User {name!r} deleted."
    click.echo(" ".join(filter(None, [message, ended_text(ended)])))


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
    database = get_database()
    account = database.users.by_name(name) if name else None
    cleared = database.login_limits.clear(name=name, address=address, acting=ShellOperator(),
                                          user_id=account.id if account else None)
    about = " and ".join(f"{what}" for what in (repr(name) if name else None,
                                                f"address {address}" if address else None) if what)
    click.echo(f"Failed logins of {about} cleared." if cleared else f"No failed logins were counted for {about}.")


COMMANDS = (create_user_command, set_password_command, list_users_command, modify_user_command,
            delete_user_command, clear_login_failures_command)
