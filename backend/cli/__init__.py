"""Commands for operators and cron: `flask --app app <command>`, one module per subject."""


def register_cli_commands(app):
    """Attach the user, resource, reservation, token and notification commands to the application's CLI."""
    from backend.cli import copy_database, health_checks, notifications, reservations, resources, tokens, users

    for module in (users, resources, reservations, tokens, copy_database, notifications, health_checks):
        for command in module.COMMANDS:
            app.cli.add_command(command)
