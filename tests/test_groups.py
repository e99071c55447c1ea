"""Administrators give each team its share: groups and members, resources only some groups may
use, and rules that limit holds, open requests and booked hours (docs/policies.md)."""
from datetime import datetime, timedelta, timezone

# conftest's `clock` stops here: a Wednesday.
START = datetime(2026, 12, 2, 9, 0, tzinfo=timezone.utc)


def person(accounts, name):
    """(the id, a client logged in) of a new user."""
    return accounts.add_user(name), accounts.login(name)


def add_group(admin, name, *members):
    group_id = admin.post("/admin/group/add", json={"name": name}).json["group_id"]
    if members:
        answer = admin.post("/admin/group/members", json={"group_id": group_id, "add": list(members)})
        assert answer.status_code == 200, answer.json
    return group_id


def add_rule(admin, **rule):
    answer = admin.post("/admin/rule/add", json=rule)
    assert answer.status_code == 201, answer.json
    return answer.json["rule_id"]


def request(client, **body):
    return client.post("/reservation/request", json=body)


def test_an_administrator_makes_a_group_changes_it_and_its_members(accounts):
    admin = accounts.admin
    alice, bob = accounts.add_user("alice"), accounts.add_user("bob")
    made = admin.post("/admin/group/add", json={"name": "HIL team", "description": "rig people"})
    assert made.status_code == 201 and set(made.json) == {"message", "group_id"}
    group_id = made.json["group_id"]
    assert admin.post("/admin/group/add", json={"name": "hil TEAM"}).json["code"] == "GROUP_EXISTS"
    changed = admin.post("/admin/group/members", json={"group_id": group_id, "add": [alice, bob]})
    assert changed.json["members"] == sorted([alice, bob]) and changed.json["group_id"] == group_id
    assert admin.post("/admin/group/members", json={"group_id": group_id, "remove": [bob]}).json["members"] == [alice]
    assert admin.post("/admin/group/members", json={"group_id": group_id, "add": [9999]}).status_code == 404
    renamed = admin.post("/admin/group/modify", json={"group_id": group_id, "name": "HIL"})
    assert renamed.status_code == 200 and renamed.json["group_id"] == group_id
    rule = add_rule(admin, group_id=group_id, max_open_requests=3)
    listed = admin.get("/admin/groups").json
    assert listed["count"] == 1
    assert listed["groups"][0] == {"group_id": group_id, "name": "HIL", "description": "rig people",
                                   "members": [alice], "rules": [
                                       {"rule_id": rule, "group_id": group_id, "resource_id": None, "label": None,
                                        "max_hold_minutes": None, "max_open_requests": 3,
                                        "max_booked_hours_per_week": None, "priority": None}]}
    assert admin.post("/admin/group/delete", json={"group_id": group_id}).json["group_id"] == group_id
    assert admin.get("/admin/groups").json == {"groups": [], "count": 0}
    assert admin.get("/admin/rules").json == {"rules": [], "count": 0}


def test_a_group_made_here_is_the_one_the_intranet_reports_and_keeps_added_members(app, accounts):
    admin = accounts.admin
    group_id = add_group(admin, "Testers")
    carol = accounts.add_user("carol")
    admin.post("/admin/group/members", json={"group_id": group_id, "add": [carol]})
    app.config["RESERVIA_AUTH"] = "remote_user"
    intranet = app.test_client()
    intranet.environ_base.update(REMOTE_USER="dora", AUTHENTICATE_MEMBEROF="cn=testers,ou=groups;cn=Interns,ou=groups")
    assert intranet.get("/session/status").json["groups"] == ["Interns", "Testers"]
    groups = {g["name"]: g for g in admin.get("/admin/groups").json["groups"]}
    assert set(groups) == {"Testers", "Interns"}
    assert groups["Testers"]["group_id"] == group_id and carol in groups["Testers"]["members"]
    assert len(groups["Testers"]["members"]) == 2


