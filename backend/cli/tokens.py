"""Commands for API tokens: provision one for a CI user."""
import click
from flask.cli import with_appcontext

from backend.cli.common import ShellOperator, checked_form, reports_errors
from backend.database import get_database
from backend.forms.tokens import DEFAULT_EXPIRY_DAYS, MAX_EXPIRY_DAYS, TokenForm


@click.command("create-token")
@click.argument("user")
@click.option("--name", required=True, help="What uses the token, such as ci-bench.")
@click.option("--expires-days", type=click.IntRange(1, MAX_EXPIRY_DAYS), default=DEFAULT_EXPIRY_DAYS,
              show_default=True, help="Days until the token stops working.")
@with_appcontext
@reports_errors
def create_token_command(user, name, expires_days):
    """Make a personal API token for USER and print it.

    Only the token goes to standard output (TOKEN=$(flask --app app create-token ...) keeps it);
    it is not shown again and Reservia stores only its hash.
    """
    database = get_database()
    owner = database.users.named(user)
    if not owner.active:
        raise click.ClickException(f"User {user!r} is deactivated.")
    form = checked_form(TokenForm, name=name)
    token, secret = database.tokens.create(owner, form.name.data, expires_days, acting=ShellOperator())
    click.echo(f"Created token {token.name!r} (id {token.id}) for {owner.name!r}, expiring "
               f"{token.expires_at:%Y-%m-%d %H:%M} UTC.", err=True)
    click.echo(secret)


COMMANDS = (create_token_command,)
