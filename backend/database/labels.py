"""The Labels part: which labels resources carry, and how many of each are free to take."""
from sqlalchemy import case, exists, func, select, text

from backend.models import Reservation, Resource, ResourceLabel
from backend.models.states import TAKEN_SQL


class Labels:
    def __init__(self, transactions):
        self.transactions = transactions

    def of(self, resource_ids=None):
        """{resource id: sorted label names}, for the given resources or all of them."""
        stmt = select(ResourceLabel.resource_id, ResourceLabel.name).order_by(ResourceLabel.name)
        if resource_ids is not None:
            stmt = stmt.where(ResourceLabel.resource_id.in_(resource_ids))
        found = {}
        for resource_id, name in self.transactions.session.execute(stmt):
            found.setdefault(resource_id, []).append(name)
        return found

    def summary(self):
        """Every label carried by an active resource, with how many active resources carry it and
        how many of those are free (neither held, kept, nor in maintenance), by name: in SQL what
        `label_summary` (backend/domain/labels.py) counts for the dashboard's chips, and checked
        against it (tests/test_label_summary.py).

        NOT EXISTS, not NOT IN: an approved label request's own row is taken with a NULL
        resource_id, and `id NOT IN (…, NULL)` is never true, so every label read 0 free."""
        taken = exists().where(Reservation.resource_id == Resource.id, text(TAKEN_SQL))
        free = Resource.maintenance.is_(False) & ~taken
        rows = self.transactions.session.execute(
            select(ResourceLabel.name, func.count(), func.sum(case((free, 1), else_=0)))
            .join(Resource, Resource.id == ResourceLabel.resource_id)
            .where(Resource.active.is_(True))
            .group_by(ResourceLabel.name).order_by(ResourceLabel.name))
        return [{"name": name, "resources": total, "free": int(free or 0)} for name, total, free in rows]
