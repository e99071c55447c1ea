"""Reading pages the way a browser does: the URLs they point at and their CSRF token."""
from html.parser import HTMLParser


class PageLinks(HTMLParser):
    """Every URL a page points at: links, scripts, style sheets, form actions."""

    def __init__(self):
        super().__init__()
        self.urls = []
        self.fetchable = []
        self.csrf_token = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "src", "action"):
            if attrs.get(name) and not attrs[name].startswith("#"):
                self.urls.append(attrs[name])
                if name != "action":
                    self.fetchable.append(attrs[name])
        if attrs.get("name") == "csrf_token":
            self.csrf_token = attrs.get("value")


def read_page(client, url):
    """The page as HTML (200 expected) and what it links to."""
    response = client.get(url, headers={"Accept": "text/html"})
    assert response.status_code == 200, response.text
    parser = PageLinks()
    parser.feed(response.text)
    return response, parser
