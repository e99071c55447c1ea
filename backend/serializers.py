"""Models and results as clients read them: the JSON the API promises (field names kept from the
original Reservia) and the history as CSV."""
import csv
import io
import json


def iso(moment):
    """ISO 8601 with the UTC offset, or None."""
    return moment.isoformat() if moment is not None else None


def user_json(user, groups=()):
    """`auth`: how the user signs in (local, remote_user, ldap); `groups`: as the intranet reported them."""
    return {"id": user.id, "name": user.name, "email": user.email, "role": user.role,
            "active": user.active, "auth": user.auth, "groups": list(groups)}


RULE_FIELDS = ("max_hold_minutes", "max_open_requests", "max_booked_hours_per_week", "priority")


def rule_json(rule):
    """A group rule (domain.policies.Rule): `group_id` null is everyone's."""
    return {"rule_id": rule.id, "group_id": rule.group_id, "resource_id": rule.resource_id, "label": rule.label,
            **{name: getattr(rule, name) for name in RULE_FIELDS}}


def group_json(group, members, rules):
    """A group with its members' user ids and its rules."""
    return {"group_id": group.id, "name": group.name, "description": group.description,
            "members": list(members), "rules": [rule_json(r) for r in rules]}


def resource_json(resource, max_hold_minutes=None, next_booking=None, health_check=False):
    """`max_hold_minutes`: the longest hold allowed there, its own maximum or the site's hold
    length (None: holds there never have to end); `next_booking`: its live booking ending first;
    `health_check`: the resource's HealthCheck, None when it has none, or False to leave health out."""
    found = {"id": resource.id, "name": resource.name, "comment": resource.comment,
             "active": resource.active, "maintenance": resource.maintenance,
             "max_hold_minutes": max_hold_minutes, "labels": resource.labels,
             "max_booking_minutes": resource.max_booking_minutes, "book_ahead_days": resource.book_ahead_days,
             "booking_buffer_minutes": resource.booking_buffer_minutes, "checkin_minutes": resource.checkin_minutes,
             "next_booking": next_booking_json(next_booking)}
    if health_check is not False:
        found.update(maintenance_reason=resource.maintenance_reason,
                     health_check=health_check_json(health_check) if health_check else None,
                     health=health_json(health_check))
    return found


def health_check_json(check):
    """What a health check tries and how often."""
    return {"kind": check.kind, "target": check.target, "interval_seconds": check.interval_seconds,
            "timeout_seconds": check.timeout_seconds,
            "failures_before_maintenance": check.failures_before_maintenance}


def health_json(check):
    """How the resource's last checks went: unknown without a check or before its first try."""
    if not check:
        return {"status": "unknown", "last_checked": None, "last_error": None}
    return {"status": check.status, "last_checked": iso(check.last_checked_at), "last_error": check.last_error}


def entry_json(entry):
    """A reservation with names and queue position, as listed by /reservation/active and history.

    Every entry names its request (`request_id`); those of a label request, and the resources it
    holds or keeps, also carry its labels and count (and in the active list how many it has).
    """
    r = entry.reservation
    body = {
        "id": r.id,
        "request_id": r.parent_id or r.id,
        "user_id": r.user_id,
        "user_name": entry.user_name,
        "resource_id": r.resource_id,
        "resource_name": entry.resource_name,
        "status": r.state,
        "position": entry.position,
        "request_date": iso(r.requested_at),
        "approved_date": iso(r.approved_at),
        "end_date": iso(r.ended_at),
        "valid_until_date": iso(r.valid_until),
        "end_reason": r.end_reason,
        "hold_minutes": r.hold_minutes,
        "note": r.note,
        "booking_id": getattr(r, "booking_id", None),
    }
    body.update(lease_json(r))
    if entry.booking_outcome is not None:
        body["booking_outcome"] = entry.booking_outcome
    labels = entry.labels or (r.labels.split() if r.labels else ())
    if labels:
        body["labels"] = list(labels)
        body["count"] = entry.count if entry.labels else r.count
        if entry.collected is not None:
            body["collected"] = entry.collected
    return body


