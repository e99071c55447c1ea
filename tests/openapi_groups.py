"""The groups' and rules' part of tests/test_openapi.py's story: every documented status of the
group, rule and limits operations, and the refusals the rules add to requests, provoked once."""


def groups_scenario(probe):
    accounts, call = probe.accounts, probe.call
    admin = accounts.admin
    erin_id = accounts.add_user("erin")
    erin = accounts.login("erin")
    made = call(admin, "post", "/admin/group/add", json={"name": "hil", "description": "rigs"}, check=201).json
    group_id = made["group_id"]
    call(admin, "post", "/admin/group/add", json={"name": "HIL"}, check=409)
    call(admin, "post", "/admin/group/add", json={}, check=400)
    other = call(admin, "post", "/admin/group/add", json={"name": "nightly"}, check=201).json["group_id"]
    call(admin, "post", "/admin/group/modify", json={"group_id": group_id, "description": "HIL rigs"}, check=200)
    call(admin, "post", "/admin/group/modify", json={"group_id": group_id, "name": "Nightly"}, check=409)
    call(admin, "post", "/admin/group/modify", json={"group_id": 9999, "name": "x"}, check=404)
    call(admin, "post", "/admin/group/modify", json={}, check=400)
    call(admin, "post", "/admin/group/members", json={"group_id": group_id, "add": [erin_id]}, check=200)
    call(admin, "post", "/admin/group/members", json={"group_id": 9999, "add": [erin_id]}, check=404)
    call(admin, "post", "/admin/group/members", json={"group_id": group_id, "add": ["erin"]}, check=400)
    call(admin, "get", "/admin/groups", check=200)
    rig = call(admin, "post", "/admin/resource/add", json={"name": "hil-rig", "allowed_groups": [other]},
               check=201).json["resource_id"]
    call(admin, "post", "/admin/resource/add", json={"name": "no-rig", "allowed_groups": [9999]}, check=404)
    bench = accounts.add_resource("quota-bench")
    rule = call(admin, "post", "/admin/rule/add", json={"group_id": group_id, "resource_id": bench,
                                                         "max_open_requests": 1, "priority": 70}, check=201).json
    call(admin, "post", "/admin/rule/add", json={"group_id": 9999, "priority": 1}, check=404)
    call(admin, "post", "/admin/rule/add", json={"priority": 500}, check=400)
    call(admin, "get", "/admin/rules", check=200)
    call(erin, "get", "/session/limits", check=200)
    refused = call(erin, "post", "/reservation/request", json={"resource_id": rig}, check=403)
    assert refused.json["code"] == "NOT_ALLOWED"
    call(erin, "post", "/reservation/request", json={"resource_id": bench}, check=201)
    call(erin, "post", "/reservation/release", json={"resource_id": bench}, check=200)
    call(admin, "post", "/admin/rule/delete", json={"rule_id": rule["rule_id"]}, check=200)
    call(admin, "post", "/admin/rule/delete", json={"rule_id": rule["rule_id"]}, check=404)
    call(admin, "post", "/admin/rule/delete", json={}, check=400)
    call(admin, "post", "/admin/group/delete", json={"group_id": other}, check=200)
    call(admin, "post", "/admin/group/delete", json={"group_id": other}, check=404)
    call(admin, "post", "/admin/group/delete", json={}, check=400)
