"""The Policies part: what the group rules (rules_admin.py) mean: who may use a restricted resource, and
the checks a request or a booking passes before it changes anything: the hold's length, the open
requests, the booked hours of the week, and the priority class a new request gets.

The checks run inside the caller's write, after its locks: two requests at once cannot both
take the last place. What is most generous, the week and the aging are plain rules in
backend/domain/policies.py; docs/policies.md says what they mean for people.
"""
from datetime import timedelta

from sqlalchemy import bindparam, case, func, literal_column, null, or_, select, text, union_all

from backend.database.groups import allowed_groups_of
from backend.database.queue import read_access
from backend.database.rules import RESOURCE_MARK, resource_mark
from backend.domain.durations import duration_text
from backend.domain.policies import (
    DEFAULT_PRIORITY,
    Rule,
    bounded,
    hours_text,
    most_generous,
    overlap_hours,
    priority_of,
    rules_of,
    touches,
    week_window,
)
from backend.errors import Conflict, Forbidden, Invalid
from backend.models import Booking, GroupRule, Reservation, Resource, ResourceLabel, resource_allowed_groups
from backend.models import user_groups as memberships
from backend.models.states import APPROVED, OWN_REQUEST_SQL, REQUESTED

RULE_COLUMNS = (GroupRule.id, GroupRule.group_id, GroupRule.resource_id, GroupRule.label,
                GroupRule.max_hold_minutes, GroupRule.max_open_requests, GroupRule.max_booked_hours_per_week,
                GroupRule.priority)
ALL_RULES = select(*RULE_COLUMNS).order_by(GroupRule.id)
GROUPS_OF = select(memberships.c.group_id).where(memberships.c.user_id == bindparam("user_id"))
ALLOWED_OF = select(resource_allowed_groups.c.group_id).where(
    resource_allowed_groups.c.resource_id == bindparam("resource_id"))
# A user's open requests (waiting or holding, by name or by labels), as (resource id, labels).
OPEN_OF = (select(Reservation.resource_id, Reservation.labels)
           .where(Reservation.user_id == bindparam("user_id"), Reservation.parent_id.is_(None),
                  Reservation.state.in_((REQUESTED, APPROVED)))
           .where((Reservation.valid_until.is_(None)) | (Reservation.valid_until > bindparam("now"))))
# Bookings that count towards booked hours: not cancelled, not maintenance windows.
BOOKED_OF = (select(Booking.resource_id, Booking.start_at, Booking.end_at)
             .where(Booking.user_id == bindparam("user_id"), Booking.status != "cancelled",
                    Booking.maintenance.is_(False), Booking.start_at < bindparam("end"),
                    Booking.end_at > bindparam("start")))
LABELS_OF = select(ResourceLabel.resource_id, ResourceLabel.name)
# The labels of the resources a request names or holds: only theirs, however many a site has.
LABELS_OF_SOME = LABELS_OF.where(ResourceLabel.resource_id.in_(bindparam("resource_ids", expanding=True)))
MY_GROUPS = select(memberships.c.group_id).where(memberships.c.user_id == bindparam("user_id")).scalar_subquery()
_NOTHING = (null(),) * 6
# What a request needs to know, in one statement under the write lock (each statement there is
# throughput lost for every writer): the rules that apply to the user (kind 0), the groups the
# resource is restricted to and whether the user is in each (kind 1), and how many open
# requests the user has (kind 2, from the partial index of open requests), and the labels of the
# resources the request names (kind 3: what a label's rule speaks about; none for a request without
# rules, read here all the same so that rules cost the request no statement of its own).
REQUEST_POLICY = union_all(
    select(literal_column("0"), GroupRule.id, GroupRule.group_id, GroupRule.resource_id, GroupRule.label,
           GroupRule.max_hold_minutes, GroupRule.max_open_requests, GroupRule.max_booked_hours_per_week,
           GroupRule.priority)
    .where(GroupRule.group_id.is_(None) | GroupRule.group_id.in_(MY_GROUPS)),
    select(literal_column("1"), resource_allowed_groups.c.group_id,
           case((resource_allowed_groups.c.group_id.in_(MY_GROUPS), 1), else_=0), *_NOTHING)
    .where(resource_allowed_groups.c.resource_id == bindparam("restricted_id")),
    select(literal_column("2"), func.count(), null(), *_NOTHING)
    .select_from(Reservation)
    .where(Reservation.user_id == bindparam("user_id"), text(OWN_REQUEST_SQL),
           or_(Reservation.valid_until.is_(None), Reservation.valid_until > bindparam("now"))),
    select(literal_column("3"), null(), null(), ResourceLabel.resource_id, ResourceLabel.name, *_NOTHING[:4])
    .where(ResourceLabel.resource_id.in_(bindparam("named_ids", expanding=True))),
)


