"""Groups, members, rules and restrictions changed by administrators are in the audit log, in the
same write as the change."""


def entries(client, **filters):
    response = client.get("/admin/audit", query_string=filters)
    assert response.status_code == 200, response.json
    return response.json["entries"]


def test_groups_and_their_members_are_audited(accounts):
    admin = accounts.admin
    alice = accounts.add_user("alice")
    group_id = admin.post("/admin/group/add", json={"name": "hil", "description": "rigs"}).json["group_id"]
    admin.post("/admin/group/members", json={"group_id": group_id, "add": [alice]})
    admin.post("/admin/group/members", json={"group_id": group_id, "add": [alice]})  # nothing changes
    admin.post("/admin/group/modify", json={"group_id": group_id, "name": "HIL team"})
    admin.post("/admin/group/delete", json={"group_id": group_id})
    found = entries(admin, object_type="group", object_id=group_id)
    assert [(e["action"], e["object_name"], e["changes"]) for e in found] == [
        ("group.delete", "HIL team", {"name": ["HIL team", None], "members": [[alice], None], "rules": [[], None]}),
        ("group.modify", "HIL team", {"name": ["hil", "HIL team"]}),
        ("group.members", "hil", {"members": [[], [alice]]}),
        ("group.create", "hil", {"name": [None, "hil"], "description": [None, "rigs"]}),
    ]
    assert all(e["actor_name"] == "admin" and e["via"] == "api" for e in found)


def test_rules_and_restrictions_are_audited(accounts):
    admin = accounts.admin
    group_id = admin.post("/admin/group/add", json={"name": "ci"}).json["group_id"]
    bench = accounts.add_resource("bench-1")
    rule_id = admin.post("/admin/rule/add", json={"group_id": group_id, "max_open_requests": 50,
                                                  "priority": 90}).json["rule_id"]
    admin.post("/admin/rule/delete", json={"rule_id": rule_id})
    found = entries(admin, object_type="rule", object_id=rule_id)
    assert [(e["action"], e["object_name"], e["changes"]) for e in found] == [
        ("rule.delete", "for ci", {"group_id": [group_id, None], "max_open_requests": [50, None],
                                   "priority": [90, None]}),
        ("rule.create", "for ci", {"group_id": [None, group_id], "max_open_requests": [None, 50],
                                   "priority": [None, 90]}),
    ]
    refused = admin.post("/admin/rule/add", json={"group_id": 9999, "priority": 1})
    assert refused.status_code == 404 and len(entries(admin, object_type="rule")) == 2
    admin.post("/admin/resource/modify", json={"resource_id": bench, "allowed_groups": [group_id]})
    [modified] = entries(admin, action="resource.modify", object_id=bench)
    assert modified["changes"] == {"allowed_groups": [[], [group_id]]}
