"""Creating the tables, safely when several server processes start at once."""
from sqlalchemy import text

from backend.database.engine import WRITE
from backend.extensions import db

# Any fixed number: PostgreSQL advisory lock that serialises schema changes between processes.
SCHEMA_LOCK_ID = 7_346_201


class SchemaQueries:
    def create_schema(self):
        """Create missing tables under the database's write lock, so concurrent starts do not collide."""
        with db.engine.connect().execution_options(**{WRITE: True}) as connection:
            with connection.begin():
                if connection.dialect.name == "postgresql":
                    connection.execute(text(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK_ID})"))
                db.metadata.create_all(connection)
