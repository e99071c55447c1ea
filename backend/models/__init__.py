"""Reservia's tables."""
from backend.models.api_token import ApiToken
from backend.models.audit import AuditCheckpoint, AuditEntry
from backend.models.booking import Booking
from backend.models.group import Group, user_groups
from backend.models.group_rule import GroupRule, resource_allowed_groups
from backend.models.health import HealthCheck, MaintenancePeriod, RunningTotal
from backend.models.login_counter import LoginCounter
from backend.models.login_session import LoginSession
from backend.models.notifications import Delivery, NotificationEvent, NotificationPreference, Webhook
from backend.models.reservation import Reservation
from backend.models.resource import Resource
from backend.models.resource_label import ResourceLabel
from backend.models.user import User

__all__ = ["ApiToken", "AuditCheckpoint", "AuditEntry", "Booking", "Delivery", "Group", "GroupRule", "HealthCheck",
           "LoginCounter", "LoginSession", "MaintenancePeriod", "NotificationEvent", "NotificationPreference",
           "Reservation", "Resource", "ResourceLabel", "RunningTotal", "User", "Webhook", "resource_allowed_groups",
           "user_groups"]
