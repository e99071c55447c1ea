"""Shared things people reserve: benches, machines, licences, rooms."""
from datetime import datetime

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.extensions import db
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

    def __repr__(self):
        return f"<Resource {self.id} {self.name!r}>"
