"""Bookings: resources reserved ahead for a time window, beside the first-come queue.

A table of bookings (one row per resource), the four booking settings of a resource and the end
of its latest booking, the booking a hold belongs to, each user's calendar key and reminder
minutes, and the booking notification events. Two live bookings of one resource never overlap:
on PostgreSQL an exclusion constraint over (resource_id, tstzrange(start_at, end_at)), which
needs the btree_gist extension (created here: the migration must run as a role allowed to
create it, or an operator creates it first); on SQLite triggers that abort an overlapping
insert or update (each write holds the one write lock, so two cannot race past them).

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None

# Rebuilt tables on SQLite keep never reusing ids.
AUTOINCREMENT = {"sqlite_autoincrement": True}
LIVE = sa.text("status IN ('booked', 'active')")
OVERLAP_MESSAGE = "two live bookings of one resource overlap"
OLD_EVENTS = "event IN ('granted', 'expiring', 'ended', 'resource_changed', 'test')"
EVENTS = ("event IN ('granted', 'expiring', 'ended', 'resource_changed', 'test', 'booking_starts_soon',"
          " 'booking_started', 'booking_cancelled', 'hold_shortened')")


def _overlap_trigger(when):
    return f"""CREATE TRIGGER tr_bookings_no_overlap_{when.lower()} BEFORE {when} ON bookings
    WHEN NEW.status IN ('booked', 'active') AND EXISTS (
        SELECT 1 FROM bookings o WHERE o.resource_id = NEW.resource_id AND o.id <> NEW.id
         AND o.status IN ('booked', 'active') AND o.start_at < NEW.end_at AND NEW.start_at < o.end_at)
    BEGIN SELECT RAISE(ABORT, '{OVERLAP_MESSAGE}'); END"""


def upgrade():
    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("series_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("maintenance", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sequence", sa.Integer(), server_default="0", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('booked', 'active', 'ended', 'released_early', 'no_show', 'cancelled')",
                           name="ck_bookings_status"),
        sa.CheckConstraint("end_at > start_at", name="ck_bookings_window"),
        sa.ForeignKeyConstraint(["resource_id"], ["resources.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_bookings_live", "bookings", ["resource_id", "start_at"],
                    sqlite_where=LIVE, postgresql_where=LIVE)
    op.create_index("ix_bookings_booking_id", "bookings", ["booking_id"])
    op.create_index("ix_bookings_series_id", "bookings", ["series_id"])
    op.create_index("ix_bookings_user_id", "bookings", ["user_id", "start_at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute("ALTER TABLE bookings ADD CONSTRAINT ex_bookings_no_overlap EXCLUDE USING gist "
                   "(resource_id WITH =, tstzrange(start_at, end_at) WITH &&) "
                   "WHERE (status IN ('booked', 'active'))")
    else:
        op.execute(_overlap_trigger("INSERT"))
        op.execute(_overlap_trigger("UPDATE"))
    # Plain ADD COLUMN (no rebuild): migration 0004's triggers on reservations stay.
    if op.get_bind().dialect.name == "postgresql":
        op.add_column("reservations", sa.Column("booking_id", sa.Integer(), nullable=True))
        op.create_foreign_key("fk_reservations_booking_id", "reservations", "bookings", ["booking_id"], ["id"])
    else:
        op.execute("ALTER TABLE reservations ADD COLUMN booking_id INTEGER REFERENCES bookings (id)")
    with op.batch_alter_table("resources", table_kwargs=AUTOINCREMENT) as batch:
        batch.add_column(sa.Column("max_booking_minutes", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("book_ahead_days", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("booking_buffer_minutes", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("checkin_minutes", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("booked_until", sa.DateTime(timezone=True), nullable=True))
        batch.create_check_constraint("ck_resources_max_booking",
                                      "max_booking_minutes IS NULL OR max_booking_minutes > 0")
        batch.create_check_constraint("ck_resources_book_ahead", "book_ahead_days IS NULL OR book_ahead_days > 0")
        batch.create_check_constraint("ck_resources_booking_buffer", "booking_buffer_minutes >= 0")
        batch.create_check_constraint("ck_resources_checkin", "checkin_minutes IS NULL OR checkin_minutes > 0")
    with op.batch_alter_table("users", table_kwargs=AUTOINCREMENT) as batch:
        batch.add_column(sa.Column("calendar_key", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("booking_reminder_minutes", sa.Integer(), server_default="15", nullable=False))
        batch.create_unique_constraint("uq_users_calendar_key", ["calendar_key"])
    with op.batch_alter_table("notification_events", table_kwargs=AUTOINCREMENT) as batch:
        batch.drop_constraint("ck_notification_events_event", type_="check")
        batch.create_check_constraint("ck_notification_events_event", EVENTS)


def downgrade():
    op.execute("DELETE FROM notification_events WHERE event LIKE 'booking%' OR event = 'hold_shortened'")
    with op.batch_alter_table("notification_events", table_kwargs=AUTOINCREMENT) as batch:
        batch.drop_constraint("ck_notification_events_event", type_="check")
        batch.create_check_constraint("ck_notification_events_event", OLD_EVENTS)
    with op.batch_alter_table("users", table_kwargs=AUTOINCREMENT) as batch:
        batch.drop_constraint("uq_users_calendar_key", type_="unique")
        batch.drop_column("booking_reminder_minutes")
        batch.drop_column("calendar_key")
    with op.batch_alter_table("resources", table_kwargs=AUTOINCREMENT) as batch:
        for name in ("checkin", "booking_buffer", "book_ahead", "max_booking"):
            batch.drop_constraint(f"ck_resources_{name}", type_="check")
        for column in ("booked_until", "checkin_minutes", "booking_buffer_minutes", "book_ahead_days",
                       "max_booking_minutes"):
            batch.drop_column(column)
    op.execute("UPDATE reservations SET booking_id = NULL")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("fk_reservations_booking_id", "reservations", type_="foreignkey")
    op.drop_column("reservations", "booking_id")
    op.drop_table("bookings")
