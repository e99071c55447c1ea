"""Passwords checked by binding to an LDAP directory (RESERVIA_AUTH=ldap), and what the entry says.

A wrong password and an unknown name both answer None; a directory that cannot be reached, or
answers too late, raises Unavailable (503 DIRECTORY_UNAVAILABLE) so that nobody is told their
password is wrong when it is not. Passwords go nowhere but the bind: never into a message or a log.
"""
from dataclasses import dataclass

import ldap
import ldap.dn
import ldap.filter

from backend.errors import Unavailable
from backend.logs import SESSION, log

UNAVAILABLE = "The directory that checks passwords does not answer; try again in a moment."


@dataclass(frozen=True)
class DirectoryEntry:
    """Who the directory says someone is."""

    dn: str
    email: str | None
    display_name: str | None
    groups: tuple


def group_name(value):
    """A group as a name: the first RDN's value of a DN (cn=admins,ou=groups,... is "admins"), else the value."""
    try:
        return ldap.dn.str2dn(value)[0][0][1] if "=" in value else value
    except ldap.DECODING_ERROR:
        return value


def _first(entry, attribute):
    values = entry.get(attribute) or entry.get(attribute.lower()) or ()
    return values[0].decode("utf-8", "replace") if values else None


class Directory:
    """One sign-in's conversation with the directory, configured by the RESERVIA_LDAP_* settings."""

    def __init__(self, settings):
        self.settings = settings

    def authenticate(self, name, password):
        """The entry of `name` if `password` is theirs, else None."""
        if not password:
            return None  # an empty password would be an anonymous bind, which always succeeds
        try:
            return self._authenticate(name, password)
        except (ldap.SERVER_DOWN, ldap.TIMEOUT, ldap.CONNECT_ERROR, ldap.UNAVAILABLE, ldap.BUSY) as error:
            log.warning("%s directory unavailable url=%s: %s", SESSION, self.settings["RESERVIA_LDAP_URL"],
                        _reason(error))
            raise Unavailable(UNAVAILABLE, "DIRECTORY_UNAVAILABLE") from None
        except ldap.LDAPError as error:
            # A service account refused, a base that does not exist: the set-up is wrong, not the user.
            log.error("%s directory refused the search url=%s: %s", SESSION, self.settings["RESERVIA_LDAP_URL"],
                      _reason(error))
            raise Unavailable(UNAVAILABLE, "DIRECTORY_UNAVAILABLE") from None

    def _authenticate(self, name, password):
        s = self.settings
        connection = self._connect()
        try:
            template = s["RESERVIA_LDAP_BIND_DN"]
            if "{name}" in template:
                dn = template.format(name=ldap.dn.escape_dn_chars(name))
                if not self._bind_as_user(connection, dn, password):
                    return None
                found = self._read_entry(connection, dn)
            else:
                self._bind_service(connection)
                found = self._find_user(connection, name)
                if found is None or not self._bind_as_user(connection, found[0], password):
                    return None
                self._bind_service(connection)  # groups are searched as the service account
            if found is None:
                return None
            dn, entry = found
            return DirectoryEntry(dn=dn, email=_first(entry, s["RESERVIA_LDAP_EMAIL_ATTRIBUTE"]),
                                  display_name=_first(entry, s["RESERVIA_LDAP_NAME_ATTRIBUTE"]),
                                  groups=self._groups(connection, name, dn, entry))
        finally:
            connection.unbind_s()

    def _connect(self):
        s = self.settings
        connection = ldap.initialize(s["RESERVIA_LDAP_URL"])
        timeout = s["RESERVIA_LDAP_TIMEOUT"]
        connection.set_option(ldap.OPT_NETWORK_TIMEOUT, timeout)
        connection.set_option(ldap.OPT_TIMEOUT, timeout)
        connection.set_option(ldap.OPT_REFERRALS, 0)
        connection.protocol_version = ldap.VERSION3
        if s["RESERVIA_LDAP_CA_FILE"]:
            connection.set_option(ldap.OPT_X_TLS_CACERTFILE, s["RESERVIA_LDAP_CA_FILE"])
        connection.set_option(ldap.OPT_X_TLS_REQUIRE_CERT, ldap.OPT_X_TLS_DEMAND)
        connection.set_option(ldap.OPT_X_TLS_NEWCTX, 0)  # after the TLS options: makes them count
        if s["RESERVIA_LDAP_STARTTLS"]:
            connection.start_tls_s()
        return connection

    def _bind_service(self, connection):
        s = self.settings
        if s["RESERVIA_LDAP_BIND_DN"]:
            connection.simple_bind_s(s["RESERVIA_LDAP_BIND_DN"], s["RESERVIA_LDAP_BIND_PASSWORD"])

    @staticmethod
    def _bind_as_user(connection, dn, password):
        try:
            connection.simple_bind_s(dn, password)
        except (ldap.INVALID_CREDENTIALS, ldap.INVALID_DN_SYNTAX, ldap.UNWILLING_TO_PERFORM):
            return False
        return True

    def _attributes(self):
        s = self.settings
        return [s["RESERVIA_LDAP_EMAIL_ATTRIBUTE"], s["RESERVIA_LDAP_NAME_ATTRIBUTE"], "memberOf"]

    def _find_user(self, connection, name):
        """(dn, attributes) of the one entry the user filter finds, else None (none, or several)."""
        s = self.settings
        query = s["RESERVIA_LDAP_USER_FILTER"].format(name=ldap.filter.escape_filter_chars(name))
        found = [(dn, entry) for dn, entry in connection.search_ext_s(
            s["RESERVIA_LDAP_USER_BASE"], ldap.SCOPE_SUBTREE, query, self._attributes(),
            timeout=s["RESERVIA_LDAP_TIMEOUT"], sizelimit=2) if dn]
        return found[0] if len(found) == 1 else None

    def _read_entry(self, connection, dn):
        s = self.settings
        found = connection.search_ext_s(dn, ldap.SCOPE_BASE, "(objectClass=*)", self._attributes(),
                                        timeout=s["RESERVIA_LDAP_TIMEOUT"])
        return found[0] if found else (dn, {})

    def _groups(self, connection, name, dn, entry):
        s = self.settings
        if not s["RESERVIA_LDAP_GROUP_BASE"]:
            return tuple(group_name(v.decode("utf-8", "replace")) for v in entry.get("memberOf", ()))
        query = s["RESERVIA_LDAP_GROUP_FILTER"].format(dn=ldap.filter.escape_filter_chars(dn),
                                                       name=ldap.filter.escape_filter_chars(name))
        groups = connection.search_ext_s(s["RESERVIA_LDAP_GROUP_BASE"], ldap.SCOPE_SUBTREE, query, ["cn"],
                                         timeout=s["RESERVIA_LDAP_TIMEOUT"])
        return tuple(_first(attributes, "cn") for group_dn, attributes in groups
                     if group_dn and _first(attributes, "cn"))


def _reason(error):
    """What python-ldap says went wrong, in one short line (it never holds the password)."""
    detail = error.args[0] if error.args and isinstance(error.args[0], dict) else {}
    return " ".join(str(detail.get(key, "")) for key in ("desc", "info")).strip() or type(error).__name__