class Policies:
    def __init__(self, transactions):
        self.transactions = transactions

    def allowed_groups(self, resource_id):
        """The ids of the groups a resource is restricted to (empty: everyone)."""
        return allowed_groups_of(self.transactions.session, resource_id)

    def barred(self, user_id):
        """The ids of the resources restricted to groups the user is not in (none for an
        administrator). Every dashboard refresh asks: who may use what is read once per commit
        for everyone, not once per reader (which opened a transaction for each refresh)."""
        allowed, members, admins = self.access()
        if user_id in admins:
            return frozenset()
        mine = members.get(user_id, frozenset())
        return frozenset(rid for rid, groups in allowed.items() if not groups & mine)

    def access(self):
        """({resource id: the groups it is restricted to}, {user id: their groups}, the
        administrators' ids), read once per commit (queue.read_access)."""
        return self.transactions.cached(("access",),
                                        lambda: (read_access(self.transactions.session.connection()), None))

    def group_ids(self, connection, user_id):
        return frozenset(connection.execute(GROUPS_OF, {"user_id": user_id}).scalars())

    def refuse_not_allowed(self, connection, user, resource_id, name):
        """Forbidden unless the resource is for everyone, the user an administrator, or in one of its groups."""
        allowed = set(connection.execute(ALLOWED_OF, {"resource_id": resource_id}).scalars())
        if allowed and not user.is_admin and not allowed & self.group_ids(connection, user.id):
            raise _not_allowed(name)

    def check_request(self, connection, user, resource_ids=(), labels=(), hold_minutes=None, maximum=None,
                      restricted=None):
        """Refuse a new request its user's rules do not allow: a resource restricted to groups
        they are not in (`restricted`: (its id, its name) for a request by name), a hold too
        long, too many open requests. Returns (the hold in minutes to use, the priority class).

        `resource_ids`: the resources named; `labels`: those asked for; `maximum`: the longest
        hold the resources allow (a timedelta, None: no limit), which bounds the rules' too.
        """
        rows = connection.execute(REQUEST_POLICY, {"user_id": user.id, "now": self.transactions.now(),
                                                   "restricted_id": restricted[0] if restricted else 0,
                                                   "named_ids": sorted(set(resource_ids))}).all()
        allowed = [row[2] for row in rows if row[0] == 1]
        if allowed and not user.is_admin and not any(allowed):
            raise _not_allowed(restricted[1])
        open_count = next(row[1] for row in rows if row[0] == 2)
        rules = [Rule(*row[1:]) for row in rows if row[0] == 0]
        if rules:
            labels = set(labels) | {row[4] for row in rows if row[0] == 3}
            rules = [r for r in rules if touches(r, resource_ids, labels)]
        hold_limit = _refuse_too_long(rules, hold_minutes)
        if hold_limit is not None:
            # Without a choice a hold lasts the site's length: cut to the rule's when that is longer.
            site = self.transactions.minutes_setting("RESERVIA_HOLD_MINUTES")
            if hold_minutes is None and (site is None or site > timedelta(minutes=hold_limit)):
                resource_limit = int(maximum.total_seconds() // 60) if maximum is not None else None
                hold_minutes = bounded(hold_limit, resource_limit)
        self._refuse_open(connection, user, rules, open_count)
        return hold_minutes, priority_of(rules)

    def check_hold(self, connection, user, resource_ids=(), labels=(), hold_minutes=None):
        """HOLD_TOO_LONG for a hold longer than the user's rules allow (a keep-alive's new length)."""
        if hold_minutes is not None:
            _refuse_too_long(self._touching(connection, user, resource_ids, labels), hold_minutes)

    def _touching(self, connection, user, resource_ids, labels):
        """The user's rules that speak about a request for these resources or labels."""
        labels = set(labels) | self._labels_of(connection, resource_ids)
        return [r for r in self._rules_for(connection, user.id) if touches(r, resource_ids, labels)]

    def _refuse_open(self, connection, user, rules, open_count):
        """Per scope, the most generous rule's max_open_requests against the open requests of that
        scope; for all resources, without a rule, the site's RESERVIA_MAX_OPEN_REQUESTS."""
        limits = most_generous(rules, "max_open_requests")
        if limits:
            # For every resource, each open request counts: the count REQUEST_POLICY read is the
            # answer, and the requests themselves are read only for a narrower scope.
            open_rows = self._open(connection, user.id) if set(limits) != {("all", None)} else None
            for scope, limit in sorted(limits.items(), key=str):
                used = open_count if open_rows is None else sum(1 for row in open_rows if _in_scope(scope, row))
                if used >= limit:
                    raise _quota(f"You already have {used} open requests of your {limit}{_on(scope, connection)}.",
                                 limit, used)
        if ("all", None) not in limits:
            site = self.transactions.setting("RESERVIA_MAX_OPEN_REQUESTS")
            if site > 0 and open_count >= site:
                raise Conflict(f"You already have {site} open requests, the most anyone may have; cancel or "
                               "release one first.", "TOO_MANY_REQUESTS")

    def check_booking(self, connection, user, items):
        """Refuse bookings over resources the user may not use, or past their booked hours of a
        week (Monday to Monday in RESERVIA_TIME_ZONE). `items`: [(resource id, start, end)],
        every resource of every occurrence being booked."""
        resource_ids = sorted({rid for rid, _, _ in items})
        names = dict(connection.execute(select(Resource.id, Resource.name).where(Resource.id.in_(resource_ids))).all())
        for resource_id in resource_ids:
            self.refuse_not_allowed(connection, user, resource_id, names.get(resource_id, "The resource"))
        resource_labels = self._resource_labels(connection)
        labels = set().union(*(resource_labels.get(rid, set()) for rid in resource_ids))
        rules = [r for r in self._rules_for(connection, user.id) if touches(r, resource_ids, labels)]
        limits = most_generous(rules, "max_booked_hours_per_week")
        zone = self.transactions.setting("RESERVIA_TIME_ZONE")
        for window in sorted({week_window(start, zone) for _, start, _ in items}) if limits else ():
            booked = self._booked(connection, user.id, window)
            for scope, limit in sorted(limits.items(), key=str):
                used = sum(h for rid, h in booked if _resource_in_scope(scope, rid, resource_labels))
                adding = sum(overlap_hours(start, end, *window) for rid, start, end in items
                             if _resource_in_scope(scope, rid, resource_labels))
                if used + adding > limit:
                    raise _quota(f"You have booked {hours_text(used)} of your {limit} h this week"
                                 f"{_on(scope, connection)}.", limit, round(used, 2))

    def limits(self, user):
        """What applies to the user, one entry per scope their rules name (and always one for
        everything), with what they use of it now."""
        connection = self.transactions.session.connection()
        rules = self._rules_for(connection, user.id)
        scopes = {("all", None)} | {r.scope for r in rules}
        open_rows = self._open(connection, user.id)
        window = week_window(self.transactions.now(), self.transactions.setting("RESERVIA_TIME_ZONE"))
        booked = self._booked(connection, user.id, window)
        resource_labels = self._resource_labels(connection)
        entries = []
        for scope in sorted(scopes, key=lambda s: (s[0] != "all", str(s))):
            mine = [r for r in rules if r.scope == scope]
            generous = {name: most_generous(mine, name).get(scope)
                        for name in ("max_hold_minutes", "max_open_requests", "max_booked_hours_per_week")}
            if scope[0] == "all" and generous["max_open_requests"] is None:
                generous["max_open_requests"] = self.transactions.setting("RESERVIA_MAX_OPEN_REQUESTS") or None
            entries.append({
                "resource_id": scope[1] if scope[0] == "resource" else None,
                "label": scope[1] if scope[0] == "label" else None,
                **generous,
                "priority": priority_of(mine) if mine else DEFAULT_PRIORITY,
                "used_open_requests": sum(1 for row in open_rows if _in_scope(scope, row, resource_labels)),
                "used_booked_hours_this_week": round(sum(
                    h for rid, h in booked if _resource_in_scope(scope, rid, resource_labels)), 2),
            })
        return entries

    def _rules_for(self, connection, user_id):
        return rules_of([Rule(*row) for row in connection.execute(ALL_RULES)], self.group_ids(connection, user_id))

    def _open(self, connection, user_id):
        """The user's open requests as (resource id or None, the set of labels it names or its resource carries)."""
        rows = connection.execute(OPEN_OF, {"user_id": user_id, "now": self.transactions.now()}).all()
        carried = self._resource_labels(connection, {rid for rid, _ in rows if rid is not None})
        return [(rid, set((labels or "").split()) | carried.get(rid, set())) for rid, labels in rows]

    def _booked(self, connection, user_id, window):
        """[(resource id, hours inside the window)] of the user's bookings."""
        start, end = window
        rows = connection.execute(BOOKED_OF, {"user_id": user_id, "start": start, "end": end})
        return [(rid, overlap_hours(s, e, start, end)) for rid, s, e in rows]

    @staticmethod
    def _resource_labels(connection, resource_ids=None):
        """{resource id: its labels}, of every resource or (`resource_ids`) of those only: a
        request's checks read the labels of what it names, not the whole site's."""
        if resource_ids is not None and not resource_ids:
            return {}
        found = {}
        rows = connection.execute(LABELS_OF) if resource_ids is None else \
            connection.execute(LABELS_OF_SOME, {"resource_ids": sorted(resource_ids)})
        for resource_id, name in rows:
            found.setdefault(resource_id, set()).add(name)
        return found

    def _labels_of(self, connection, resource_ids):
        carried = self._resource_labels(connection, set(resource_ids))
        return set().union(*(carried.get(rid, set()) for rid in resource_ids))


def asked_for(request):
    """(the resources named, the labels asked for) of a request, as the group rules read them."""
    if not request.is_label_request:
        return (request.resource_id,), ()
    named = [int(label[1:]) for label in request.label_set if label.startswith(RESOURCE_MARK)]
    return named, request.label_set - {resource_mark(i) for i in named}


def _refuse_too_long(rules, hold_minutes):
    """The longest hold the rules allow in minutes (None: they set none); HOLD_TOO_LONG past it."""
    hold_limit = bounded(*most_generous(rules, "max_hold_minutes").values())
    if hold_limit is not None and hold_minutes is not None and hold_minutes > hold_limit:
        message = f"Your groups' rules allow holds of at most {duration_text(timedelta(minutes=hold_limit))}."
        raise Invalid(message, "HOLD_TOO_LONG", fields={"hold_minutes": [message]})
    return hold_limit


def _in_scope(scope, row, resource_labels=None):
    """Whether an open request (resource id, labels) counts in a rule's scope."""
    kind, subject = scope
    resource_id, labels = row
    if kind == "all":
        return True
    if kind == "resource":
        return resource_id == subject or f"#{subject}" in labels
    return subject in labels


def _resource_in_scope(scope, resource_id, resource_labels):
    kind, subject = scope
    if kind == "all":
        return True
    if kind == "resource":
        return resource_id == subject
    return subject in resource_labels.get(resource_id, set())


def _on(scope, connection):
    kind, subject = scope
    if kind == "resource":
        name = connection.execute(select(Resource.name).where(Resource.id == subject)).scalar()
        return f" on {name}"
    return f" on {subject}" if kind == "label" else ""


def _not_allowed(name):
    return Forbidden(f"{name} is restricted to some groups, and you are in none of them.", "NOT_ALLOWED")


def _quota(message, limit, used):
    return Forbidden(message, "QUOTA_EXCEEDED", details={"limit": limit, "used": used})
