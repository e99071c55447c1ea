"""`flask --app app health-check RESOURCE --kind tcp --target HOST:PORT`: give a resource a health
check from the shell, or take it away (--remove)."""
import click
from flask import current_app
from flask.cli import with_appcontext

from backend.cli.common import ShellOperator, checked_form, reports_errors
from backend.database import get_database
from backend.forms.health_checks import HealthCheckForm


@click.command("health-check")
@click.argument("name")
@click.option("--kind", type=click.Choice(["tcp", "http"]), help="tcp: connect to host:port; http: GET a URL.")
@click.option("--target", help="host:port for tcp, a URL for http (healthy on 2xx or 3xx).")
@click.option("--interval", "interval_seconds", help="Seconds between checks (default RESERVIA_HEALTH_INTERVAL).")
@click.option("--timeout", "timeout_seconds",
              help="Seconds the target has to answer (default RESERVIA_HEALTH_TIMEOUT).")
@click.option("--failures", "failures_before_maintenance",
              help="Failures in a row before the resource goes into maintenance (default RESERVIA_HEALTH_FAILURES).")
@click.option("--remove", is_flag=True, help="Remove the resource's health check instead.")
@with_appcontext
@reports_errors
def health_check_command(name, kind, target, interval_seconds, timeout_seconds, failures_before_maintenance, remove):
    """Give the resource NAME a health check the delivery worker runs (or --remove it)."""
    database = get_database()
    resource = database.resources.named(name)
    if remove:
        database.health_checks.remove(ShellOperator(), resource.id)
        click.echo(f"Removed the health check of {resource.name!r}.")
        return
    if not kind or not target:
        raise click.UsageError("Give --kind and --target (or --remove).")
    form = checked_form(HealthCheckForm, resource_id=str(resource.id), kind=kind, target=target,
                        interval_seconds=interval_seconds, timeout_seconds=timeout_seconds,
                        failures_before_maintenance=failures_before_maintenance)
    config = current_app.config
    check = database.health_checks.set(
        ShellOperator(), resource.id, form.kind.data, form.target.data,
        form.interval_seconds.data or config["RESERVIA_HEALTH_INTERVAL"],
        form.timeout_seconds.data or config["RESERVIA_HEALTH_TIMEOUT"],
        form.failures_before_maintenance.data or config["RESERVIA_HEALTH_FAILURES"])
    click.echo(f"{resource.name!r} is checked by {check.kind} {check.target} every {check.interval_seconds} s; "
               f"{check.failures_before_maintenance} failures in a row put it in maintenance.")


COMMANDS = (health_check_command,)
