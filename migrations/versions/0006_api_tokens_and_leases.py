"""API tokens for scripts and CI, and leases on requests.

Personal API tokens are stored as hashes in a table of their own. A request may carry a lease:
it must be kept alive every lease_seconds, and lease_until is its last keep-alive plus the lease.
The lease columns are added in place (no table rebuild), so the triggers of migration 0004 stay.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"])
    op.add_column("reservations", sa.Column("lease_seconds", sa.Integer(), nullable=True))
    op.add_column("reservations", sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    # Plain DROP COLUMN (SQLite 3.35 and later): a table rebuild would drop migration 0004's triggers.
    op.drop_column("reservations", "lease_until")
    op.drop_column("reservations", "lease_seconds")
    op.drop_index("ix_api_tokens_user_id", table_name="api_tokens")
    op.drop_table("api_tokens")
