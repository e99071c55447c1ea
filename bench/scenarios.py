"""What each virtual client repeats: the requests of one operation and the statuses that count as success."""

JSON = "application/json"
HTML = "text/html,application/xhtml+xml"


def _get(path, cookie=None, accept=JSON, expect=(200,), **headers):
    headers = {"Accept": accept, **headers}
    if cookie:
        headers["Cookie"] = cookie
    return {"method": "GET", "path": path, "headers": headers, "expect": list(expect)}


def _post(path, body, cookie=None, expect=(200,)):
    headers = {"Accept": JSON}
    if cookie:
        headers["Cookie"] = cookie
    return {"method": "POST", "path": path, "headers": headers, "body": body, "expect": list(expect)}


def group(name, steps_for_client, clients, pause=0.0):
    """A load group of `clients` clients; steps_for_client(i) gives client i's operation, repeated
    back to back or `pause` seconds apart."""
    return {"name": name, "clients": [{"steps": steps_for_client(i)} for i in range(clients)], "pause": pause}


def hello(clients):
    return group("hello", lambda i: [_get("/hello")], clients)


def is_alive(clients):
    return group("is_alive", lambda i: [_get("/info/is_alive")], clients)


def active_list(cookies, clients):
    return group("active", lambda i: [_get("/reservation/active", cookies[i % len(cookies)])], clients)


def dashboard(cookies, clients):
    """The logged-in home page as a browser asks for it."""
    return group("dashboard", lambda i: [_get("/", cookies[i % len(cookies)], HTML)], clients)


def session_status(cookies, clients):
    """The cheapest request a signed-in browser makes: the reference for an unchanged refresh."""
    return group("status", lambda i: [_get("/session/status", cookies[i % len(cookies)])], clients)


def unchanged_board(boards, clients, pause=0.0):
    """The dashboard's own refresh when nothing changed: the board it already has, named by its
    ETag (`boards`: (cookie, ETag) per user), answered 304 Not Modified."""
    def steps(i):
        cookie, validator = boards[i % len(boards)]
        return [_get("/reservation/board", cookie, HTML, expect=(304,), **{"If-None-Match": validator})]
    return group("board 304", steps, clients, pause)


def login(names, password, clients):
    """Each login opens a new server-side session; the cookie it returns is thrown away."""
    return group("login", lambda i: [_post("/session/login", {
        "name": names[i % len(names)], "password": password})], clients)


def request_release_cycle(cookies, resource_ids, clients):
    """Client i holds and gives back its own resource, so every request is approved at once."""
    if clients > min(len(cookies), len(resource_ids)):
        raise ValueError("a cycle needs one user and one resource per client")
    return group("cycle", lambda i: [
        _post("/reservation/request", {"resource_id": resource_ids[i]}, cookies[i], expect=(201,)),
        _post("/reservation/release", {"resource_id": resource_ids[i]}, cookies[i]),
    ], clients)
