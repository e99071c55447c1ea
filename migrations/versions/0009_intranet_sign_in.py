"""Intranet sign-in: how each account signs in, display names, groups and who belongs to them.

Accounts made by Apache's sign-in (REMOTE_USER) or the directory (LDAP) have no local password
and may have no e-mail address, so both columns take NULL; every existing account is `local`
and keeps signing in as before.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.add_column(sa.Column("auth", sa.String(20), nullable=False, server_default="local"))
        batch.add_column(sa.Column("display_name", sa.String(200), nullable=True))
        batch.alter_column("email", existing_type=sa.String(254), nullable=True)
        batch.alter_column("password_hash", existing_type=sa.String(256), nullable=True)
        batch.create_check_constraint("ck_users_auth", "auth IN ('local', 'remote_user', 'ldap')")
    op.create_table(
        "groups",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_key", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("name_key", name="uq_groups_name_key"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "user_groups",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
    )
    op.create_index("ix_user_groups_group_id", "user_groups", ["group_id"])


def downgrade():
    op.drop_index("ix_user_groups_group_id", table_name="user_groups")
    op.drop_table("user_groups")
    op.drop_table("groups")
    # Accounts without a local password or e-mail cannot go back to the old schema.
    op.execute(sa.text("DELETE FROM users WHERE password_hash IS NULL OR email IS NULL"))
    with op.batch_alter_table("users", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_constraint("ck_users_auth", type_="check")
        batch.alter_column("password_hash", existing_type=sa.String(256), nullable=False)
        batch.alter_column("email", existing_type=sa.String(254), nullable=False)
        batch.drop_column("display_name")
        batch.drop_column("auth")
