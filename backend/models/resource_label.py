"""Labels on resources ("scope", "usb3"), so that people can ask for any resource carrying them."""
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.extensions import db


class ResourceLabel(db.Model):
    """One label on one resource; names are stored lower-case (labels ignore case)."""

    __tablename__ = "resource_labels"

    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)

    def __repr__(self):
        return f"<ResourceLabel {self.resource_id} {self.name!r}>"
