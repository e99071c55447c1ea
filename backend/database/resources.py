"""The Resources part: creating, finding and listing the things people reserve."""
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from backend.database.groups import set_allowed_groups
from backend.errors import Conflict, NotFound
from backend.logs import ADMIN, log
from backend.models import Reservation, Resource, ResourceLabel

LISTING = select(Resource.id, Resource.name, Resource.comment, Resource.active, Resource.maintenance,
                 Resource.max_hold_minutes, Resource.booked_until, Resource.maintenance_reason).order_by(Resource.name)
ALL_LABELS = select(ResourceLabel.resource_id, ResourceLabel.name).order_by(ResourceLabel.name)


@dataclass(frozen=True)
class ListedResource:
    """A resource as lists show it, in plain values: kept between requests like the active list."""

    id: int
    name: str
    comment: str
    active: bool
    maintenance: bool
    max_hold_minutes: int | None
    # The end of its latest live booking (None: nothing booked), so pages read bookings only when there are any.
    booked_until: object = None
    # Why it is in maintenance, when something said (its health check).
    maintenance_reason: str | None = None
    labels: tuple = ()


class Resources:
    def __init__(self, transactions, audit):
        self.transactions = transactions
        self.audit = audit

    def create(self, name, comment="", max_hold_minutes=None, labels=(), booking_settings=None, acting=None,
               allowed_groups=()):
        """`booking_settings`: {max_booking_minutes, book_ahead_days, booking_buffer_minutes, checkin_minutes};
        `acting` (the administrator or ShellOperator) is recorded in the audit log; `allowed_groups`: the
        ids of the groups it is restricted to (none: everyone)."""
        with self.transactions.writing() as session:
            self.refuse_taken(session, name)
            resource = Resource(name=name, comment=comment or "", created_at=self.transactions.now(),
                                max_hold_minutes=max_hold_minutes, label_rows=[],
                                **{"booking_buffer_minutes": 0, **(booking_settings or {})})
            resource.labels = labels
            session.add(resource)
            session.flush()
            if allowed_groups:
                set_allowed_groups(session, resource.id, allowed_groups)
            changes = {field: [None, getattr(resource, field)]
                       for field in ("name", "comment", "max_hold_minutes", "labels", *(booking_settings or {}))
                       if getattr(resource, field)}  # what was set; empty and zero are the defaults
            if allowed_groups:
                changes["allowed_groups"] = [None, sorted(set(allowed_groups))]
            self.audit.record(session, acting, "resource.create", "resource", resource.id, resource.name,
                              changes=changes)
        log.info("%s resource created id=%s name=%r", ADMIN, resource.id, resource.name)
        return resource

    @staticmethod
    def refuse_taken(session, name, except_id=None):
        """Conflict if another resource already has this name."""
        stmt = select(Resource.id).where(Resource.name == name)
        if except_id is not None:
            stmt = stmt.where(Resource.id != except_id)
        if session.scalar(stmt) is not None:
            raise Conflict(f"A resource named {name!r} already exists.", "RESOURCE_EXISTS")

    def list(self, include_inactive=False, with_health=False):
        """Resources by name; `with_health`: each with its health check, in the same statement."""
        stmt = select(Resource).order_by(Resource.name)
        if with_health:
            stmt = stmt.options(joinedload(Resource.health_check))
        if not include_inactive:
            stmt = stmt.where(Resource.active.is_(True))
        return list(self.transactions.session.scalars(stmt))

    def listing(self, include_inactive=False):
        """Every (active) resource by name, with its labels: two statements, and none at all while
        nothing was committed (see read_cache.py). The dashboard asks for it on every refresh."""
        return self.transactions.cached(("resources", include_inactive),
                                        lambda: (self._read_listing(include_inactive), None))

    def _read_listing(self, include_inactive):
        session = self.transactions.session
        labels = {}
        for resource_id, name in session.execute(ALL_LABELS):
            labels.setdefault(resource_id, []).append(name)
        stmt = LISTING if include_inactive else LISTING.where(Resource.active.is_(True))
        return [ListedResource(*row, labels=tuple(labels.get(row.id, ()))) for row in session.execute(stmt)]

    def get(self, resource_id):
        resource = self.transactions.session.get(Resource, resource_id)
        if resource is None:
            raise NotFound(f"No resource with id {resource_id}.", "RESOURCE_NOT_FOUND")
        return resource

    def named(self, name):
        """The resource, active or not, with this name; NotFound when there is none."""
        resource = self.transactions.session.scalars(select(Resource).where(Resource.name == name)).first()
        if resource is None:
            raise NotFound(f"No resource named {name!r}.", "RESOURCE_NOT_FOUND")
        return resource

    def max_hold_minutes(self, resource):
        """The longest hold the resource allows, in minutes: its own maximum, else the site's
        hold length; None when holds there never have to end."""
        return resource.max_hold_minutes or self.transactions.setting("RESERVIA_HOLD_MINUTES") or None

    def history_count(self, resource_id):
        """How many reservations, past or active, name the resource: with any, deleting it
        deactivates it instead."""
        return self.transactions.session.scalar(
            select(func.count(Reservation.id)).where(Reservation.resource_id == resource_id))

    def names(self):
        """(id, name) of every resource, active or not, for filter menus."""
        return list(self.transactions.session.execute(select(Resource.id, Resource.name).order_by(Resource.name)))
