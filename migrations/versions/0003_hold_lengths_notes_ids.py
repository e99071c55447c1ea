"""Hold lengths and notes; ids never reused.

Each reservation may carry the hold length its user asked for and a short note; each resource a
maximum hold length. Users and resources get SQLite's AUTOINCREMENT, so that a deleted highest id
is never handed to the next new row (PostgreSQL's sequences never reuse ids anyway).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _rebuild():
    """SQLite sets AUTOINCREMENT only when a table is created: rebuild it there, alter in place elsewhere."""
    return "always" if op.get_bind().dialect.name == "sqlite" else "auto"


def upgrade():
    with op.batch_alter_table("users", recreate=_rebuild(), table_kwargs={"sqlite_autoincrement": True}):
        pass
    with op.batch_alter_table("resources", recreate=_rebuild(),
                              table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.add_column(sa.Column("max_hold_minutes", sa.Integer(), nullable=True))
        batch.create_check_constraint("ck_resources_max_hold",
                                      "max_hold_minutes IS NULL OR max_hold_minutes > 0")
    # Adding a CHECK constraint rebuilds the table on SQLite: it keeps its AUTOINCREMENT.
    with op.batch_alter_table("reservations", recreate=_rebuild(),
                              table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.add_column(sa.Column("hold_minutes", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("note", sa.String(length=200), nullable=True))
        batch.create_check_constraint("ck_reservations_hold_minutes",
                                      "hold_minutes IS NULL OR hold_minutes > 0")


def downgrade():
    with op.batch_alter_table("reservations", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_constraint("ck_reservations_hold_minutes", type_="check")
        batch.drop_column("note")
        batch.drop_column("hold_minutes")
    with op.batch_alter_table("resources") as batch:
        batch.drop_constraint("ck_resources_max_hold", type_="check")
        batch.drop_column("max_hold_minutes")
