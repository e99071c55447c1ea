"""What a label is, how many a resource or a request may carry, and how many resources a label
request may ask for; and the count of free resources per label that the label chips show.

The database keeps `count` within MAX_COUNT by a check constraint built from the same number
(backend/models/reservation.py); Labels.summary counts free resources per label in SQL, and
tests/test_label_summary.py checks it against `label_summary` here.
"""
import re

# Letters, digits, "-", "_", "."; compared without regard to case, so stored lower-case.
MAX_LABEL_LENGTH = 40
LABEL_PATTERN = f"^[a-z0-9._-]{{1,{MAX_LABEL_LENGTH}}}$"
# A request may give labels in either case; they are stored in lower case.
GIVEN_LABEL_PATTERN = f"^[A-Za-z0-9._-]{{1,{MAX_LABEL_LENGTH}}}$"
_LABEL = re.compile(LABEL_PATTERN[1:-1])

# Labels on one resource, or asked for by one request.
MAX_LABELS = 20
# How many resources one label request may ask for at once.
MAX_COUNT = 100


def is_label(name):
    """Whether `name` (already lower-cased) is a label."""
    return _LABEL.fullmatch(name) is not None


def label_summary(resources):
    """Every label of the given active resources, by name, with how many carry it and how many of
    those are free: [{"name", "resources", "free"}]. `resources` gives (labels, is free) pairs;
    free is `resource_state(...) == FREE` (backend/domain/resources.py)."""
    counts = {}
    for labels, free in resources:
        for label in labels:
            total, free_count = counts.get(label, (0, 0))
            counts[label] = (total + 1, free_count + bool(free))
    return [{"name": name, "resources": total, "free": free} for name, (total, free) in sorted(counts.items())]
