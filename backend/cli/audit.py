"""Commands for the audit log: check that nobody changed it (`flask --app app audit verify`)."""
import click
from flask import current_app
from flask.cli import AppGroup

from backend.cli.common import reports_errors
from backend.database import get_database

audit_group = AppGroup("audit", help="The audit log: who changed what (docs/audit.md).")


@audit_group.command("verify")
@reports_errors
def verify_command():
    """Walk the audit log's hash chain from its start (or its signed checkpoint) to its newest entry.

    Exits 0 and prints how many entries were checked, or exits 1 naming the first broken entry.
    """
    verdict = get_database().audit_log.verify(current_app.secret_key)
    if not verdict.whole:
        first = f"first broken entry: id {verdict.broken_id}; " if verdict.broken_id is not None else ""
        raise click.ClickException(f"The audit log has been tampered with: {first}{verdict.problem} "
                                   f"({verdict.checked} entries before it are whole).")
    click.echo(f"Audit log verified: {verdict.checked} entr{'y' if verdict.checked == 1 else 'ies'} checked, "
               "the chain is whole.")


COMMANDS = (audit_group,)
