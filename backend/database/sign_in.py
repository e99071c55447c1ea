"""The SignIn part: who may sign in, and how, when the intranet knows people (docs/sign-in.md).

With RESERVIA_AUTH=remote_user Apache has signed the person in and Reservia takes its word
(`provision`); with ldap the login form's password is checked by the directory
(`with_password`). Either way the account is made at the first sign-in, its e-mail address,
display name and groups are brought up to date at every sign-in, and RESERVIA_ADMIN_GROUPS decides
its role then. Reservia's own passwords still work for the accounts RESERVIA_LOCAL_LOGIN names
(break-glass administrators), even while the directory is down.
"""
from dataclasses import dataclass

from sqlalchemy import select

from backend.database.audit import SECRET_CHANGED
from backend.database.groups import name_set
from backend.errors import Forbidden, NotAuthenticated
from backend.logs import SESSION, log
from backend.models import User
from backend.models.names import canonical, key_of
from backend.models.user import AUTH_LDAP, AUTH_LOCAL, ROLE_ADMIN, ROLE_USER

INVALID = "Invalid user name or password."
LDAP_SETTINGS = ("RESERVIA_LDAP_URL", "RESERVIA_LDAP_STARTTLS", "RESERVIA_LDAP_CA_FILE", "RESERVIA_LDAP_BIND_DN",
                 "RESERVIA_LDAP_BIND_PASSWORD", "RESERVIA_LDAP_USER_BASE", "RESERVIA_LDAP_USER_FILTER",
                 "RESERVIA_LDAP_EMAIL_ATTRIBUTE", "RESERVIA_LDAP_NAME_ATTRIBUTE", "RESERVIA_LDAP_GROUP_BASE",
                 "RESERVIA_LDAP_GROUP_FILTER", "RESERVIA_LDAP_TIMEOUT")


@dataclass(frozen=True)
class Identity:
    """Someone as the intranet sign-in describes them."""

    name: str
    auth: str
    email: str | None = None
    display_name: str | None = None
    groups: tuple = ()


def setting_names(value):
    """A comma-separated setting as a list of names."""
    return [part.strip() for part in value.split(",") if part.strip()]


def password_allowed(setting, role):
    """Whether an account of this role may have a password Reservia keeps: always with local
    sign-in, else as RESERVIA_LOCAL_LOGIN says."""
    if setting("RESERVIA_AUTH") == AUTH_LOCAL:
        return True
    allowed = setting("RESERVIA_LOCAL_LOGIN")
    return allowed == "all" or (allowed == "admins" and role == ROLE_ADMIN)


