"""The Groups part: groups and who belongs to them, as the intranet sign-in reports them and as
administrators make them.

A group is made the first time someone signs in as its member, or by an administrator, and
matched by name afterwards ("Admins" and "admins" are one group, as user names are compared): a
group an administrator made and the directory later reports is the same row. The memberships the
sign-in reported are replaced as a whole at each sign-in, so that leaving a group in the
directory leaves it here too; those an administrator added stay until one removes them.
"""
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select

from backend.errors import Conflict, NotFound
from backend.logs import ADMIN, log
from backend.models import Group, GroupRule, User, resource_allowed_groups, user_groups
from backend.models.names import canonical, key_of


@dataclass(frozen=True)
class GroupEntry:
    """A group and how many people are in it."""

    id: int
    name: str
    members: int


# Who made a membership (models/group.py): the intranet sign-in or an administrator.
SSO, BY_ADMIN = "sso", "admin"


def name_set(names):
    """Group names as they are compared: NFKC and case folded."""
    return {canonical(name) for name in names if name}


class Groups:
    def __init__(self, transactions, audit=None):
        self.transactions = transactions
        # Administrators' changes to groups are recorded in the audit log (a Groups built alone
        # for a test may go without).
        self.audit = audit

    def _record(self, session, acting, action, group_id, name, changes=None, reason=None):
        if self.audit is not None:
            self.audit.record(session, acting, action, "group", group_id, name, changes=changes, reason=reason)

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
        session.execute(delete(user_groups).where(user_groups.c.user_id == user_id, user_groups.c.source == SSO))
        kept = set(session.scalars(select(user_groups.c.group_id).where(user_groups.c.user_id == user_id)))
        added = [group_id for group_id in existing.values() if group_id not in kept]
        if added:
            session.execute(insert(user_groups), [{"user_id": user_id, "group_id": group_id, "source": SSO}
                                                  for group_id in added])

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

    def create(self, name, description="", acting=None):
        """A new group; Conflict when one of that name (as names are compared) exists."""
        with self.transactions.writing() as session:
            self._refuse_taken(session, name)
            group = Group(name=name, description=description or "", created_at=self.transactions.now())
            session.add(group)
            session.flush()
            self._record(session, acting, "group.create", group.id, group.name,
                         {"name": [None, group.name], **({"description": [None, group.description]}
                                                         if group.description else {})})
        log.info("%s group created id=%s name=%r", ADMIN, group.id, group.name)
        return group

    def modify(self, group_id, name=None, description=None, acting=None):
        with self.transactions.writing() as session:
            group = self._get(session, group_id)
            if name is not None and key_of(name) != group.name_key:
                self._refuse_taken(session, name)
            before = {"name": group.name, "description": group.description}
            if name is not None:
                group.name = name
            if description is not None:
                group.description = description
            changes = {field: [old, getattr(group, field)] for field, old in before.items()
                       if getattr(group, field) != old}
            if changes:
                self._record(session, acting, "group.modify", group.id, group.name, changes)
        log.info("%s group modified id=%s", ADMIN, group_id)
        return group

    def delete(self, group_id, acting=None):
        """Delete a group, its memberships, its rules and its place on restricted resources."""
        with self.transactions.writing() as session:
            group = self._get(session, group_id)
            members = sorted(session.scalars(select(user_groups.c.user_id).where(user_groups.c.group_id == group_id)))
            rules = sorted(session.scalars(select(GroupRule.id).where(GroupRule.group_id == group_id)))
            self._record(session, acting, "group.delete", group.id, group.name,
                         {"name": [group.name, None], "members": [members, None], "rules": [rules, None]})
            # Said here rather than left to ON DELETE CASCADE: SQLite checks foreign keys only when asked.
            for table, column in ((user_groups, user_groups.c.group_id), (GroupRule.__table__, GroupRule.group_id),
                                  (resource_allowed_groups, resource_allowed_groups.c.group_id)):
                session.execute(delete(table).where(column == group_id))
            session.delete(group)
        log.info("%s group deleted id=%s", ADMIN, group_id)

    def change_members(self, group_id, add=(), remove=(), acting=None):
        """Add and remove members by user id; returns the member ids after, sorted. An added
        membership is the administrator's: a sign-in does not take it away."""
        with self.transactions.writing() as session:
            group = self._get(session, group_id)
            before = sorted(set(session.scalars(select(user_groups.c.user_id)
                                                .where(user_groups.c.group_id == group_id))))
            wanted = set(add or ()) | set(remove or ())
            found = set(session.scalars(select(User.id).where(User.id.in_(wanted)))) if wanted else set()
            missing = sorted(wanted - found)
            if missing:
                raise NotFound(f"No user with id {missing[0]}.", "USER_NOT_FOUND")
            if remove:
                session.execute(delete(user_groups).where(user_groups.c.group_id == group_id,
                                                          user_groups.c.user_id.in_(list(remove))))
            current = set(session.scalars(select(user_groups.c.user_id).where(user_groups.c.group_id == group_id)))
            new = sorted(set(add or ()) - current - set(remove or ()))
            if new:
                session.execute(insert(user_groups), [{"user_id": u, "group_id": group_id, "source": BY_ADMIN}
                                                      for u in new])
            members = sorted(set(session.scalars(select(user_groups.c.user_id)
                                                 .where(user_groups.c.group_id == group_id))))
            if members != before:
                self._record(session, acting, "group.members", group.id, group.name, {"members": [before, members]})
        log.info("%s group members changed id=%s added=%s removed=%s", ADMIN, group_id, new, sorted(remove or ()))
        return members

    def listing(self):
        """[(Group, [member ids])] by name, in two statements."""
        session = self.transactions.session
        members = {}
        for user_id, group_id in session.execute(select(user_groups.c.user_id, user_groups.c.group_id)
                                                 .order_by(user_groups.c.user_id)):
            members.setdefault(group_id, []).append(user_id)
        return [(group, members.get(group.id, [])) for group in session.scalars(select(Group).order_by(Group.name))]

    def get(self, group_id):
        return self._get(self.transactions.session, group_id)

    @staticmethod
    def _get(session, group_id):
        group = session.get(Group, group_id)
        if group is None:
            raise NotFound(f"No group with id {group_id}.", "GROUP_NOT_FOUND")
        return group

    @staticmethod
    def _refuse_taken(session, name):
        if session.scalar(select(Group.id).where(Group.name_key == key_of(name))) is not None:
            raise Conflict(f"A group named {name!r} already exists.", "GROUP_EXISTS")


def allowed_groups_of(session, resource_id):
    """The ids of the groups a resource is restricted to, sorted; empty: everyone may use it."""
    return sorted(session.scalars(select(resource_allowed_groups.c.group_id)
                                  .where(resource_allowed_groups.c.resource_id == resource_id)))


def set_allowed_groups(session, resource_id, group_ids):
    """Inside the caller's write: restrict the resource to these groups (none: everyone). Returns
    whether that changed anything; NotFound for a group that does not exist."""
    group_ids = sorted(set(group_ids or ()))
    found = set(session.scalars(select(Group.id).where(Group.id.in_(group_ids)))) if group_ids else set()
    missing = [g for g in group_ids if g not in found]
    if missing:
        raise NotFound(f"No group with id {missing[0]}.", "GROUP_NOT_FOUND")
    if allowed_groups_of(session, resource_id) == group_ids:
        return False
    session.execute(delete(resource_allowed_groups).where(resource_allowed_groups.c.resource_id == resource_id))
    if group_ids:
        session.execute(insert(resource_allowed_groups), [{"resource_id": resource_id, "group_id": g}
                                                          for g in group_ids])
    return True
