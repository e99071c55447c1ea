"""Labels on resources, and requests for any resources carrying labels.

A request by labels is a reservation row without a resource (labels and a count instead); each
resource it collects is a row of its own pointing at it (parent_id), 'kept' until the request has
them all, then 'approved' with it. Triggers refuse a label request approved with fewer resources
than it asked for, and a resource row approved before its request.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

OLD_ACTIVE = sa.text("state IN ('requested', 'approved')")
OLD_HOLDING = sa.text("state = 'approved'")
ACTIVE = sa.text("state IN ('requested', 'approved', 'kept')")
TAKEN = sa.text("state IN ('approved', 'kept')")
OWN_REQUEST = sa.text("parent_id IS NULL AND state IN ('requested', 'approved')")
WAITING_SET = sa.text("resource_id IS NULL AND state = 'requested'")
KIND = ("(resource_id IS NULL AND labels IS NOT NULL AND parent_id IS NULL AND count BETWEEN 1 AND 100)"
        " OR (resource_id IS NOT NULL AND labels IS NULL AND count = 1)")
STATES = "state IN ('requested', 'approved', 'kept', 'released', 'cancelled', 'expired')"
OLD_STATES = "state IN ('requested', 'approved', 'released', 'cancelled', 'expired')"

WHOLE_SET_MESSAGE = "a label request is approved only with every resource it asked for"
MEMBER_MESSAGE = "a resource of a label request is approved only with its request"

SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER tr_reservations_whole_set_update BEFORE UPDATE OF state ON reservations
    WHEN NEW.state = 'approved' AND NEW.resource_id IS NULL
     AND (SELECT count(*) FROM reservations m WHERE m.parent_id = NEW.id
          AND m.state IN ('kept', 'approved')) <> NEW.count
    BEGIN SELECT RAISE(ABORT, '{WHOLE_SET_MESSAGE}'); END""",
    f"""CREATE TRIGGER tr_reservations_whole_set_insert BEFORE INSERT ON reservations
    WHEN NEW.state = 'approved' AND NEW.resource_id IS NULL
    BEGIN SELECT RAISE(ABORT, '{WHOLE_SET_MESSAGE}'); END""",
    f"""CREATE TRIGGER tr_reservations_member_update BEFORE UPDATE OF state ON reservations
    WHEN NEW.state = 'approved' AND NEW.parent_id IS NOT NULL
     AND (SELECT p.state FROM reservations p WHERE p.id = NEW.parent_id) <> 'approved'
    BEGIN SELECT RAISE(ABORT, '{MEMBER_MESSAGE}'); END""",
    f"""CREATE TRIGGER tr_reservations_member_insert BEFORE INSERT ON reservations
    WHEN NEW.state = 'approved' AND NEW.parent_id IS NOT NULL
     AND (SELECT p.state FROM reservations p WHERE p.id = NEW.parent_id) <> 'approved'
    BEGIN SELECT RAISE(ABORT, '{MEMBER_MESSAGE}'); END""",
]

POSTGRESQL_FUNCTION = f"""
CREATE FUNCTION reservations_whole_sets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.state = 'approved' AND NEW.resource_id IS NULL THEN
        IF TG_OP = 'INSERT' OR (SELECT count(*) FROM reservations m WHERE m.parent_id = NEW.id
                                AND m.state IN ('kept', 'approved')) <> NEW.count THEN
            RAISE EXCEPTION '{WHOLE_SET_MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END IF;
    IF NEW.state = 'approved' AND NEW.parent_id IS NOT NULL
       AND (SELECT p.state FROM reservations p WHERE p.id = NEW.parent_id) <> 'approved' THEN
        RAISE EXCEPTION '{MEMBER_MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$"""
POSTGRESQL_TRIGGER = """CREATE TRIGGER tr_reservations_whole_sets BEFORE INSERT OR UPDATE OF state ON reservations
FOR EACH ROW EXECUTE FUNCTION reservations_whole_sets()"""


