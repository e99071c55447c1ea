"""The Database layer: the one object that owns every query and transaction of Reservia."""
from flask import current_app

from backend.database.administration import AdministrationQueries
from backend.database.base import DatabaseBase
from backend.database.history import HistoryQueries
from backend.database.pages import PageQueries
from backend.database.queue import QueueRules
from backend.database.reservations import ReservationQueries
from backend.database.resources import ResourceQueries
from backend.database.schema import SchemaQueries
from backend.database.statistics import StatisticsQueries
from backend.database.users import UserQueries


class Database(UserQueries, ResourceQueries, AdministrationQueries, HistoryQueries,
               StatisticsQueries, ReservationQueries, QueueRules, SchemaQueries, PageQueries,
               DatabaseBase):
    """Views call its methods and get results or domain errors; they never touch the ORM."""


def get_database() -> Database:
    """The Database object of the current application."""
    return current_app.extensions["reservia_database"]
