"""Notifications: the outbox of events, webhooks, deliveries and per-user preferences.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

EXPIRING = sa.text("event = 'expiring'")
NOT_FANNED_OUT = sa.text("fanned_out_at IS NULL")
PENDING = sa.text("status = 'pending'")
TO_WEBHOOK = sa.text("channel = 'webhook'")
BY_EMAIL = sa.text("channel = 'email'")


def upgrade():
    op.create_table(
        "notification_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("event", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("reservation_id", sa.Integer(), nullable=True),
        sa.Column("resource_id", sa.Integer(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.Column("fanned_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("event IN ('granted', 'expiring', 'ended', 'resource_changed', 'test')",
                           name="ck_notification_events_event"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uid"),
        sqlite_autoincrement=True,
    )
    op.create_index("uq_notification_events_expiring", "notification_events", ["reservation_id"],
                    unique=True, sqlite_where=EXPIRING, postgresql_where=EXPIRING)
    op.create_index("ix_notification_events_to_fan_out", "notification_events", ["id"],
                    sqlite_where=NOT_FANNED_OUT, postgresql_where=NOT_FANNED_OUT)
    op.create_index("ix_notification_events_recorded_at", "notification_events", ["recorded_at"])
    op.create_table(
        "webhooks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("events", sa.String(length=200), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("format IN ('json', 'slack')", name="ck_webhooks_format"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("uq_webhooks_user_url", "webhooks", ["user_id", "url"], unique=True)
    op.create_table(
        "notification_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("webhook_id", sa.Integer(), nullable=True),
        sa.Column("recipient", sa.String(length=254), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("channel IN ('webhook', 'email')", name="ck_notification_deliveries_channel"),
        sa.CheckConstraint("status IN ('pending', 'delivered', 'failed')",
                           name="ck_notification_deliveries_status"),
        sa.ForeignKeyConstraint(["event_id"], ["notification_events.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["webhook_id"], ["webhooks.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("uq_notification_deliveries_webhook", "notification_deliveries",
                    ["event_id", "webhook_id"], unique=True, sqlite_where=TO_WEBHOOK,
                    postgresql_where=TO_WEBHOOK)
    op.create_index("uq_notification_deliveries_email", "notification_deliveries",
                    ["event_id", "user_id"], unique=True, sqlite_where=BY_EMAIL, postgresql_where=BY_EMAIL)
    op.create_index("ix_notification_deliveries_due", "notification_deliveries", ["next_attempt_at"],
                    sqlite_where=PENDING, postgresql_where=PENDING)
    op.create_index("ix_notification_deliveries_webhook", "notification_deliveries", ["webhook_id", "id"])
    op.create_table(
        "notification_preferences",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "event", "channel"),
    )


def downgrade():
    op.drop_table("notification_preferences")
    op.drop_table("notification_deliveries")
    op.drop_table("webhooks")
    op.drop_table("notification_events")
