"""A small blocking client of Reservia's JSON API, used to build the data set the load runs against."""
import http.client
import json
import ssl
from concurrent.futures import ThreadPoolExecutor

from bench.load import client_tls


class ApiError(RuntimeError):
    """The server refused a set-up call: the benchmark cannot go on with a wrong data set."""


class ApiClient:
    """One keep-alive connection, optionally logged in (the cookie header it sends)."""

    def __init__(self, port, cookie=None, tls=False):
        self.port = port
        self.cookie = cookie
        self.tls = tls
        if tls:
            self.connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=120,
                                                          context=client_tls())
        else:
            self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def call(self, method, path, body=None, expect=(200, 201)):
        headers = {"Accept": "application/json"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        payload = None
        if body is not None:
            payload = json.dumps(body)
            headers["Content-Type"] = "application/json"
        try:
            self.connection.request(method, path, body=payload, headers=headers)
            response = self.connection.getresponse()
        except (BrokenPipeError, ConnectionResetError, ssl.SSLEOFError,
                http.client.RemoteDisconnected):
            # The server closed the idle keep-alive connection (a long measurement ran meanwhile);
            # the request never reached a view, so sending it again on a new connection is safe.
            self.connection.close()
            self.connection.request(method, path, body=payload, headers=headers)
            response = self.connection.getresponse()
        raw = response.read()
        if response.status not in expect:
            raise ApiError(f"{method} {path} answered {response.status}: {raw[:300]!r}")
        return response, json.loads(raw) if raw else None

    def login(self, name, password):
        """Log in and keep the session cookie for the next calls; returns the cookie header."""
        response, _ = self.call("POST", "/session/login", {"name": name, "password": password})
        pairs = [header.split(";", 1)[0] for header in response.headers.get_all("Set-Cookie") or []]
        self.cookie = "; ".join(pairs)
        return self.cookie

    def page_validator(self, path):
        """The ETag of the page at `path` as a browser gets it; the session cookie is updated from
        the answer (the page's forms may have added their CSRF secret to the session)."""
        headers = {"Accept": "text/html", **({"Cookie": self.cookie} if self.cookie else {})}
        self.connection.request("GET", path, headers=headers)
        response = self.connection.getresponse()
        response.read()
        if response.status != 200 or not response.headers.get("ETag"):
            raise ApiError(f"GET {path} answered {response.status} without a validator")
        pairs = [header.split(";", 1)[0] for header in response.headers.get_all("Set-Cookie") or []]
        if pairs:
            self.cookie = "; ".join(pairs)
        return response.headers["ETag"]

    def close(self):
        self.connection.close()


def in_parallel(function, items, workers=4):
    """Run the set-up calls on a few connections at once: hashing passwords is slow."""
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(function, items))


class DataSet:
    """Users, resources and reservations made through the API, as the load clients need them."""

    def __init__(self, port, admin_password, user_password, tls=False):
        self.port = port
        self.tls = tls
        self.user_password = user_password
        self.admin = ApiClient(port, tls=tls)
        self.admin.login("admin", admin_password)
        self.user_names = []
        self.cookies = []
        self.user_ids = []
        self.resource_ids = []

    def add_users(self, count):
        names = [f"bench-user-{i:03d}" for i in range(1, count + 1)]

        def create(name):
            client = ApiClient(self.port, self.admin.cookie, self.tls)
            _, body = client.call("POST", "/admin/user/add", {
                "name": name, "email": f"{name}@example.org", "password": self.user_password,
                "role": "user"})
            client.login(name, self.user_password)
            client.close()
            return body["user_id"], client.cookie

        for name, (user_id, cookie) in zip(names, in_parallel(create, names), strict=False):
            self.user_names.append(name)
            self.user_ids.append(user_id)
            self.cookies.append(cookie)

    def add_resources(self, count, prefix="bench"):
        """Create resources; returns their ids (also kept in resource_ids)."""
        start = len(self.resource_ids)
        ids = [self.admin.call("POST", "/admin/resource/add",
                               {"name": f"{prefix}-{i:04d}", "comment": ""})[1]["resource_id"]
               for i in range(start + 1, start + count + 1)]
        self.resource_ids.extend(ids)
        return ids

    def queue_up(self, resource_ids, per_resource):
        """Give each resource a holder and per_resource - 1 waiting requests, from different users."""
        users = len(self.cookies)
        if per_resource > users:
            raise ValueError("not enough users for that queue length")
        plan = [(n, rid) for offset, rid in enumerate(resource_ids)
                for n in [(offset + k) % users for k in range(per_resource)]]

        def request(step):
            user, rid = step
            client = ApiClient(self.port, self.cookies[user], self.tls)
            client.call("POST", "/reservation/request", {"resource_id": rid})
            client.close()

        for k in range(per_resource):
            in_parallel(request, plan[k::per_resource])

    def boards(self):
        """(cookie, ETag of their board) for every user: what each open dashboard sends when it
        refreshes and nothing changed."""

        def fetch(cookie):
            client = ApiClient(self.port, cookie, self.tls)
            validator = client.page_validator("/reservation/board")
            client.close()
            return client.cookie, validator

        return in_parallel(fetch, self.cookies)

    def add_webhooks(self, url):
        """A webhook for every event on every user (each its own URL): the worst case for the
        queue's writes, which must not slow down for it."""

        def register(index):
            client = ApiClient(self.port, self.cookies[index], self.tls)
            client.call("POST", "/session/webhooks", {
                "url": f"{url}/{self.user_names[index]}", "events": ["granted", "expiring", "ended"],
                "secret": "bench-webhook-secret-0123456789"})
            client.close()

        in_parallel(register, range(len(self.cookies)))

