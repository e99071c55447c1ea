"""copy-database: move every row from the configured database to another one, SQLite to PostgreSQL say."""
import click
from flask.cli import with_appcontext
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

from backend.database.engine import configure_engine
from backend.database.schema import current_revision, head_revision, upgrade_schema
from backend.extensions import db

BATCH = 1000


def _target_engine(url):
    try:
        engine = create_engine(make_url(url))
    except Exception as error:
        raise click.ClickException(f"Not a usable database URL: {error}") from error
    configure_engine(engine, busy_timeout_seconds=30)
    return engine


def _refuse_non_empty(connection):
    for table in db.metadata.sorted_tables:
        if connection.scalar(select(func.count()).select_from(table)):
            raise click.ClickException(
                f"The target database already holds data (table {table.name}); "
                "copy only into an empty database.")


def _copy_rows(source, target, table):
    """Copy one table in primary-key order, a batch at a time; returns the number of rows."""
    copied = 0
    batch = []
    for row in source.execute(select(table).order_by(*table.primary_key.columns)):
        batch.append(row._asdict())
        if len(batch) == BATCH:
            target.execute(insert(table), batch)
            copied += len(batch)
            batch = []
    if batch:
        target.execute(insert(table), batch)
        copied += len(batch)
    return copied


def _continue_id_sequences(connection):
    """PostgreSQL hands out ids from sequences, which copied rows did not advance."""
    for table in db.metadata.sorted_tables:
        if "id" in table.c and connection.scalar(
                text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name}):
            connection.execute(text(
                f"SELECT setval(pg_get_serial_sequence(:table, 'id'), "
                f"COALESCE((SELECT max(id) FROM {table.name}), 1), "
                f"(SELECT max(id) FROM {table.name}) IS NOT NULL)"), {"table": table.name})


@click.command("copy-database")
@click.argument("target_url")
@with_appcontext
def copy_database_command(target_url):
    """Copy all data from Reservia's database to the empty database at TARGET_URL.

    Stop the web server first, so that nothing changes during the copy. The target gets
    Reservia's tables through the migrations, then every row, in one transaction.
    """
    source_engine = db.engine
    target_engine = _target_engine(target_url)
    if target_engine.url == source_engine.url:
        raise click.ClickException("The target is Reservia's own database.")
    try:
        upgrade_schema(target_engine)
        with source_engine.connect() as source, target_engine.begin() as target:
            if current_revision(source) != head_revision() or current_revision(target) != head_revision():
                raise click.ClickException("Both databases must be at the newest migration.")
            _refuse_non_empty(target)
            counts = {table.name: _copy_rows(source, target, table) for table in db.metadata.sorted_tables}
            if target.dialect.name == "postgresql":
                _continue_id_sequences(target)
    finally:
        target_engine.dispose()
    for name, count in counts.items():
        click.echo(f"{name}: {count} row{'' if count == 1 else 's'}")
    click.echo(f"Copied to {target_engine.url.render_as_string(hide_password=True)}.")


COMMANDS = (copy_database_command,)
