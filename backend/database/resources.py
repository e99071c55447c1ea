"""Resources: creation, lookup and listing."""
from sqlalchemy import bindparam, select

from backend.errors import Conflict, NotFound
from backend.log_events import ADMIN, log
from backend.models import Resource

RESOURCES = Resource.__table__
# Built once (see queue.py): every write starts with one of these.
LOCK_RESOURCE = select(*RESOURCES.c).where(RESOURCES.c.id == bindparam("id")).with_for_update()
LOCK_RESOURCES = (select(*RESOURCES.c).where(RESOURCES.c.id.in_(bindparam("ids", expanding=True)))
                  .order_by(RESOURCES.c.id).with_for_update())


class ResourceQueries:
    def create_resource(self, name, comment=""):
        with self.writing() as session:
            if session.scalar(select(Resource.id).where(Resource.name == name)) is not None:
                raise Conflict(f"A resource named {name!r} already exists.", "RESOURCE_EXISTS")
            resource = Resource(name=name, comment=comment or "", created_at=self.now())
            session.add(resource)
        log.info("%s resource created id=%s name=%r", ADMIN, resource.id, resource.name)
        return resource

    def list_resources(self, include_inactive=False):
        stmt = select(Resource).order_by(Resource.name)
        if not include_inactive:
            stmt = stmt.where(Resource.active.is_(True))
        return list(self.session.scalars(stmt))

    def get_resource(self, resource_id):
        resource = self.session.get(Resource, resource_id)
        if resource is None:
            raise NotFound(f"No resource with id {resource_id}.", "RESOURCE_NOT_FOUND")
        return resource

    def _locked_resource(self, connection, resource_id, include_inactive=False):
        """The resource's row (plain values), locked against other writers until commit (a no-op
        lock on SQLite, whose BEGIN IMMEDIATE already holds the database write lock)."""
        resource = connection.execute(LOCK_RESOURCE, {"id": resource_id}).first()
        if resource is None or not (resource.active or include_inactive):
            raise NotFound(f"No resource with id {resource_id}.", "RESOURCE_NOT_FOUND")
        return resource

    def _lock_resources(self, connection, resource_ids):
        """Lock several resource rows at once, in id order so that two writers cannot deadlock."""
        if not resource_ids:
            return {}
        rows = connection.execute(LOCK_RESOURCES, {"ids": sorted(resource_ids)})
        return {resource.id: resource for resource in rows}
