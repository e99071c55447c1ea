"""Commands for resources: create one, list them."""
import click
from flask.cli import with_appcontext

from backend.cli.common import checked_form, reports_errors
from backend.database import get_database
from backend.forms.admin import ResourceForm


@click.command("create-resource")
@click.argument("name")
@click.option("--comment", default="", help="What it is, where it is.")
@with_appcontext
@reports_errors
def create_resource_command(name, comment):
    """Add a resource people can reserve."""
    form = checked_form(ResourceForm, name=name, comment=comment)
    resource = get_database().resources.create(form.name.data, form.comment.data)
    click.echo(f"Created resource {resource.name!r} (id {resource.id}).")


def _status(resource):
    if not resource.active:
        return "inactive"
    return "maintenance" if resource.maintenance else "available"


@click.command("list-resources")
@click.option("--all", "include_inactive", is_flag=True, help="Include deactivated resources.")
@with_appcontext
@reports_errors
def list_resources_command(include_inactive):
    """List resources with their ids, status and comments."""
    resources = get_database().resources.list(include_inactive=include_inactive)
    if not resources:
        click.echo("No resources.")
        return
    width = max(len(r.name) for r in resources)
    click.echo(f"{'ID':>5}  {'NAME':<{width}}  {'STATUS':<11}  COMMENT")
    for r in resources:
        click.echo(f"{r.id:>5}  {r.name:<{width}}  {_status(r):<11}  {r.comment}".rstrip())


COMMANDS = (create_resource_command, list_resources_command)
