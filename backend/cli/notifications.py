"""deliver: the notification delivery worker, in the foreground."""
import signal

import click
from flask import current_app
from flask.cli import with_appcontext

from backend.notifications.worker import DeliveryWorker


@click.command("deliver")
@click.option("--once", is_flag=True, help="Do one pass and exit (for cron, or to see what is pending).")
@with_appcontext
def deliver_command(once):
    """Send pending notifications (webhooks, e-mail) until stopped.

    Also expires overdue holds and warns holders whose hold ends soon, so no expiry cron job is
    needed beside it. Several may run at once on PostgreSQL; on SQLite run one. Stops cleanly on
    SIGTERM or Ctrl-C.
    """
    try:
        worker = DeliveryWorker(current_app._get_current_object())
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    if once:
        sent = worker.run_once()
        click.echo(f"Delivery pass done: {sent} deliver{'y' if sent == 1 else 'ies'} attempted.")
        return
    signal.signal(signal.SIGTERM, lambda *_: worker.stop())
    click.echo("Delivering notifications; stop with Ctrl-C or SIGTERM.", err=True)
    try:
        worker.run_forever(current_app.config["RESERVIA_DELIVERY_INTERVAL"])
    except KeyboardInterrupt:
        worker.stop()


COMMANDS = (deliver_command,)
