"""Which views are pages: the MethodView methods that always render HTML for a person in a browser.

They are marked where they are written (`@page` on the method), so the rule that an API token
never opens a page (backend/web/bearer.py) and the list of pages in /openapi.json both follow
the views, whatever pages are added later. A view that answers JSON or a page depending on what
the client asks for (the API tokens page, the notifications page, statistics) is not marked: a
script gets its JSON there.
"""
from flask import current_app, request


def page(method):
    """Mark a MethodView method (usually `get`) as one that renders a page."""
    method.renders_page = True
    return method


def page_method(view_function, method):
    """The view's method that answers `method` if it renders a page, else None."""
    view_class = getattr(view_function, "view_class", None)
    handler = getattr(view_class, method.lower(), None)
    if handler is None and method.upper() == "HEAD":
        handler = getattr(view_class, "get", None)
    return handler if getattr(handler, "renders_page", False) else None


def is_page_request():
    """Whether this request's view method renders a page."""
    if request.url_rule is None:
        return False
    return page_method(current_app.view_functions.get(request.endpoint), request.method) is not None
