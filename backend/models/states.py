"""The reservation lifecycle: requested -> approved -> released / expired, or requested -> cancelled.

A request for labels ("any two scope benches") is one row without a resource; each resource it
collects is a row of its own pointing at it (`parent_id`), `kept` while the request still waits
for the rest, `approved` with the request once it has them all.

Plain names, importable by the queue rules without the ORM.
"""
REQUESTED = "requested"
APPROVED = "approved"
KEPT = "kept"
RELEASED = "released"
CANCELLED = "cancelled"
EXPIRED = "expired"
ACTIVE_STATES = (REQUESTED, APPROVED, KEPT)
STATES = (REQUESTED, APPROVED, KEPT, RELEASED, CANCELLED, EXPIRED)

# Written out once so that the partial indexes and the queries that must use them agree to the letter.
ACTIVE_SQL = "state IN ('requested', 'approved', 'kept')"
# A resource is taken by at most one row in these states: held, or kept for a waiting label request.
TAKEN_SQL = "state IN ('approved', 'kept')"
# One active request by name per user and resource (what a label request collects does not count).
OWN_REQUEST_SQL = "parent_id IS NULL AND state IN ('requested', 'approved')"
# Label requests still waiting: every write that frees a resource looks for them.
WAITING_SET_SQL = "resource_id IS NULL AND state = 'requested'"

# Why a waiting label request was ended when fewer active resources out of maintenance carry its
# labels than it asked for (it would otherwise keep what it has, and block those behind it, for
# ever). Called "unservable" before migration 0008, which renames it in the history.
POOL_TOO_SMALL = "pool_too_small"
# Why a request with a lease expired: no keep-alive came within its lease (its client is gone).
LEASE_LOST = "lease_lost"
# Why a hold with a lease expired though kept alive: it reached its resource's max_hold_minutes.
MAX_HOLD = "max_hold"

# A booking's lifecycle (booking.py): booked -> active (its hold began) -> ended / released_early /
# no_show, or booked -> cancelled.
BOOKED = "booked"
BOOKING_ACTIVE = "active"
BOOKING_ENDED = "ended"
RELEASED_EARLY = "released_early"
NO_SHOW = "no_show"
BOOKING_CANCELLED = "cancelled"
BOOKING_STATUSES = (BOOKED, BOOKING_ACTIVE, BOOKING_ENDED, RELEASED_EARLY, NO_SHOW, BOOKING_CANCELLED)
# The bookings that hold their window: the constraint and the queries agree to the letter.
LIVE_BOOKING_SQL = "status IN ('booked', 'active')"
