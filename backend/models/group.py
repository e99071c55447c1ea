"""Groups people belong to, as the intranet sign-in reports them (Apache's environment or the
directory), matched by name: the same group names decide who is an administrator
(RESERVIA_ADMIN_GROUPS), who may sign in at all (RESERVIA_ALLOWED_GROUPS), and the rules per group
(group_rule.py). Administrators may make groups and add members too: a group is one row whoever
made it, and a membership remembers who made it (`source`), so that a sign-in replaces only what
the intranet reported and keeps what an administrator added."""
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, validates

from backend.extensions import db
from backend.models.names import key_of, normalised
from backend.models.types import UTCDateTime, utcnow

# Who belongs to which group; deleting a user or a group deletes their memberships.
user_groups = Table(
    "user_groups", db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True, index=True),
    # "sso": reported by the intranet sign-in (replaced at each sign-in); "admin": added by an
    # administrator (kept until one removes it).
    Column("source", String(8), nullable=False, server_default="sso"),
    CheckConstraint("source IN ('sso', 'admin')", name="ck_user_groups_source"),
)


class Group(db.Model):
    __tablename__ = "groups"
    # "Admins" and "admins" are one group, as user names are one name (names.py).
    __table_args__ = (UniqueConstraint("name_key", name="uq_groups_name_key"),
                      {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(500), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @validates("name")
    def _keep_name_key(self, _attribute, name):
        name = normalised(name)
        self.name_key = key_of(name)
        return name

    def __repr__(self):
        return f"<Group {self.id} {self.name!r}>"
