"""The one word for each state of a resource, and the rule that picks it: on every page, in every
command, and (as SQL) in Labels.summary's count of free resources."""

FREE, IN_USE, KEPT_FOR, MAINTENANCE, DEACTIVATED = "free", "in use", "kept", "maintenance", "deactivated"


def resource_state(active, maintenance, held, kept):
    """free, in use, kept (for a label request still collecting), maintenance or deactivated.
    A resource is free only when it is active, not in maintenance, and neither held nor kept."""
    if not active:
        return DEACTIVATED
    if maintenance:
        return MAINTENANCE
    if held:
        return IN_USE
    return KEPT_FOR if kept else FREE


def own_request(holder, waiting, user_id, row=lambda item: item):
    """The user's own request by name on one resource, held or waiting, or None. A resource held
    for one of the user's label requests is not one: it is acted on as the whole request.
    `row(item)` gives the reservation of an item (the item itself, or an entry's reservation)."""
    if holder is not None and row(holder).parent_id is None and row(holder).user_id == user_id:
        return holder
    return next((item for item in waiting if row(item).user_id == user_id), None)
