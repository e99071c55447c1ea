"""Administrators give each team its share: groups, who is in them, and the rules per group
(docs/policies.md). The lists answer JSON for scripts and a page for browsers, like statistics."""
from flask import jsonify, render_template
from flask.views import MethodView
from flask_login import current_user

from backend.database import get_database
from backend.forms.binding import bind_form
from backend.forms.groups import (
    GroupForm,
    GroupIdForm,
    GroupMembersForm,
    GroupModifyForm,
    RuleForm,
    RuleIdForm,
    rule_values,
)
from backend.serializers import group_json, rule_json
from backend.views.admin import blueprint
from backend.web.access import admin_required
from backend.web.form_pages import refused_form, show_refusals_at_fields
from backend.web.responses import respond, wants_json


class GroupsView(MethodView):
    decorators = [admin_required]

    def get(self):
        """Every group with its members and rules (JSON), or the groups page."""
        database = get_database()
        rules = database.group_rules.rules()
        groups = [group_json(group, members, [r for r in rules if r.group_id == group.id])
                  for group, members in database.groups.listing()]
        if wants_json():
            return jsonify(groups=groups, count=len(groups))
        form = refused_form("admin.group_add", GroupForm) or GroupForm()
        users = {u.id: u.name for u in database.users.list()}
        return render_template("admin/groups.html", groups=groups, users=users, form=form,
                               members_form=GroupMembersForm())


class RulesView(MethodView):
    decorators = [admin_required]

    def get(self):
        """Every rule (JSON), or the rules page."""
        database = get_database()
        rules = [rule_json(r) for r in database.group_rules.rules()]
        if wants_json():
            return jsonify(rules=rules, count=len(rules))
        form = refused_form("admin.rule_add", RuleForm) or RuleForm()
        return render_template("admin/rules.html", rules=rules, form=form,
                               groups={g.id: g.name for g, _ in database.groups.listing()},
                               resources=dict(database.resources.names()))


class GroupAddView(MethodView):
    decorators = [admin_required]

    def post(self):
        form = bind_form(GroupForm)
        group = get_database().groups.create(form.name.data, form.description.data, acting=current_user)
        return respond({"message": f"Group {group.name} created.", "group_id": group.id}, 201)


class GroupModifyView(MethodView):
    decorators = [admin_required]

    def post(self):
        form = bind_form(GroupModifyForm)
        description = form.description.data if "description" in form.provided else None
        group = get_database().groups.modify(form.group_id.data, form.name.data or None, description,
                                             acting=current_user)
        return respond({"message": f"Group {group.name} modified.", "group_id": group.id})


class GroupDeleteView(MethodView):
    decorators = [admin_required]

    def post(self):
        form = bind_form(GroupIdForm)
        get_database().groups.delete(form.group_id.data, acting=current_user)
        return respond({"message": "Group deleted, with its rules.", "group_id": form.group_id.data})


class GroupMembersView(MethodView):
    decorators = [admin_required]

    def post(self):
        form = bind_form(GroupMembersForm)
        members = get_database().groups.change_members(form.group_id.data, form.add.data or (),
                                                       form.remove.data or (), acting=current_user)
        return respond({"message": f"The group has {len(members)} member{'' if len(members) == 1 else 's'}.",
                        "group_id": form.group_id.data, "members": members})


class RuleAddView(MethodView):
    decorators = [admin_required]

    def post(self):
        form = bind_form(RuleForm)
        rule_id = get_database().group_rules.add_rule(form.group_id.data, form.resource_id.data,
                                                   form.label.data or None, acting=current_user, **rule_values(form))
        return respond({"message": "Rule added.", "rule_id": rule_id}, 201)


class RuleDeleteView(MethodView):
    decorators = [admin_required]

    def post(self):
        form = bind_form(RuleIdForm)
        get_database().group_rules.delete_rule(form.rule_id.data, acting=current_user)
        return respond({"message": "Rule deleted.", "rule_id": form.rule_id.data})


blueprint.add_url_rule("/admin/groups", view_func=GroupsView.as_view("groups"))
blueprint.add_url_rule("/admin/rules", view_func=RulesView.as_view("rules"))
blueprint.add_url_rule("/admin/group/add", view_func=GroupAddView.as_view("group_add"))
blueprint.add_url_rule("/admin/group/modify", view_func=GroupModifyView.as_view("group_modify"))
blueprint.add_url_rule("/admin/group/delete", view_func=GroupDeleteView.as_view("group_delete"))
blueprint.add_url_rule("/admin/group/members", view_func=GroupMembersView.as_view("group_members"))
blueprint.add_url_rule("/admin/rule/add", view_func=RuleAddView.as_view("rule_add"))
blueprint.add_url_rule("/admin/rule/delete", view_func=RuleDeleteView.as_view("rule_delete"))
show_refusals_at_fields(blueprint, {"admin.group_add": GroupForm, "admin.rule_add": RuleForm},
                        pages={"admin.group_add": "admin.groups", "admin.rule_add": "admin.rules"})
