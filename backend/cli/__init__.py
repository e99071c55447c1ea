"""Commands for operators and cron: `flask --app app <command>`, one module per subject."""


def register_cli_commands(app):
    """Attach the user, resource, reservation, token, notification, audit and health-check commands to the
    application's CLI."""
    from backend.cli import audit, copy_database, health_checks, notifications, reservations, resources, tokens, users

    for module in (users, resources, reservations, tokens, copy_database, notifications, audit, health_checks):
        for command in module.COMMANDS:
            app.cli.add_command(command)
