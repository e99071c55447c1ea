"""The reservation lifecycle: requested -> approved -> released / expired, or requested -> cancelled.

Plain names, importable by the queue rules without the ORM.
"""
REQUESTED = "requested"
APPROVED = "approved"
RELEASED = "released"
CANCELLED = "cancelled"
EXPIRED = "expired"
ACTIVE_STATES = (REQUESTED, APPROVED)
STATES = (REQUESTED, APPROVED, RELEASED, CANCELLED, EXPIRED)

# Written out once so that the partial indexes and the queries that must use them agree to the letter.
ACTIVE_SQL = "state IN ('requested', 'approved')"
