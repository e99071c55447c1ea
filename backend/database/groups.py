"""The Groups part: groups and who belongs to them, as the intranet sign-in reports them.

A group is made the first time someone signs in as its member, and matched by name afterwards
("Admins" and "admins" are one group, as user names are compared). Memberships are replaced as a
whole at each sign-in, so that leaving a group in the directory leaves it here too.
"""
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select

from backend.errors import NotFound
from backend.models import Group, User, user_groups
from backend.models.names import canonical, key_of


@dataclass(frozen=True)
class GroupEntry:
    """A group and how many people are in it."""

    id: int
    name: str
    members: int


def name_set(names):
    """Group names as they are compared: NFKC and case folded."""
    return {canonical(name) for name in names if name}


class Groups:
    def __init__(self, transactions):
        self.transactions = transactions

    def set_memberships(self, session, user_id, names):
        """Inside the caller's write: the user belongs to exactly these groups, made if new."""
        wanted = {}
        for name in names:
            if name and name.strip():
                wanted.setdefault(key_of(name.strip()), name.strip()[:200])
        existing = dict(session.execute(select(Group.name_key, Group.id)
                                        .where(Group.name_key.in_(wanted))).all()) if wanted else {}
        for key, name in wanted.items():
            if key not in existing:
                group = Group(name=name, created_at=self.transactions.now())
                session.add(group)
                session.flush()
                existing[key] = group.id
        session.execute(delete(user_groups).where(user_groups.c.user_id == user_id))
        if existing:
            session.execute(insert(user_groups), [{"user_id": user_id, "group_id": group_id}
                                                  for group_id in existing.values()])

    def of_user(self, user_id):
        """The names of the user's groups, sorted."""
        return list(self.transactions.session.scalars(
            select(Group.name).join(user_groups, user_groups.c.group_id == Group.id)
            .where(user_groups.c.user_id == user_id).order_by(Group.name)))

    def of_users(self):
        """{user id: [group names, sorted]} for everyone in some group."""
        rows = self.transactions.session.execute(
            select(user_groups.c.user_id, Group.name).join(Group, Group.id == user_groups.c.group_id)
            .order_by(Group.name))
        found = {}
        for user_id, name in rows:
            found.setdefault(user_id, []).append(name)
        return found

    def list(self):
        """Every group with its number of members, by name."""
        rows = self.transactions.session.execute(
            select(Group.id, Group.name, func.count(user_groups.c.user_id))
            .outerjoin(user_groups, user_groups.c.group_id == Group.id)
            .group_by(Group.id, Group.name).order_by(Group.name))
        return [GroupEntry(*row) for row in rows]

    def named(self, name):
        """The group with this name (compared as names are); NotFound when there is none."""
        group = self.transactions.session.scalars(select(Group).where(Group.name_key == key_of(name))).first()
        if group is None:
            raise NotFound(f"No group named {name!r}.", "GROUP_NOT_FOUND")
        return group

    def members(self, group_id):
        """The users in a group, by name."""
        return list(self.transactions.session.scalars(
            select(User).join(user_groups, user_groups.c.user_id == User.id)
            .where(user_groups.c.group_id == group_id).order_by(User.name)))
