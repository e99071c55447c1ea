"""The CalendarKeys part: each user's secret for the address of their calendar feeds.

Calendar programs cannot log in, so the feed's address carries a random key instead; it is
shown on the account page and renewed there, which cuts off every old subscription at once.
"""
import secrets

from sqlalchemy import select, update

from backend.errors import NotFound
from backend.models import User


class CalendarKeys:
    def __init__(self, transactions):
        self.transactions = transactions

    def key_of(self, user):
        """The user's key, made on first use."""
        key = self.transactions.session.scalar(select(User.calendar_key).where(User.id == user.id))
        return key or self.renew(user)

    def renew(self, user):
        """A new key for the user; the old one stops working."""
        key = secrets.token_urlsafe(32)
        with self.transactions.writing() as session:
            session.execute(update(User).where(User.id == user.id).values(calendar_key=key))
        return key

    def user_id_for(self, key):
        """The active user whose key this is; NotFound for a wrong or old key (as for no feed at all)."""
        found = None
        if key:
            found = self.transactions.session.execute(
                select(User.id).where(User.calendar_key == key, User.active.is_(True))).first()
        if found is None:
            raise NotFound("No such calendar.", "CALENDAR_NOT_FOUND")
        return found.id
