"""What a group may do, and how much: limits and a priority per group (or for everyone), for all
resources, one resource or one label. What they mean is docs/policies.md; how the most generous
applies is backend/domain/policies.py."""
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from backend.extensions import db
from backend.models.types import UTCDateTime, utcnow

# Who may use a restricted resource: a resource with rows here is for those groups' members
# (and administrators) only; without any, for everyone.
resource_allowed_groups = Table(
    "resource_allowed_groups", db.metadata,
    Column("resource_id", ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class GroupRule(db.Model):
    __tablename__ = "group_rules"
    __table_args__ = (
        CheckConstraint("resource_id IS NULL OR label IS NULL", name="ck_group_rules_scope"),
        CheckConstraint("max_hold_minutes IS NULL OR max_hold_minutes > 0", name="ck_group_rules_hold"),
        CheckConstraint("max_open_requests IS NULL OR max_open_requests > 0", name="ck_group_rules_open"),
        CheckConstraint("max_booked_hours_per_week IS NULL OR max_booked_hours_per_week > 0",
                        name="ck_group_rules_hours"),
        CheckConstraint("priority IS NULL OR priority BETWEEN 0 AND 100", name="ck_group_rules_priority"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # None: everyone, as if everybody were in one more group.
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    # The scope: one resource, one label, or (both None) every resource.
    resource_id: Mapped[int | None] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"))
    label: Mapped[str | None] = mapped_column(String(64))
    max_hold_minutes: Mapped[int | None] = mapped_column(Integer)
    max_open_requests: Mapped[int | None] = mapped_column(Integer)
    max_booked_hours_per_week: Mapped[int | None] = mapped_column(Integer)
    priority: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self):
        return f"<GroupRule {self.id} group={self.group_id}>"
