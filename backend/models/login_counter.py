"""Failed logins counted per account name and per client address, where every process and host sees them."""
from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.extensions import db
from backend.models.types import UTCDateTime


class LoginCounter(db.Model):
    """One counter: how many logins failed since `window_start`, and until when further attempts
    are refused without checking the password (backend/database/login_limits.py)."""

    __tablename__ = "login_counters"

    # A SHA-256 digest of "name:" plus the canonical name, or "address:" plus the client's
    # address: attempted names (sometimes a password typed in the wrong box) are not kept.
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # After this the counter no longer matters: it starts again from zero, and old rows are deleted.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    def __repr__(self):
        return f"<LoginCounter {self.key[:8]} failures={self.failures}>"
