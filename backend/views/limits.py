"""What the group rules let me do, and how much of it I use (docs/policies.md)."""
from flask import jsonify
from flask.views import MethodView
from flask_login import current_user

from backend.database import get_database
from backend.domain.policies import hours_text
from backend.views.session import blueprint
from backend.web.access import login_required


class LimitsView(MethodView):
    decorators = [login_required]

    def get(self):
        """One entry per scope the user's rules name, and one for everything."""
        return jsonify(limits=get_database().policies.limits(current_user))


blueprint.add_url_rule("/session/limits", view_func=LimitsView.as_view("limits"))


blueprint.add_app_template_filter(hours_text, "hours")
