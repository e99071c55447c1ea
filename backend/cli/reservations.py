"""Commands for reservations: see who holds and waits, run expiry, export the history."""
import sys

import click
from flask.cli import with_appcontext

from backend.cli.common import reports_errors
from backend.database import get_database
from backend.forms.history_filters import parse_history_filters
from backend.serializers import history_csv_lines


def _moment(value):
    return value.strftime("%Y-%m-%d %H:%M:%S") if value is not None else "-"


@click.command("list-active")
@with_appcontext
@reports_errors
def list_active_command():
    """List holds and queued requests in queue order.

    Resource by resource: position 0 holds it, 1 is next, and so on. Times are UTC.
    """
    entries = get_database().reservations.active()
    if not entries:
        click.echo("No active reservations.")
        return
    resource_width = max(len(e.resource_name) for e in entries)
    user_width = max(len(e.user_name) for e in entries)
    click.echo(f"{'RESOURCE':<{resource_width}}  {'POS':>3}  {'USER':<{user_width}}  {'STATE':<9}  "
               f"{'REQUESTED (UTC)':<19}  {'VALID UNTIL (UTC)':<19}  NOTE")
    for e in entries:
        r = e.reservation
        click.echo(f"{e.resource_name:<{resource_width}}  {e.position:>3}  {e.user_name:<{user_width}}  "
                   f"{r.state:<9}  {_moment(r.requested_at):<19}  {_moment(r.valid_until):<19}  "
                   f"{r.note or ''}".rstrip())


@click.command("expire")
@with_appcontext
@reports_errors
def expire_command():
    """Expire overdue holds and queued requests now.

    Whoever is next is approved as of the moment the resource became free. Run it from cron or a
    systemd timer; the same happens anyway whenever someone uses a resource.
    """
    settled = get_database().reservations.settle()
    click.echo(f"Expiry done: {settled} resource{'' if settled == 1 else 's'} had overdue "
               "reservations.")


@click.command("export-history")
@click.option("--user-id", help="Only this user's reservations.")
@click.option("--resource-id", help="Only this resource's reservations.")
@click.option("--state", "states", multiple=True,
              help="Only these states (repeat, or separate with commas): requested, approved, "
                   "released, cancelled, expired.")
@click.option("--since", help="Only reservations still running at or after this ISO 8601 time "
                              "(UTC unless it has an offset).")
@click.option("--until", help="Only reservations requested before this ISO 8601 time (a date alone: through that day).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True),
              help="Write to this file instead of standard output.")
@with_appcontext
@reports_errors
def export_history_command(user_id, resource_id, states, since, until, output):
    """Write the reservation history as CSV.

    Oldest first, every matching reservation, with the filters of GET /reservation/history.
    Times are ISO 8601 in UTC (+00:00).
    """
    filters = parse_history_filters(user_id, resource_id, states, since, until)
    entries = get_database().history.rows(None, filters)
    if output is None:
        _write_csv(entries, sys.stdout)
        return
    with open(output, "w", newline="", encoding="utf-8") as target:
        written = _write_csv(entries, target)
    click.echo(f"Wrote {written} reservation{'' if written == 1 else 's'} to {output}.", err=True)


def _write_csv(entries, target):
    """Write the CSV lines to an open text file; returns the number of reservations written."""
    lines = 0
    for line in history_csv_lines(entries):
        target.write(line)
        lines += 1
    return lines - 1


COMMANDS = (list_active_command, expire_command, export_history_command)
