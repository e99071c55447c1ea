"""Alembic environment for Reservia: used by `flask db ...` and by the start-up upgrade."""
import logging
from logging.config import fileConfig

from alembic import context

import backend.models  # noqa: F401  (registers every table on the metadata)
from backend.database.schema import modelled
from backend.extensions import db
from backend.models.types import UTCDateTime

config = context.config


def render_item(kind, obj, autogen_context):
    """Write UTCDateTime columns as plain timestamps, so migrations never import application code."""
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def skip_empty_revision(context_, revision, directives):
    """`flask db migrate` with no model change writes no empty migration."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logging.getLogger("alembic.env").info("No changes in schema detected.")


def configure(connection):
    context.configure(
        connection=connection,
        target_metadata=db.metadata,
        render_item=render_item,
        # SQLite cannot alter columns in place: batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=modelled,
        process_revision_directives=skip_empty_revision,
    )


def run_migrations():
    given = config.attributes.get("connection")
    if given is not None:
        # Reservia's start-up and the copy command pass a connection already inside the
        # transaction that holds the schema lock; the migrations run in that transaction.
        configure(given)
        with context.begin_transaction():
            context.run_migrations()
        return
    if config.config_file_name:
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    from flask import current_app

    with current_app.extensions["migrate"].db.engine.connect() as connection:
        configure(connection)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Reservia's migrations run against a live database only.")
run_migrations()