class SignIn:
    def __init__(self, transactions, users, groups, login_limits, audit):
        self.transactions = transactions
        self.audit = audit
        self.users = users
        self.groups = groups
        self.login_limits = login_limits

    def mode(self):
        return self.transactions.setting("RESERVIA_AUTH")

    def local_login_allowed(self, user):
        """Whether this account may sign in with a password Reservia keeps."""
        if self.mode() == AUTH_LOCAL:
            return True
        return user.auth == AUTH_LOCAL and password_allowed(self.transactions.setting, user.role)

    def may_have_password(self, user):
        """Whether an administrator may give this account a password (the user page asks)."""
        return password_allowed(self.transactions.setting, user.role)

    def with_password(self, name, password, address=None, device=None):
        """The login form's and POST /session/login's check: Reservia's own password for the
        accounts allowed one, else the directory's (ldap). Wrong passwords count against the name
        and the address either way; a directory that does not answer counts against nobody."""
        if self.mode() == AUTH_LOCAL:
            return self.users.authenticate(name, password, address, device)
        user = self.users.by_name(name)
        if user is not None and self.local_login_allowed(user):
            return self.users.authenticate(name, password, address, device)
        attempt = self.login_limits.check(name, address)
        self.transactions.end_read()  # nothing held open while the directory is asked
        entry = None
        if self.mode() == AUTH_LDAP:
            # Here, not at the top: python-ldap loads on a site that signs in through a directory only.
            from backend.database.directory import Directory
            entry = Directory({key: self.transactions.setting(key) for key in LDAP_SETTINGS}).authenticate(
                canonical(name), password)
        if entry is None:
            self.login_limits.failed(attempt, user.id if user is not None else None)
            log.info("%s login refused name=%r address=%s auth=%s", SESSION, name, attempt.address, self.mode())
            raise NotAuthenticated(INVALID, "INVALID_CREDENTIALS")
        user = self.provision(Identity(name=canonical(name), auth=AUTH_LDAP, email=entry.email,
                                       display_name=entry.display_name, groups=entry.groups))
        self.login_limits.succeeded(attempt)
        return user

    def provision(self, identity):
        """The account of someone the intranet signed in: made at the first sign-in, brought up to
        date at each. Forbidden (403) when they are in none of RESERVIA_ALLOWED_GROUPS, or when an
        administrator deactivated their account. An account made, a role the groups changed and an
        account taken over by the intranet are recorded in the audit log, via "sso"."""
        if len(identity.name) > 80:
            raise Forbidden("Your intranet user name is longer than Reservia takes (80 characters).",
                            "NAME_TOO_LONG")
        groups = name_set(identity.groups)
        allowed = name_set(setting_names(self.transactions.setting("RESERVIA_ALLOWED_GROUPS")))
        if allowed and not groups & allowed:
            log.info("%s sign-in refused name=%r: in none of the allowed groups", SESSION, identity.name)
            raise Forbidden("You signed in through the intranet, but Reservia is only open to members of "
                            f"{', '.join(setting_names(self.transactions.setting('RESERVIA_ALLOWED_GROUPS')))}"
                            ", and you are in none of them. Ask your administrator to add you.",
                            "NOT_IN_ALLOWED_GROUP")
        admin_groups = name_set(setting_names(self.transactions.setting("RESERVIA_ADMIN_GROUPS")))
        with self.transactions.writing() as session:
            user = self.users.by_name(identity.name)
            made, modified, role_change = user is None, {}, None
            if user is None:
                user = User(name=identity.name, auth=identity.auth, role=ROLE_USER, active=True,
                            created_at=self.transactions.now())
                session.add(user)
                log.info("%s user provisioned name=%r auth=%s", SESSION, identity.name, identity.auth)
            elif not user.active:
                raise Forbidden("Your Reservia account is deactivated: ask an administrator to reactivate it.",
                                "USER_DEACTIVATED")
            elif user.auth != identity.auth:
                # An account made before, now signed in by the intranet: it keeps its history and
                # reservations, and the password Reservia kept for it no longer signs anyone in.
                log.info("%s user now signs in by %s name=%r (was %s)", SESSION, identity.auth, user.name, user.auth)
                modified["auth"] = [user.auth, identity.auth]
                if user.password_hash:
                    modified["password"] = SECRET_CHANGED
                user.auth, user.password_hash = identity.auth, None
            if identity.email and identity.email.lower() != user.email:
                email = identity.email.lower()[:254]
                taken = session.scalar(select(User.id).where(User.email == email, User.name_key != key_of(user.name)))
                if taken is None:
                    user.email = email
            if identity.display_name:
                user.display_name = identity.display_name[:200]
            if admin_groups:
                role = ROLE_ADMIN if groups & admin_groups else ROLE_USER
                if role != user.role:
                    log.info("%s role from groups name=%r role=%s", SESSION, user.name, role)
                    role_change = {"role": [user.role, role]}
                    user.role = role
            session.flush()
            self.groups.set_memberships(session, user.id, identity.groups)
            self._record(session, user, made, modified, role_change)
        return user

    def _record(self, session, user, made, modified, role_change):
        """The audit entries of one intranet sign-in: what it made or changed, nothing otherwise."""
        if made:
            self.audit.record(session, user, "user.provision", "user", user.id, user.name, via="sso",
                              changes={"auth": [None, user.auth], "role": [None, user.role]})
            return
        if modified:
            self.audit.record(session, user, "user.modify", "user", user.id, user.name, via="sso", changes=modified)
        if role_change:
            self.audit.record(session, user, "user.role_change", "user", user.id, user.name, via="sso",
                              changes=role_change, reason="RESERVIA_ADMIN_GROUPS")
