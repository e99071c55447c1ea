"""Personal API tokens: scripts and CI authenticate with `Authorization: Bearer <token>`."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.extensions import db
from backend.models.types import UTCDateTime, utcnow

FULL = "full"
METRICS = "metrics"
SCOPES = (FULL, METRICS)


class ApiToken(db.Model):
    """One token of one user. Only its hash is stored: the secret is shown once, when made."""

    __tablename__ = "api_tokens"
    # Ids are never handed out again (SQLite's AUTOINCREMENT; PostgreSQL's sequences never reuse
    # them): the access log and the token list name tokens by id.
    __table_args__ = (
        CheckConstraint("scope IN ('full', 'metrics')", name="ck_api_tokens_scope"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Deleting a user deletes their tokens with them.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Recorded at most once every five minutes per token, so that reading with a token writes nothing else.
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # full: whatever its user may do; metrics: nothing but scraping /metrics.
    scope: Mapped[str] = mapped_column(String(20), default=FULL, server_default=FULL)

    def __repr__(self):
        return f"<ApiToken {self.id} user={self.user_id} {self.name!r}>"
