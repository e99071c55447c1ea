"""Reading server-rendered pages the way a browser does: ask for HTML, take the form's CSRF token,
send the form."""
import html
import re

HTML = {"Accept": "text/html"}


def csrf_token(client, path):
    """The CSRF token the page at `path` gives its forms."""
    page = client.get(path, headers=HTML).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def post_form(client, path, page, **data):
    """Send a form to `path` as the page at `page` would: its CSRF token, asking for HTML back."""
    return client.post(path, headers=HTML, data={"csrf_token": csrf_token(client, page), **data})


def text(response):
    """The page's text with HTML entities decoded, for assertions on what a person reads."""
    return html.unescape(response.get_data(as_text=True))


def refused_page(client, response):
    """A refused form answers with a redirect to its page (post/redirect/get): that page, read
    as the browser reads it next."""
    assert response.status_code == 302, response.status_code
    return client.get(response.headers["Location"], headers=HTML)
