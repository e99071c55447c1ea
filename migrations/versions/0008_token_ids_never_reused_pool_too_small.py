"""API token ids never reused; label requests a shrunk pool cannot meet end as pool_too_small.

Revoking a token deletes its row, and SQLite's default hands a deleted highest id to the next new
row: the access log and the token lists name tokens by id, so api_tokens gets AUTOINCREMENT (a
rebuild on SQLite; PostgreSQL's sequences never reuse ids). Requests the queue ended as
"unservable" (no administrator: ended_by_id is NULL) are renamed to the reason's new name.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

RENAME = sa.text("UPDATE reservations SET end_reason = :new WHERE end_reason = :old AND ended_by_id IS NULL")


def _rebuild():
    """SQLite sets AUTOINCREMENT only when a table is created: rebuild it there, leave it elsewhere."""
    return "always" if op.get_bind().dialect.name == "sqlite" else "auto"


def upgrade():
    with op.batch_alter_table("api_tokens", recreate=_rebuild(), table_kwargs={"sqlite_autoincrement": True}):
        pass
    op.get_bind().execute(RENAME, {"old": "unservable", "new": "pool_too_small"})


def downgrade():
    op.get_bind().execute(RENAME, {"old": "pool_too_small", "new": "unservable"})
    with op.batch_alter_table("api_tokens", recreate=_rebuild()):
        pass