def bounded_json(slot):
    """`bounded_by_booking` of an answer whose hold ends early for the next booking; {} without one."""
    if slot is None:
        return {}
    return {"bounded_by_booking": {"booking_id": slot.booking_id, "start": iso(slot.start)}}


def booking_json(row):
    """A booking of one resource as GET /reservation/bookings lists it."""
    return {"booking_id": row.booking_id, "series_id": row.series_id, "resource_id": row.resource_id,
            "resource_name": row.resource_name, "user_id": row.user_id, "user_name": row.user_name,
            "start": iso(row.start_at), "end": iso(row.end_at), "note": row.note, "status": row.status,
            "maintenance": row.maintenance}


def next_booking_json(row):
    """A resource's next booking in /info/resources, or None."""
    if row is None:
        return None
    return {"booking_id": row.booking_id, "start": iso(row.start_at), "end": iso(row.end_at),
            "user_name": row.user_name}


def conflict_json(row):
    """A booking in the way of another, in a BOOKING_CONFLICT refusal or a series' skipped list."""
    return {"booking_id": row.booking_id, "resource_id": row.resource_id, "start": iso(row.start_at),
            "end": iso(row.end_at), "user_name": row.user_name}


def token_json(entry, now):
    """A personal API token as its owner and administrators see it: never its secret."""
    token = entry.token
    return {"token_id": token.id, "name": token.name, "user_id": token.user_id, "user_name": entry.user_name,
            "scope": token.scope, "created_date": iso(token.created_at), "last_used_date": iso(token.last_used_at),
            "expires_date": iso(token.expires_at), "expired": token.expires_at <= now}


def lease_json(reservation):
    """A leased request's lease and when it runs out without a keep-alive; nothing for the others."""
    seconds = getattr(reservation, "lease_seconds", None)
    if seconds is None:
        return {}
    return {"lease_seconds": seconds, "lease_until_date": iso(reservation.lease_until)}


CSV_COLUMNS = ("id", "user_id", "user_name", "resource_id", "resource_name", "status",
               "request_date", "approved_date", "end_date", "valid_until_date", "end_reason", "note",
               "request_id", "labels", "booking_id", "booking_outcome")

# A spreadsheet runs a cell starting with these as a formula; names and reasons are typed by people.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe_text(value):
    if value and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _csv_row(entry):
    r = entry.reservation
    return (r.id, r.user_id, _safe_text(entry.user_name), r.resource_id,
            _safe_text(entry.resource_name), r.state, iso(r.requested_at), iso(r.approved_at),
            iso(r.ended_at), iso(r.valid_until), _safe_text(r.end_reason) or "", _safe_text(r.note) or "",
            r.parent_id or r.id, r.labels or "", r.booking_id or "", entry.booking_outcome or "")


def history_csv_lines(entries):
    """The header, then one CSV line per history entry, each as a string ending in CRLF, written
    a row at a time so that exports of any size stream."""
    return csv_lines(CSV_COLUMNS, map(_csv_row, entries))


def csv_lines(header, rows):
    """The header, then one CSV line per row, each a string ending in CRLF, a row at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(row)
        yield buffer.getvalue()


AUDIT_FIELDS = ("id", "at", "actor_id", "actor_name", "via", "source_address", "action", "object_type",
                "object_id", "object_name", "changes", "reason")


def audit_json(entry):
    """An audit log entry; `changes` is {"field": [old, new]} (never a password, token or secret)."""
    body = {name: getattr(entry, name) for name in AUDIT_FIELDS}
    body["at"] = iso(entry.at)
    body["changes"] = json.loads(entry.changes) if entry.changes else {}
    return body


def _audit_row(entry):
    return (entry.id, iso(entry.at), entry.actor_id, _safe_text(entry.actor_name), entry.via,
            entry.source_address or "", entry.action, entry.object_type, entry.object_id,
            _safe_text(entry.object_name) or "", _safe_text(entry.changes) or "", _safe_text(entry.reason) or "")


def audit_csv_lines(entries):
    """The audit log as CSV, formula-safe like the history's: `changes` as its JSON text."""
    return csv_lines(AUDIT_FIELDS, map(_audit_row, entries))
