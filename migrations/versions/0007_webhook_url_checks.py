"""Webhook URLs checked: a webhook whose URL the parser refuses is disabled, with the reason.

Webhooks registered before URLs were checked may hold a URL with a space, a line break, a port
beyond 65535 or a user name. Each is read by the one parser (backend/domain/webhook_urls.py); a refused
one gets `disabled_reason` (shown to its owner, who may remove it and add a correct one) and its
pending deliveries fail as `invalid url`, so the worker never tries them. The column is added in
place (no table rebuild).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

from backend.domain.webhook_urls import InvalidUrl, parse_url

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

webhooks = sa.table("webhooks", sa.column("id", sa.Integer), sa.column("url", sa.String),
                    sa.column("disabled_reason", sa.String))
deliveries = sa.table("notification_deliveries", sa.column("webhook_id", sa.Integer),
                      sa.column("status", sa.String), sa.column("error", sa.String),
                      sa.column("finished_at", sa.DateTime(timezone=True)),
                      sa.column("last_attempt_at", sa.DateTime(timezone=True)),
                      sa.column("created_at", sa.DateTime(timezone=True)))


def upgrade():
    op.add_column("webhooks", sa.Column("disabled_reason", sa.String(length=300), nullable=True))
    connection = op.get_bind()
    refused = {}
    for webhook_id, url in connection.execute(sa.select(webhooks.c.id, webhooks.c.url)):
        try:
            parse_url(url)
        except InvalidUrl as error:
            refused[webhook_id] = f"Disabled: its URL cannot be used. {error}"[:300]
    for webhook_id, reason in refused.items():
        connection.execute(webhooks.update().where(webhooks.c.id == webhook_id).values(disabled_reason=reason))
        connection.execute(deliveries.update().where(
            deliveries.c.webhook_id == webhook_id, deliveries.c.status == "pending").values(
            status="failed", error="invalid url",
            finished_at=sa.func.coalesce(deliveries.c.last_attempt_at, deliveries.c.created_at)))


def downgrade():
    op.drop_column("webhooks", "disabled_reason")
