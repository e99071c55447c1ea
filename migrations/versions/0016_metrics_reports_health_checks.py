"""Metrics, utilization reports and health checks: token scopes, why a resource is in
maintenance, its periods of maintenance, health checks, running totals, and an index on when
reservations ended (the reports read the rows that ended after their start).

Resources already in maintenance get an open period starting now: when they went in is not known.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("api_tokens", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.add_column(sa.Column("scope", sa.String(20), nullable=False, server_default="full"))
        batch.create_check_constraint("ck_api_tokens_scope", "scope IN ('full', 'metrics')")
    with op.batch_alter_table("resources", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.add_column(sa.Column("maintenance_reason", sa.String(500), nullable=True))
    op.create_table(
        "health_checks",
        sa.Column("resource_id", sa.Integer(), sa.ForeignKey("resources.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("target", sa.String(2000), nullable=False),
        sa.Column("interval_seconds", sa.Integer(), nullable=False),
        sa.Column("timeout_seconds", sa.Integer(), nullable=False),
        sa.Column("failures_before_maintenance", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("last_checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("next_check_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("caused_maintenance", sa.Boolean(), nullable=False),
        sa.CheckConstraint("kind IN ('tcp', 'http')", name="ck_health_checks_kind"),
        sa.CheckConstraint("status IN ('ok', 'failing', 'unknown')", name="ck_health_checks_status"),
        sa.CheckConstraint("interval_seconds > 0 AND timeout_seconds > 0 AND failures_before_maintenance > 0",
                           name="ck_health_checks_numbers"),
    )
    op.create_index("ix_health_checks_next_check_at", "health_checks", ["next_check_at"])
    periods = op.create_table(
        "maintenance_periods",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("resource_id", sa.Integer(), sa.ForeignKey("resources.id", ondelete="CASCADE"), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.String(500), nullable=True),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_maintenance_periods_resource", "maintenance_periods", ["resource_id", "started_at"])
    op.create_index("ix_reservations_ended_at", "reservations", ["ended_at"])
    op.create_table(
        "running_totals",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("value", sa.BigInteger(), nullable=False),
    )
    connection = op.get_bind()
    now = datetime.now(timezone.utc)
    if connection.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)
    in_maintenance = connection.execute(sa.text("SELECT id FROM resources WHERE maintenance")).scalars().all()
    if in_maintenance:
        op.bulk_insert(periods, [{"resource_id": rid, "started_at": now, "ended_at": None, "reason": None}
                                 for rid in in_maintenance])


def downgrade():
    op.drop_table("running_totals")
    op.drop_index("ix_reservations_ended_at", table_name="reservations")
    op.drop_index("ix_maintenance_periods_resource", table_name="maintenance_periods")
    op.drop_table("maintenance_periods")
    op.drop_index("ix_health_checks_next_check_at", table_name="health_checks")
    op.drop_table("health_checks")
    with op.batch_alter_table("resources", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("maintenance_reason")
    with op.batch_alter_table("api_tokens", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_constraint("ck_api_tokens_scope", type_="check")
        batch.drop_column("scope")
