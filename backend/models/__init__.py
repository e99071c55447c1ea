"""Reservia's tables."""
from backend.models.login_session import LoginSession
from backend.models.notifications import Delivery, NotificationEvent, NotificationPreference, Webhook
from backend.models.reservation import Reservation
from backend.models.resource import Resource
from backend.models.user import User

__all__ = ["Delivery", "LoginSession", "NotificationEvent", "NotificationPreference", "Reservation",
           "Resource", "User", "Webhook"]
