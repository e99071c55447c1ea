"""The GroupRules part: administrators add, list and delete the group rules (docs/policies.md);
each change is recorded in the audit log in its own write. What the rules mean for a request is
the Policies part's (policies.py)."""
from sqlalchemy import delete

from backend.database.policies import ALL_RULES
from backend.domain.policies import LIMITS, Rule
from backend.errors import Invalid, NotFound
from backend.logs import ADMIN, log
from backend.models import Group, GroupRule, Resource


class GroupRules:
    def __init__(self, transactions, audit=None):
        self.transactions = transactions
        # A GroupRules built alone for a test may go without the audit log.
        self.audit = audit

    def add_rule(self, group_id, resource_id=None, label=None, acting=None, **values):
        """A new rule; `values` are the four limits and the priority (None: not set)."""
        if resource_id is not None and label is not None:
            raise Invalid("A rule is for one resource or one label, not both.", "INVALID_SCOPE",
                          fields={"label": ["Leave empty when a resource is chosen."]})
        if all(v is None for v in values.values()):
            raise Invalid("A rule sets at least one limit or a priority.", "EMPTY_RULE")
        with self.transactions.writing() as session:
            if group_id is not None and session.get(Group, group_id) is None:
                raise NotFound(f"No group with id {group_id}.", "GROUP_NOT_FOUND")
            if resource_id is not None and session.get(Resource, resource_id) is None:
                raise NotFound(f"No resource with id {resource_id}.", "RESOURCE_NOT_FOUND")
            rule = GroupRule(group_id=group_id, resource_id=resource_id, label=label,
                             created_at=self.transactions.now(), **values)
            session.add(rule)
            session.flush()
            self._record(session, acting, "rule.create", rule)
        log.info("%s rule added id=%s group_id=%s", ADMIN, rule.id, group_id)
        return rule.id

    def delete_rule(self, rule_id, acting=None):
        with self.transactions.writing() as session:
            rule = session.get(GroupRule, rule_id)
            if rule is None:
                raise NotFound(f"No rule with id {rule_id}.", "RULE_NOT_FOUND")
            self._record(session, acting, "rule.delete", rule, removed=True)
            session.execute(delete(GroupRule).where(GroupRule.id == rule_id))
        log.info("%s rule deleted id=%s", ADMIN, rule_id)

    def _record(self, session, acting, action, rule, removed=False):
        """The rule's values as changes ([None, value] made, [value, None] removed); named for its group."""
        if self.audit is None:
            return
        group = session.get(Group, rule.group_id) if rule.group_id is not None else None
        values = {"group_id": rule.group_id, "resource_id": rule.resource_id, "label": rule.label,
                  **{name: getattr(rule, name) for name in (*LIMITS, "priority")}}
        changes = {field: ([value, None] if removed else [None, value]) for field, value in values.items()
                   if value is not None}
        self.audit.record(session, acting, action, "rule", rule.id, f"for {group.name if group else 'everyone'}",
                          changes=changes)

    def rules(self, group_id=None):
        """Every rule (or one group's), as domain Rules, oldest first."""
        stmt = ALL_RULES if group_id is None else ALL_RULES.where(GroupRule.group_id == group_id)
        return [Rule(*row) for row in self.transactions.session.execute(stmt)]

