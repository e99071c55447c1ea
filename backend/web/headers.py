"""Headers every answer carries: what a browser may load, frame or remember of Reservia's pages."""

# No inline script or style anywhere in the templates, so nothing but Reservia's own files is
# allowed; no other site may show a page in a frame (and click its Release buttons for a user).
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])



def style_nonce_policy(nonce):
    """The policy of a page whose inline SVG charts carry <style> elements with this nonce
    (backend/web/charts.py): those elements, and no other inline style, are allowed."""
    return CONTENT_SECURITY_POLICY.replace("style-src 'self'", f"style-src 'self' 'nonce-{nonce}'")


SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    # For browsers that predate frame-ancestors.
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

# Pages, JSON and CSV exports show one person's data: no browser or proxy cache may keep them,
# or the next person at a shared machine could read them from its history.
NO_STORE = "no-store"


def add_security_headers(response, endpoint):
    """Set the headers above, keeping any a view chose itself; style sheets and scripts (`static`)
    keep the caching Flask gives them."""
    headers = response.headers
    for name, value in SECURITY_HEADERS.items():
        if name not in headers:
            headers[name] = value
    if endpoint != "static" and "Cache-Control" not in headers:
        headers["Cache-Control"] = NO_STORE
    return response
