"""The active list as people and scripts read it: every hold and queued request with names,
its place in line, and for label requests their labels and how far they got."""
from operator import itemgetter

from sqlalchemy import select, text

from backend.database.pool import Pool
from backend.database.results import QueueEntry
from backend.database.rules import ReservationRow, ResourceState
from backend.domain.policies import service_key
from backend.models import Reservation, Resource, ResourceLabel, User
from backend.models.states import ACTIVE_SQL, APPROVED

# Plain rows named like the Reservation's attributes, not ORM objects: building and tracking an
# object per row was a third of the time of GET /reservation/active and the dashboard.
ACTIVE_LIST = (
    select(*Reservation.__table__.c, User.name.label("user_name"), Resource.name.label("resource_name"))
    .join(User, User.id == Reservation.user_id)
    .outerjoin(Resource, Resource.id == Reservation.resource_id)
    .where(text(ACTIVE_SQL))
    .order_by(Reservation.resource_id.nulls_last(), Reservation.id)
)
ROW_NAMES = tuple(ReservationRow.__dataclass_fields__)
# A row's values in ReservationRow's order, taken by position: by name, one attribute at a time,
# it was a fifth of building the list with label requests in it.
_ROW_VALUES = itemgetter(*(list(ACTIVE_LIST.selected_columns.keys()).index(name) for name in ROW_NAMES))
_NAMES = itemgetter(*(list(ACTIVE_LIST.selected_columns.keys()).index(name) for name in ("user_name", "resource_name")))


def _plain(result):
    """(ReservationRow, user name, resource name) for each row: the list is read many times over
    (every board, wait and listing until the next commit), and a result row's attributes are each
    looked up by name, several times slower than a plain object's."""
    return [(ReservationRow(*_ROW_VALUES(row)), *_NAMES(row)) for row in result]


def read_active(session, resource_id=None, now=None, aging=None, access=None):
    """Entries in resource order, each queue in the order of service at `now` (a waiting request
    rises a class per `aging`), then label requests still waiting; a fixed number of statements.
    `access`: a callable giving (the ResourceStates, {user id: group ids}, administrators) when
    some resource is restricted, for the places of label requests."""
    stmt = ACTIVE_LIST if resource_id is None else ACTIVE_LIST.where(Reservation.resource_id == resource_id)
    rows = _plain(session.execute(stmt))
    if resource_id is not None and any(row.parent_id is not None for row, _, _ in rows):
        # Resources held for a label request: their request's place and labels are needed too.
        return [e for e in read_active(session, None, now, aging, access)
                if e.reservation.resource_id == resource_id]
    if not any(row.parent_id is not None or row.resource_id is None for row, _, _ in rows):
        return _by_name_only(rows, now, aging)
    return _with_label_requests(session, rows, now, aging, access)


def _by_name_only(rows, now, aging):
    """Places in each resource's queue by the one order of service (policies.service_key)."""
    waiting = {}
    for row, _, _ in rows:
        if row.state != APPROVED:
            waiting.setdefault(row.resource_id, []).append(row)
    places = {}
    for queue in waiting.values():
        for place, row in enumerate(sorted(queue, key=lambda r: service_key(r, now, aging)), start=1):
            places[row.id] = place
    entries = [QueueEntry(row, user_name, resource_name, places.get(row.id, 0))
               for row, user_name, resource_name in rows]
    return _in_order(entries)


def _in_order(entries):
    """Each resource's holder, then its queue by place; label requests still waiting last."""
    return sorted(entries, key=lambda e: (e.reservation.resource_id is None, e.reservation.resource_id or 0,
                                          e.position or 0, e.reservation.id))


def _with_label_requests(session, rows, now, aging, access):
    """Places in line when label requests compete for resources: as the queue rules see them."""
    labels = {}
    for resource_id, name in session.execute(select(ResourceLabel.resource_id, ResourceLabel.name)):
        labels.setdefault(resource_id, set()).add(name)
    resources = [ResourceState(r.id, r.maintenance, r.active, frozenset(labels.get(r.id, ())))
                 for r in session.execute(select(Resource.id, Resource.maintenance, Resource.active))]
    user_groups, admins = {}, frozenset()
    if access is not None:
        resources, user_groups, admins = access(resources)
    plain = [row for row, _, _ in rows]
    pool = Pool(resources, plain, now=now, aging=aging, user_groups=user_groups, admins=admins)
    requests = {row.id: row for row in plain if row.resource_id is None}
    places = pool.positions(plain)
    entries = []
    for row, user_name, resource_name in rows:
        request = requests.get(row.parent_id or row.id)
        if request is None:
            entries.append(QueueEntry(row, user_name, resource_name, places[row.id]))
            continue
        position = 0 if request.state == APPROVED else places[request.id]
        collected = len(pool.members(request.id))
        entries.append(QueueEntry(row, user_name, resource_name, position,
                                  tuple(request.labels.split()), request.count, collected))
    return _in_order(entries)

