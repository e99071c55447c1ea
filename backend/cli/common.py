"""What every command shares: domain errors as clean messages, and input checked by the web forms' rules."""
import getpass
import os
from functools import wraps

import click
from sqlalchemy.exc import OperationalError
from werkzeug.datastructures import MultiDict

from backend.database.audit import use_origin
from backend.errors import ReserviaError

# Read when --password is not given, so that scripts need not put a password on a command line.
PASSWORD_ENV = "RESERVIA_NEW_PASSWORD"


def reports_errors(command):
    """Turn a refusal by the Database layer, or a database that cannot be reached, into
    `Error: <message>` and exit status 1. Every command wears it, so it also says, for the audit
    log, that what the command changes comes from the command line (via "cli")."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        use_origin("cli", None, ShellOperator.name_now())
        try:
            return command(*args, **kwargs)
        except ReserviaError as error:
            raise click.ClickException(error.message) from error
        except OperationalError as error:
            raise click.ClickException(f"The database could not be used: {error.orig}") from error

    return wrapper


def checked_form(form_class, **values):
    """The form filled with these values and validated like a browser post, or a ClickException.
    Only the fields given are checked, so that one field can be checked by its form's rules."""
    form = form_class(formdata=None, meta={"csrf": False})
    form.process(MultiDict({name: value for name, value in values.items() if value is not None}))
    form.validate()
    problems = [f"{form[name].label.text}: {form[name].errors[0]}" for name in values
                if form[name].errors]
    if problems:
        raise click.ClickException(" ".join(problems))
    return form


def password_option(command):
    """--password, else $RESERVIA_NEW_PASSWORD, else a hidden prompt asked twice."""
    return click.option(
        "--password", envvar=PASSWORD_ENV, show_envvar=True, prompt=True, hide_input=True,
        confirmation_prompt=True,
        help="The new password (at least 8 characters); prompted for when not given.",
    )(command)


def operating_system_user():
    """The operating system's name for whoever runs the command."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no name for this uid (a container, say)
        return str(os.getuid())


class ShellOperator:
    """Who acts when a command changes data: the person at the server's shell, not a Reservia
    user; the logs and the audit log name them "cli:<operating system user>"."""

    id = None
    session_token = None

    def __init__(self):
        self.name = self.name_now()

    @staticmethod
    def name_now():
        return f"cli:{operating_system_user()}"