def test_a_restricted_resource_refuses_others_but_not_its_group_or_administrators(accounts):
    admin = accounts.admin
    (alice_id, alice), (_, bob) = person(accounts, "alice"), person(accounts, "bob")
    group_id = add_group(admin, "hil", alice_id)
    rig = admin.post("/admin/resource/add", json={"name": "rig-1", "allowed_groups": [group_id],
                                                  "labels": ["rig"]}).json["resource_id"]
    refused = request(bob, resource_id=rig)
    assert refused.status_code == 403 and refused.json["code"] == "NOT_ALLOWED"
    assert admin.get("/reservation/active").json["count"] == 0
    assert request(bob, labels=["rig"], count=1).json["code"] == "NOT_ENOUGH_RESOURCES"
    assert request(alice, resource_id=rig).json["status"] == "approved"
    assert request(admin, resource_id=rig).json["status"] == "requested"
    opened = admin.post("/admin/resource/modify", json={"resource_id": rig, "allowed_groups": None})
    assert opened.status_code == 200
    assert request(bob, resource_id=rig).json["status"] == "requested"


def test_a_label_request_only_collects_resources_its_user_may_use(accounts):
    admin = accounts.admin
    (alice_id, alice), (_, bob) = person(accounts, "alice"), person(accounts, "bob")
    group_id = add_group(admin, "hil", alice_id)
    rig_1 = admin.post("/admin/resource/add", json={"name": "rig-1", "labels": ["rig"],
                                                    "allowed_groups": [group_id]}).json["resource_id"]
    rig_2 = accounts.add_resource("rig-2", labels=["rig"])
    given = request(bob, labels=["rig"], count=1).json
    assert given["status"] == "approved" and given["resource_ids"] == [rig_2]
    assert request(alice, labels=["rig"], count=1).json["resource_ids"] == [rig_1]


def test_the_most_generous_rule_of_ones_groups_limits_open_requests(accounts):
    admin = accounts.admin
    alice_id, alice = person(accounts, "alice")
    small, large = add_group(admin, "small", alice_id), add_group(admin, "large")
    add_rule(admin, group_id=small, max_open_requests=2)
    add_rule(admin, group_id=large, max_open_requests=5)
    benches = [accounts.add_resource(f"bench-{i}") for i in range(3)]
    assert request(alice, resource_id=benches[0]).status_code == 201
    assert request(alice, resource_id=benches[1]).status_code == 201
    refused = request(alice, resource_id=benches[2])
    assert refused.status_code == 403
    assert refused.json == {"error": refused.json["error"], "code": "QUOTA_EXCEEDED", "limit": 2, "used": 2}
    assert admin.get("/reservation/active").json["count"] == 2
    admin.post("/admin/group/members", json={"group_id": large, "add": [alice_id]})
    assert request(alice, resource_id=benches[2]).status_code == 201


def test_a_rule_may_let_a_ci_account_have_more_open_requests_than_the_site_allows(app, accounts):
    app.config["RESERVIA_MAX_OPEN_REQUESTS"] = 2
    admin = accounts.admin
    (ci_id, ci), (_, dave) = person(accounts, "ci"), person(accounts, "dave")
    group_id = add_group(admin, "ci", ci_id)
    add_rule(admin, group_id=group_id, max_open_requests=4)
    benches = [accounts.add_resource(f"bench-{i}") for i in range(5)]
    assert [request(ci, resource_id=b).status_code for b in benches] == [201, 201, 201, 201, 403]
    assert [request(dave, resource_id=b).status_code for b in benches[:3]] == [201, 201, 409]


def test_a_hold_longer_than_a_rule_allows_is_refused_and_an_unchosen_one_is_cut(accounts):
    admin = accounts.admin
    ivy_id, intern = person(accounts, "ivy")
    group_id = add_group(admin, "interns", ivy_id)
    bench = accounts.add_resource("bench-1")
    add_rule(admin, group_id=group_id, resource_id=bench, max_hold_minutes=5)  # the site's hold: 10 minutes
    refused = request(intern, resource_id=bench, hold_minutes=8)
    assert refused.status_code == 400 and refused.json["code"] == "HOLD_TOO_LONG"
    held = request(intern, resource_id=bench).json
    start = admin.get("/reservation/active").json["reservations"][0]
    until = datetime.fromisoformat(held["valid_until_date"]) - datetime.fromisoformat(start["approved_date"])
    assert until == timedelta(minutes=5)
    longer = intern.post("/reservation/keep_alive", json={"resource_id": bench, "hold_minutes": 8})
    assert longer.status_code == 400 and longer.json["code"] == "HOLD_TOO_LONG"


