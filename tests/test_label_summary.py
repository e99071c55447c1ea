"""The free resources of each label are counted twice, by one rule: in SQL for /info/labels
(Labels.summary) and in Python for the dashboard's chips (backend/domain/labels.py over the
boards). Whatever state the resources are in, both must say the same."""
from backend.database import get_database
from backend.domain.labels import label_summary
from backend.domain.resources import FREE


def add(admin, name, labels):
    return admin.post("/admin/resource/add", json={"name": name, "labels": labels}).json["resource_id"]


def both_counts(app):
    with app.app_context():
        database = get_database()
        in_sql = database.labels.summary()
        in_python = label_summary((b.resource.labels, b.state == FREE) for b in database.boards.all())
    return in_sql, in_python


def test_sql_and_python_agree_on_free_resources_per_label(app, accounts):
    admin, alice, bob = accounts.admin, accounts.user("alice"), accounts.user("bob")
    ids = {name: add(admin, name, labels) for name, labels in (
        ("free-1", ["scope"]), ("held", ["scope", "usb3"]), ("kept", ["pair"]), ("busy", ["pair"]),
        ("resting", ["scope", "usb3"]), ("gone", ["scope"]), ("whole", ["set"]), ("whole-2", ["set"]))}
    alice.post("/reservation/request", json={"resource_id": ids["held"]})
    bob.post("/reservation/request", json={"resource_id": ids["busy"]})
    # Alice's request for two "pair" resources keeps the free one until Bob's falls free.
    assert alice.post("/reservation/request", json={"labels": ["pair"], "count": 2}).status_code == 201
    # An approved label request has its own row with no resource: it must not hide free ones.
    assert bob.post("/reservation/request", json={"labels": ["set"], "count": 2}).json["status"] == "approved"
    admin.post("/admin/resource/modify", json={"resource_id": ids["resting"], "maintenance": True})
    admin.post("/admin/resource/modify", json={"resource_id": ids["gone"], "active": False})

    in_sql, in_python = both_counts(app)
    assert in_sql == in_python == [
        {"name": "pair", "resources": 2, "free": 0},
        {"name": "scope", "resources": 3, "free": 1},
        {"name": "set", "resources": 2, "free": 0},
        {"name": "usb3", "resources": 2, "free": 0},
    ]

    alice.post("/reservation/release", json={"resource_id": ids["held"]})
    admin.post("/admin/resource/modify", json={"resource_id": ids["resting"], "maintenance": False})
    in_sql, in_python = both_counts(app)
    assert in_sql == in_python
    assert {c["name"]: c["free"] for c in in_sql} == {"pair": 0, "scope": 3, "set": 0, "usb3": 2}
