"""Command-line tasks for operators: `flask --app app <command>`."""


def register(app):
    """Attach Reservia's commands to the application's CLI."""
    from backend.cli import register_cli_commands

    register_cli_commands(app)
