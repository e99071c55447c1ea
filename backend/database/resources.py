"""The Resources part: creating, finding and listing the things people reserve."""
from sqlalchemy import select

from backend.errors import Conflict, NotFound
from backend.logs import ADMIN, log
from backend.models import Resource


class Resources:
    def __init__(self, transactions):
        self.transactions = transactions

    def create(self, name, comment="", labels=()):
        with self.transactions.writing() as session:
            self.refuse_taken(session, name)
            resource = Resource(name=name, comment=comment or "", created_at=self.transactions.now(),
                                label_rows=[])
            resource.labels = labels
            session.add(resource)
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

    def list(self, include_inactive=False):
        stmt = select(Resource).order_by(Resource.name)
        if not include_inactive:
            stmt = stmt.where(Resource.active.is_(True))
        return list(self.transactions.session.scalars(stmt))

    def get(self, resource_id):
        resource = self.transactions.session.get(Resource, resource_id)
        if resource is None:
            raise NotFound(f"No resource with id {resource_id}.", "RESOURCE_NOT_FOUND")
        return resource

    def named(self, name):
        """The resource with this name; NotFound when there is none."""
        resource = self.transactions.session.scalars(select(Resource).where(Resource.name == name)).first()
        if resource is None:
            raise NotFound(f"No resource named {name!r}.", "RESOURCE_NOT_FOUND")
        return resource

    def names(self):
        """(id, name) of every resource, active or not, for filter menus."""
        return list(self.transactions.session.execute(select(Resource.id, Resource.name).order_by(Resource.name)))