def upgrade():
    op.create_table(
        "resource_labels",
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["resource_id"], ["resources.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("resource_id", "name"),
    )
    op.create_index("ix_resource_labels_name", "resource_labels", ["name"])
    op.drop_index("uq_reservations_one_holder", table_name="reservations")
    op.drop_index("uq_reservations_one_active_per_user", table_name="reservations")
    op.drop_index("ix_reservations_active", table_name="reservations")
    with op.batch_alter_table("reservations", recreate="auto", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("labels", sa.String(length=900), nullable=True))
        batch.add_column(sa.Column("count", sa.Integer(), nullable=False, server_default="1"))
        batch.alter_column("resource_id", existing_type=sa.Integer(), nullable=True)
        batch.drop_constraint("ck_reservations_state", type_="check")
        batch.create_check_constraint("ck_reservations_state", STATES)
        batch.create_check_constraint("ck_reservations_kind", KIND)
        batch.create_check_constraint("ck_reservations_kept", "state <> 'kept' OR parent_id IS NOT NULL")
        batch.create_foreign_key("fk_reservations_parent_id", "reservations", ["parent_id"], ["id"])
    op.create_index("ix_reservations_active", "reservations", ["resource_id", "id"],
                    sqlite_where=ACTIVE, postgresql_where=ACTIVE)
    op.create_index("uq_reservations_one_holder", "reservations", ["resource_id"],
                    unique=True, sqlite_where=TAKEN, postgresql_where=TAKEN)
    op.create_index("uq_reservations_one_active_per_user", "reservations", ["user_id", "resource_id"],
                    unique=True, sqlite_where=OWN_REQUEST, postgresql_where=OWN_REQUEST)
    op.create_index("ix_reservations_waiting_sets", "reservations", ["id"],
                    sqlite_where=WAITING_SET, postgresql_where=WAITING_SET)
    op.create_index("ix_reservations_parent", "reservations", ["parent_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRESQL_FUNCTION)
        op.execute(POSTGRESQL_TRIGGER)
    else:
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER tr_reservations_whole_sets ON reservations")
        op.execute("DROP FUNCTION reservations_whole_sets()")
    else:
        for name in ("whole_set_update", "whole_set_insert", "member_update", "member_insert"):
            op.execute(f"DROP TRIGGER tr_reservations_{name}")
    # Label requests and what they hold cannot be expressed in the older schema.
    op.execute("DELETE FROM reservations WHERE parent_id IS NOT NULL")
    op.execute("DELETE FROM reservations WHERE resource_id IS NULL")
    for name in ("ix_reservations_parent", "ix_reservations_waiting_sets", "uq_reservations_one_active_per_user",
                 "uq_reservations_one_holder", "ix_reservations_active"):
        op.drop_index(name, table_name="reservations")
    with op.batch_alter_table("reservations", recreate="auto", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_constraint("fk_reservations_parent_id", type_="foreignkey")
        batch.drop_constraint("ck_reservations_kept", type_="check")
        batch.drop_constraint("ck_reservations_kind", type_="check")
        batch.drop_constraint("ck_reservations_state", type_="check")
        batch.create_check_constraint("ck_reservations_state", OLD_STATES)
        batch.alter_column("resource_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_column("count")
        batch.drop_column("labels")
        batch.drop_column("parent_id")
    op.create_index("ix_reservations_active", "reservations", ["resource_id", "id"],
                    sqlite_where=OLD_ACTIVE, postgresql_where=OLD_ACTIVE)
    op.create_index("uq_reservations_one_active_per_user", "reservations", ["user_id", "resource_id"],
                    unique=True, sqlite_where=OLD_ACTIVE, postgresql_where=OLD_ACTIVE)
    op.create_index("uq_reservations_one_holder", "reservations", ["resource_id"],
                    unique=True, sqlite_where=OLD_HOLDING, postgresql_where=OLD_HOLDING)
    op.drop_index("ix_resource_labels_name", table_name="resource_labels")
    op.drop_table("resource_labels")
