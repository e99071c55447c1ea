"""Models and results as the JSON the API promises (field names kept from the original Reservia)."""


def iso(moment):
    """ISO 8601 with the UTC offset, or None."""
    return moment.isoformat() if moment is not None else None


def user_json(user):
    return {"id": user.id, "name": user.name, "email": user.email, "role": user.role,
            "active": user.active}


def resource_json(resource):
    return {"id": resource.id, "name": resource.name, "comment": resource.comment,
            "active": resource.active, "maintenance": resource.maintenance}


def entry_json(entry):
    """A reservation with names and queue position, as listed by /reservation/active and history."""
    r = entry.reservation
    return {
        "id": r.id,
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
    }
