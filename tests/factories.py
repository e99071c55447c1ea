"""The one way tests make users, resources, labels and queues: through the API, as an
administrator would, so every test's world passes the same checks a real one does."""

ADMIN_PASSWORD = "chief-test-password"
# Passwords that contain the user's name are refused as weak: this one fits every test user.
USER_PASSWORD = "user-password-1"


class Accounts:
    """Creates users, resources and queues through the API and hands out test clients logged in
    as users. The `accounts` fixture gives one on the test's `app`; `Accounts(other_app)` one on
    an application a test made itself."""

    def __init__(self, app):
        self.app = app
        self._admin = None

    def login(self, name, password=USER_PASSWORD):
        client = self.app.test_client()
        response = client.post("/session/login", json={"name": name, "password": password})
        assert response.status_code == 200, response.json
        return client

    @property
    def admin(self):
        if self._admin is None:
            self._admin = self.login("admin", ADMIN_PASSWORD)
        return self._admin

    def add_user(self, name, role="user", password=USER_PASSWORD):
        response = self.admin.post("/admin/user/add", json={
            "name": name, "email": f"{name}@example.org", "password": password, "role": role})
        assert response.status_code == 201, response.json
        return response.json["user_id"]

    def user(self, name, role="user"):
        """A client logged in as a new user called `name`."""
        self.add_user(name, role)
        return self.login(name)

    def add_resource(self, name, comment="", labels=None):
        body = {"name": name, "comment": comment} | ({"labels": labels} if labels is not None else {})
        response = self.admin.post("/admin/resource/add", json=body)
        assert response.status_code == 201, response.json
        return response.json["resource_id"]

    def queue_of(self, resource, holder, *waiting):
        """`holder` holds `resource` and each of `waiting` asks for it after them, in that order.

        `resource` is a name (the resource is added) or an id; `holder` and `waiting` are names
        (new users) or logged-in clients. Returns (resource id, holder's client, *waiting clients),
        e.g. `bench, alice, bob, carol = accounts.queue_of("bench-1", "alice", "bob", "carol")`."""
        resource_id = self.add_resource(resource) if isinstance(resource, str) else resource
        clients = [self.user(who) if isinstance(who, str) else who for who in (holder, *waiting)]
        for position, client in enumerate(clients):
            answer = client.post("/reservation/request", json={"resource_id": resource_id})
            assert answer.status_code == 201, answer.json
            assert answer.json["status"] == ("approved" if position == 0 else "requested"), answer.json
        return (resource_id, *clients)