def test_booked_hours_a_week_are_limited_and_said_in_words(clock, accounts):
    admin = accounts.admin
    alice_id, alice = person(accounts, "alice")
    scope = accounts.add_resource("scope-1")
    add_rule(admin, group_id=None, resource_id=scope, max_booked_hours_per_week=10)
    thursday = START + timedelta(days=1)

    def book(hours, minutes=0, day=thursday):
        end = day + timedelta(hours=hours, minutes=minutes)
        return alice.post("/reservation/book", json={"resource_id": scope, "start": day.isoformat(),
                                                      "end": end.isoformat()})

    assert book(9, 30).status_code == 201
    refused = book(1, day=thursday + timedelta(hours=12))
    assert refused.status_code == 403
    assert refused.json["code"] == "QUOTA_EXCEEDED" and refused.json["limit"] == 10 and refused.json["used"] == 9.5
    assert refused.json["error"] == "You have booked 9 h 30 of your 10 h this week on scope-1."
    assert book(1, day=thursday + timedelta(days=5)).status_code == 201  # the next week, from Monday


def test_session_limits_say_what_applies_and_what_is_used(accounts):
    admin = accounts.admin
    alice_id, alice = person(accounts, "alice")
    bench = accounts.add_resource("bench-1")
    group_id = add_group(admin, "hil", alice_id)
    add_rule(admin, group_id=group_id, resource_id=bench, max_open_requests=1, priority=80)
    add_rule(admin, group_id=None, label="scope", max_hold_minutes=30)
    request(alice, resource_id=bench)
    limits = alice.get("/session/limits").json["limits"]
    assert limits[0] == {"resource_id": None, "label": None, "max_hold_minutes": None, "max_open_requests": 20,
                         "max_booked_hours_per_week": None, "priority": 50, "used_open_requests": 1,
                         "used_booked_hours_this_week": 0}
    by_scope = {(e["resource_id"], e["label"]): e for e in limits[1:]}
    assert by_scope[(bench, None)]["priority"] == 80 and by_scope[(bench, None)]["used_open_requests"] == 1
    assert by_scope[(None, "scope")]["max_hold_minutes"] == 30


def test_a_label_rule_bounds_a_request_by_name_for_a_resource_carrying_the_label(accounts):
    admin = accounts.admin
    _, alice = person(accounts, "alice")
    labelled = accounts.add_resource("rig-1", labels=["scope", "fast"])
    plain = accounts.add_resource("rig-2", labels=["fast"])
    add_rule(admin, group_id=None, label="scope", max_hold_minutes=5)
    refused = request(alice, resource_id=labelled, hold_minutes=8)
    assert refused.status_code == 400 and refused.json["code"] == "HOLD_TOO_LONG", refused.json
    assert "at most 5 min" in refused.json["error"]
    assert request(alice, resource_id=plain, hold_minutes=8).status_code == 201
    assert request(alice, resource_id=labelled, hold_minutes=5).status_code == 201


def test_bad_rules_are_refused_and_change_nothing(accounts):
    admin = accounts.admin
    bench = accounts.add_resource("bench-1")
    assert admin.post("/admin/rule/add", json={"group_id": None}).json["code"] == "EMPTY_RULE"
    both = admin.post("/admin/rule/add", json={"resource_id": bench, "label": "x", "priority": 1})
    assert both.json["code"] == "INVALID_SCOPE"
    assert admin.post("/admin/rule/add", json={"priority": 101}).status_code == 400
    assert admin.post("/admin/rule/add", json={"group_id": 9999, "priority": 1}).json["code"] == "GROUP_NOT_FOUND"
    assert admin.post("/admin/rule/delete", json={"rule_id": 9999}).json["code"] == "RULE_NOT_FOUND"
    assert admin.get("/admin/rules").json["count"] == 0


def test_deleting_a_resource_takes_its_rules_and_restriction_with_it(accounts):
    admin = accounts.admin
    group_id = add_group(admin, "hil")
    rig = admin.post("/admin/resource/add", json={"name": "rig-1", "allowed_groups": [group_id]}).json["resource_id"]
    add_rule(admin, group_id=group_id, resource_id=rig, priority=90)
    assert admin.post("/admin/resource/delete", json={"resource_id": rig}).status_code == 200
    assert admin.get("/admin/rules").json["count"] == 0
    assert admin.post("/admin/resource/add", json={"name": "rig-2", "allowed_groups": [9999]}).status_code == 404
