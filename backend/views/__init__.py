"""HTTP views: MethodViews only, one blueprint per URL prefix, so that a URL names its endpoint:
info (/info), session (/session: sign-in, tokens, notifications, webhooks), admin (/admin),
reservation (/ and /reservation), reports (/reports).

Each area's main module creates its blueprint; the others of the area add their routes to it.
"""


def register_blueprints(app):
    """Import every views module (each adds its routes) and register the blueprints."""
    from backend.views import (  # noqa: F401
        admin,
        admin_control,
        admin_pages,
        audit,
        bookings,
        calendar,
        groups,
        health_checks,
        history,
        info,
        limits,
        notifications,
        reports,
        reservation,
        reservation_pages,
        session,
        statistics,
        tokens,
        waiting,
    )

    for module in (info, session, admin, reservation, calendar, reports):
        app.register_blueprint(module.blueprint)
