"""Groups and rules: what each group may do and how much, resources restricted to groups, and
each request's priority class.

Groups get a description; memberships remember whether the intranet sign-in reported them or an
administrator added them (existing ones came from the sign-in). Existing requests get the
default class, 50, so the queues keep their order.

Revision ID: 0015
Revises: 0012
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("groups", sa.Column("description", sa.String(500), nullable=False, server_default=""))
    with op.batch_alter_table("user_groups") as batch:
        batch.add_column(sa.Column("source", sa.String(8), nullable=False, server_default="sso"))
        batch.create_check_constraint("ck_user_groups_source", "source IN ('sso', 'admin')")
    # Added, not rebuilt: the reservations table carries triggers (migrations 0004, 0011).
    op.add_column("reservations", sa.Column("priority", sa.Integer(), nullable=False, server_default="50"))
    op.create_table(
        "group_rules",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("groups.id", ondelete="CASCADE"), nullable=True),
        sa.Column("resource_id", sa.Integer(), sa.ForeignKey("resources.id", ondelete="CASCADE"), nullable=True),
        sa.Column("label", sa.String(64), nullable=True),
        sa.Column("max_hold_minutes", sa.Integer(), nullable=True),
        sa.Column("max_open_requests", sa.Integer(), nullable=True),
        sa.Column("max_booked_hours_per_week", sa.Integer(), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("resource_id IS NULL OR label IS NULL", name="ck_group_rules_scope"),
        sa.CheckConstraint("max_hold_minutes IS NULL OR max_hold_minutes > 0", name="ck_group_rules_hold"),
        sa.CheckConstraint("max_open_requests IS NULL OR max_open_requests > 0", name="ck_group_rules_open"),
        sa.CheckConstraint("max_booked_hours_per_week IS NULL OR max_booked_hours_per_week > 0",
                           name="ck_group_rules_hours"),
        sa.CheckConstraint("priority IS NULL OR priority BETWEEN 0 AND 100", name="ck_group_rules_priority"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_group_rules_group_id", "group_rules", ["group_id"])
    op.create_table(
        "resource_allowed_groups",
        sa.Column("resource_id", sa.Integer(), sa.ForeignKey("resources.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
    )
    op.create_index("ix_resource_allowed_groups_group_id", "resource_allowed_groups", ["group_id"])


def downgrade():
    op.drop_index("ix_resource_allowed_groups_group_id", table_name="resource_allowed_groups")
    op.drop_table("resource_allowed_groups")
    op.drop_index("ix_group_rules_group_id", table_name="group_rules")
    op.drop_table("group_rules")
    op.execute(sa.text("ALTER TABLE reservations DROP COLUMN priority"))
    with op.batch_alter_table("user_groups") as batch:
        batch.drop_constraint("ck_user_groups_source", type_="check")
        batch.drop_column("source")
    op.execute(sa.text("ALTER TABLE groups DROP COLUMN description"))
