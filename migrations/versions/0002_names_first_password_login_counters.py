"""User names compared after NFKC and case folding; a forced change of the old default password;
failed logins counted in the database.

- users.name_key: a digest of the name NFKC-normalised and case-folded, unique. Existing users
  whose names differ only by case or width ("Admin" and "admin") all keep their accounts: the
  oldest gets the plain key, each later one a key of its own, and each still logs in by its
  exact name.
- users.password_change_required: set for administrators whose password is still "admin", the
  default of earlier versions; they must choose another before doing anything else.
- login_counters: failed logins per account name and per client address.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""
import hashlib
import unicodedata

import sqlalchemy as sa
from alembic import op
from werkzeug.security import check_password_hash

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

OLD_DEFAULT_PASSWORD = "admin"


def _canonical(name):
    """As backend/models/names.py compares names, written out so that this migration never changes."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


def _digest(text):
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("name_key", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("password_change_required", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))

    connection = op.get_bind()
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("name", sa.String),
                     sa.column("role", sa.String), sa.column("password_hash", sa.String),
                     sa.column("name_key", sa.String), sa.column("password_change_required", sa.Boolean))
    taken = set()
    for row in connection.execute(sa.select(users.c.id, users.c.name, users.c.role, users.c.password_hash)
                                  .order_by(users.c.id)).all():
        key = _digest(_canonical(row.name))
        if key in taken:
            # A later account whose name only differs by case or width: a key no name can have
            # (names hold no control characters), so it keeps working by its exact name.
            key = _digest(f"{_canonical(row.name)}\x1f{row.id}")
        taken.add(key)
        must_change = row.role == "admin" and check_password_hash(row.password_hash, OLD_DEFAULT_PASSWORD)
        connection.execute(users.update().where(users.c.id == row.id)
                           .values(name_key=key, password_change_required=must_change))

    with op.batch_alter_table("users") as batch:
        batch.alter_column("name_key", existing_type=sa.String(length=64), nullable=False)
        batch.create_unique_constraint("uq_users_name_key", ["name_key"])

    op.create_table(
        "login_counters",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_login_counters_expires_at", "login_counters", ["expires_at"])


def downgrade():
    op.drop_index("ix_login_counters_expires_at", table_name="login_counters")
    op.drop_table("login_counters")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("uq_users_name_key", type_="unique")
        batch.drop_column("password_change_required")
        batch.drop_column("name_key")
