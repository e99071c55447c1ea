"""One SQLAlchemy dialect per kind of engine for the whole run, so SQL is compiled once per run.

SQLAlchemy keeps each statement's compiled form in caches keyed by the dialect object that
compiled it (the engine's cache for queries, each mapper's for the ORM's inserts and updates,
each type's processors): a new engine brings a new dialect, and so compiles every statement it
runs afresh. The suite builds an engine (two, with the read cache's commit counter) for most
tests, and compiling took about a tenth of an engine run's time. A compiled statement depends on
the dialect's kind and settings, not on which engine it came with: here each engine, when it first
connects, takes the first dialect of its kind and settings met in the run instead of its own.
Its pool keeps connecting through its own dialect (the driver's options, the per-connection
set-up), so what reaches the database is unchanged. Reservia itself builds its engines once per
process and is not changed.
"""
from sqlalchemy import event
from sqlalchemy.engine import Engine


def _settings(dialect):
    """What a statement's compiled form or a connection's handling may depend on besides the kind."""
    return (type(dialect), dialect.server_version_info, dialect.paramstyle, dialect.isolation_level,
            dialect.label_length, getattr(dialect, "_json_serializer", None),
            getattr(dialect, "_json_deserializer", None))


def share_dialects():
    """From now on, every engine uses the run's first dialect of its kind and settings."""
    kept = {}

    @event.listens_for(Engine, "engine_connect")
    def use_the_kept_dialect(connection):
        engine = connection.engine
        if getattr(engine, "_reservia_shared_dialect", False):
            return
        dialect = kept.setdefault(_settings(engine.dialect), engine.dialect)
        engine.dialect = connection.dialect = dialect
        engine._reservia_shared_dialect = True
