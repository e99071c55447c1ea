"""Commands for resources: create, list, change, retire, maintenance, end someone's hold."""
import click
from flask.cli import with_appcontext

from backend.cli.common import ShellOperator, checked_form, reports_errors
from backend.database import get_database
from backend.forms.admin_resources import ForceReleaseForm, ResourceForm, ResourceModifyForm
from backend.web.messages import modified_text


def _max_hold(resource):
    minutes = get_database().resources.max_hold_minutes(resource)
    text = f"{minutes} min" if minutes else "no limit"
    return text if resource.max_hold_minutes else f"{text} (site)"


@click.command("create-resource")
@click.argument("name")
@click.option("--comment", default="", help="What it is, where it is.")
@click.option("--max-hold-minutes", help="The longest hold one may ask for (default: the site's hold length).")
@click.option("--label", "labels", multiple=True, help="A label (repeat, or separate with commas): scope, usb3 ...")
@with_appcontext
@reports_errors
def create_resource_command(name, comment, max_hold_minutes, labels):
    """Add a resource people can reserve."""
    form = checked_form(ResourceForm, name=name, comment=comment, max_hold_minutes=max_hold_minutes,
                        labels=",".join(labels))
    resource = get_database().resources.create(form.name.data, form.comment.data, form.max_hold_minutes.data,
                                               form.labels.data, acting=ShellOperator())
    click.echo(f"Created resource {resource.name!r} (id {resource.id})"
               + (f" with labels {', '.join(resource.labels)}." if resource.labels else "."))


@click.command("set-labels")
@click.argument("name")
@click.argument("labels", nargs=-1)
@with_appcontext
@reports_errors
def set_labels_command(name, labels):
    """Give the resource NAME exactly these LABELS (none: remove them all).

    Waiting label requests the resource no longer serves give it back; those that fewer
    resources serve than they asked for are ended (pool_too_small).
    """
    form = checked_form(ResourceForm, labels=",".join(labels))
    _modify(get_database().resources.named(name), {"labels": form.labels.data})


@click.command("list-resources")
@click.option("--all", "include_inactive", is_flag=True, help="Include deactivated resources.")
@with_appcontext
@reports_errors
def list_resources_command(include_inactive):
    """List resources: id, status (free, in use, maintenance, deactivated), holder, queue, comment."""
    boards = get_database().boards.all(include_inactive=include_inactive)
    if not boards:
        click.echo("No resources.")
        return
    width = max(len(b.resource.name) for b in boards)
    holder_width = max([len("HELD BY")] + [len(b.holder.user_name) for b in boards if b.holder])
    label_width = max([len("LABELS")] + [len(",".join(b.resource.labels)) for b in boards])
    click.echo(f"{'ID':>5}  {'NAME':<{width}}  {'STATUS':<11}  {'HELD BY':<{holder_width}}  QUEUE  "
               f"{'LONGEST HOLD':<16}  {'LABELS':<{label_width}}  COMMENT")
    for b in boards:
        r = b.resource
        holder = b.holder.user_name if b.holder else "-"
        click.echo(f"{r.id:>5}  {r.name:<{width}}  {b.state:<11}  {holder:<{holder_width}}  "
                   f"{len(b.queue):>5}  {_max_hold(r):<16}  {','.join(r.labels):<{label_width}}  "
                   f"{r.comment}".rstrip())


@click.command("modify-resource")
@click.argument("name")
@click.option("--name", "new_name", help="A new name.")
@click.option("--comment", help="A new comment (\"\" clears it).")
@click.option("--max-hold-minutes", help="The longest hold, in minutes; \"default\" for the site's hold length.")
@click.option("--active/--inactive", default=None, help="Take requests again, or no more (history is kept).")
@with_appcontext
@reports_errors
def modify_resource_command(name, new_name, comment, max_hold_minutes, active):
    """Change a resource's name, comment, longest hold, or whether it takes requests."""
    database = get_database()
    resource = database.resources.named(name)
    reset = max_hold_minutes == "default"
    form = checked_form(ResourceModifyForm, name=new_name, comment=comment,
                        max_hold_minutes=None if reset else max_hold_minutes)
    changes = {"name": form.name.data if new_name is not None else None, "comment": comment,
               "max_hold_minutes": form.max_hold_minutes.data if max_hold_minutes and not reset else None,
               "active": active}
    changes = {k: v for k, v in changes.items() if v is not None}
    if reset:
        changes["max_hold_minutes"] = None
    if comment is not None:
        changes["comment"] = form.comment.data or ""
    _modify(resource, changes)


def _modify(resource, changes):
    modified = get_database().administration.modify_resource(ShellOperator(), resource.id, changes)
    click.echo(modified_text(modified.changed and f"Resource {modified.item.name!r} changed: "
                                                  f"{', '.join(modified.changed)}.", modified.item.name))


@click.command("start-maintenance")
@click.argument("name")
@with_appcontext
@reports_errors
def start_maintenance_command(name):
    """Put a resource in maintenance: nobody new is approved; its queue waits."""
    _modify(get_database().resources.named(name), {"maintenance": True})


@click.command("end-maintenance")
@click.argument("name")
@with_appcontext
@reports_errors
def end_maintenance_command(name):
    """End a resource's maintenance: the head of its queue is approved at once."""
    _modify(get_database().resources.named(name), {"maintenance": False})


@click.command("delete-resource")
@click.argument("name")
@with_appcontext
@reports_errors
def delete_resource_command(name):
    """Delete a resource nobody holds or waits for; one with history is deactivated instead."""
    database = get_database()
    resource = database.resources.named(name)
    deactivated = database.administration.delete_resource(ShellOperator(), resource.id)
    click.echo(f"Resource {name!r} deactivated: its history is kept." if deactivated
               else f"Resource {name!r} deleted.")


@click.command("force-release")
@click.argument("name")
@click.option("--reason", default="", help="Why, kept in the history.")
@with_appcontext
@reports_errors
def force_release_command(name, reason):
    """End whoever's hold on a resource; the head of its queue is approved."""
    database = get_database()
    resource = database.resources.named(name)
    form = checked_form(ForceReleaseForm, reason=reason)
    ended, following, next_name = database.administration.force_release(
        ShellOperator(), resource.id, form.reason.data)
    holder = database.users.get(ended.user_id).name
    click.echo(f"Hold of {holder!r} on {name!r} ended." +
               (f" {next_name} now holds it." if next_name else " Nobody waits: it is free."))


@click.command("remove-request")
@click.argument("name")
@click.argument("user")
@click.option("--reason", default="", help="Why, kept in the history.")
@with_appcontext
@reports_errors
def remove_request_command(name, user, reason):
    """Take USER's queued request on resource NAME out of its queue."""
    database = get_database()
    resource = database.resources.named(name)
    waiting = database.users.named(user)
    form = checked_form(ForceReleaseForm, reason=reason)
    entry = next((e for e in database.reservations.active(resource_id=resource.id)
                  if e.reservation.user_id == waiting.id and e.position > 0), None)
    if entry is None:
        raise click.ClickException(f"{user!r} is not in the queue of {name!r}.")
    database.administration.remove_request(ShellOperator(), entry.reservation.id, form.reason.data)
    click.echo(f"Request of {user!r} removed from the queue of {name!r}.")


COMMANDS = (create_resource_command, set_labels_command, list_resources_command, modify_resource_command,
            start_maintenance_command, end_maintenance_command, delete_resource_command,
            force_release_command, remove_request_command)
