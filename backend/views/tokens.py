"""Personal API tokens: the "API tokens" page, and the same list, creation and revocation as JSON."""
from flask import render_template, request
from flask.views import MethodView
from flask_login import current_user

from backend.database import get_database
from backend.errors import Forbidden
from backend.forms.binding import bind_form, is_form_post
from backend.forms.query import query_id
from backend.forms.tokens import DEFAULT_EXPIRY_DAYS, TokenForm, TokenRevokeForm
from backend.models.api_token import FULL
from backend.serializers import iso, token_json
from backend.views.session import blueprint
from backend.web.access import login_required
from backend.web.bearer import uses_token
from backend.web.form_pages import refused_form, show_refusals_at_fields
from backend.web.responses import respond, wants_json


def tokens_page(form=None, status=200, created=None):
    """The caller's tokens and the form that makes one; everyone's tokens too for administrators.
    `created` is (token, secret) right after one was made: the only time its secret is shown."""
    database = get_database()
    everyone = database.tokens.list(current_user, everyone=True) if current_user.is_admin else []
    form = form or refused_form("session.tokens", TokenForm) or TokenForm()
    return render_template("session/tokens.html", form=form, created=created,
                           tokens=database.tokens.list(current_user), everyone=everyone,
                           now=database.now()), status


class TokensView(MethodView):
    """GET lists tokens (?user_id= or ?all=true for administrators); POST makes one."""

    decorators = [login_required]

    def get(self):
        if not wants_json():
            return tokens_page()
        user_id = query_id("user_id")
        everyone = request.args.get("all", "").lower() in ("1", "true", "yes")
        if (everyone or user_id not in (None, current_user.id)) and not current_user.is_admin:
            raise Forbidden("Only administrators can see other users' tokens.", "ADMIN_REQUIRED")
        database = get_database()
        entries = database.tokens.list(current_user, user_id=user_id, everyone=everyone)
        now = database.now()
        return {"tokens": [token_json(e, now) for e in entries], "count": len(entries)}

    def post(self):
        if uses_token():
            # A leaked token must not be able to outlive its own revocation.
            raise Forbidden("API tokens are made by a signed-in person, not with another token.",
                            "TOKEN_NOT_ALLOWED")
        form = bind_form(TokenForm)
        token, secret = get_database().tokens.create(current_user, form.name.data,
                                                     form.expires_days.data or DEFAULT_EXPIRY_DAYS,
                                                     form.scope.data or FULL)
        if is_form_post():
            return tokens_page(TokenForm(formdata=None), created=(token, secret), status=201)
        return {"message": "Token created: copy it now, it is not shown again.", "token": secret,
                "token_id": token.id, "name": token.name, "scope": token.scope, "created_date": iso(token.created_at),
                "expires_date": iso(token.expires_at)}, 201


class TokenRevokeView(MethodView):
    decorators = [login_required]

    def post(self):
        form = bind_form(TokenRevokeForm)
        token = get_database().tokens.revoke(current_user, form.token_id.data)
        return respond({"message": f"Token {token.name!r} revoked.", "token_id": token.id},
                       default_endpoint="session.tokens")


show_refusals_at_fields(blueprint, {"session.tokens": TokenForm}, pages={"session.tokens": "session.tokens"})

blueprint.add_url_rule("/session/tokens", view_func=TokensView.as_view("tokens"))
blueprint.add_url_rule("/session/tokens/revoke", view_func=TokenRevokeView.as_view("token_revoke"))
