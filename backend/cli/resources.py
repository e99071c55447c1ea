"""Commands for resources: create one, list them."""
import click
from flask.cli import with_appcontext

from backend.cli.common import ShellOperator, checked_form, reports_errors
from backend.database import get_database
from backend.forms.admin import ResourceForm


@click.command("create-resource")
@click.argument("name")
@click.option("--comment", default="", help="What it is, where it is.")
@click.option("--label", "labels", multiple=True, help="A label (repeat, or separate with commas): scope, usb3 ...")
@with_appcontext
@reports_errors
def create_resource_command(name, comment, labels):
    """Add a resource people can reserve."""
    form = checked_form(ResourceForm, name=name, comment=comment, labels=",".join(labels))
    resource = get_database().resources.create(form.name.data, form.comment.data, form.labels.data)
    click.echo(f"Created resource {resource.name!r} (id {resource.id})"
               + (f" with labels {', '.join(resource.labels)}." if resource.labels else "."))


@click.command("set-labels")
@click.argument("name")
@click.argument("labels", nargs=-1)
@with_appcontext
@reports_errors
def set_labels_command(name, labels):
    """Give the resource NAME exactly these LABELS (none: remove them all).

    Waiting label requests the resource no longer serves give it back; those that too few
    resources serve any more are ended as unservable.
    """
    form = checked_form(ResourceForm, labels=",".join(labels))
    database = get_database()
    resource = database.resources.named(name)
    database.administration.modify_resource(ShellOperator(), resource.id, {"labels": form.labels.data})
    click.echo(f"Labels of {name!r}: {', '.join(form.labels.data) or 'none'}.")


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
    label_width = max([len("LABELS")] + [len(",".join(r.labels)) for r in resources])
    click.echo(f"{'ID':>5}  {'NAME':<{width}}  {'STATUS':<11}  {'LABELS':<{label_width}}  COMMENT")
    for r in resources:
        click.echo(f"{r.id:>5}  {r.name:<{width}}  {_status(r):<11}  {','.join(r.labels):<{label_width}}  "
                   f"{r.comment}".rstrip())


COMMANDS = (create_resource_command, set_labels_command, list_resources_command)
