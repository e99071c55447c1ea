"""An index on bookings by status and start: what the queue must start next, the first booking
still to come and the reminders due are each a seek in it, not a scan of every future booking.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02
"""
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_bookings_status_start", "bookings", ["status", "start_at"])


def downgrade():
    op.drop_index("ix_bookings_status_start", table_name="bookings")
