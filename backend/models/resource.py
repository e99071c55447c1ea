"""Shared things people reserve: benches, machines, licences, rooms."""
from datetime import datetime

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.extensions import db
from backend.models.resource_label import ResourceLabel
from backend.models.types import UTCDateTime, utcnow


class Resource(db.Model):
    __tablename__ = "resources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    comment: Mapped[str] = mapped_column(String(500), default="")
    # Deactivated resources keep their history but take no new requests.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # In maintenance the queue waits: nobody new is approved until it is back.
    maintenance: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Loaded with the resources in one more statement, however many there are.
    label_rows: Mapped[list[ResourceLabel]] = relationship(
        lazy="selectin", order_by=ResourceLabel.name, cascade="all, delete-orphan", passive_deletes=True)

    @property
    def labels(self):
        return [row.name for row in self.label_rows]

    @labels.setter
    def labels(self, names):
        kept = {row.name: row for row in self.label_rows}
        self.label_rows = [kept.get(name) or ResourceLabel(name=name) for name in sorted(set(names))]

    def __repr__(self):
        return f"<Resource {self.id} {self.name!r}>"
