"""Flask extensions, created unbound here and bound to each application by the factory."""
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base shared by every Reservia model."""


# expire_on_commit=False: a write commits any open read snapshot first (see Database.writing);
# objects already loaded in the request, such as current_user, stay usable without a reload.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
login_manager = LoginManager()
csrf = CSRFProtect()
migrate = Migrate()
