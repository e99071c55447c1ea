"""How a serving process collects its garbage once the application is built.

Python's full collection looks at every object in containers and holds the interpreter lock
while it does: every request of the process waits. In the department scenario (docs/
performance.md, fifth round) each gunicorn process ran 27 full collections in two and a half
minutes, each 70-90 ms, and 115,000-130,000 of the objects they looked at were made once at
start-up (modules, templates, routes, the application). Two changes, measured there together:
what exists when serving starts is left out of every later scan (`gc.freeze`), and the youngest
generation is collected every 20,000 allocations rather than every 700, so that what a request
makes and drops is mostly gone before it can be promoted to the older generations (a request
allocates thousands of objects). The same run had one full collection per process, at start-up.
"""
import gc

# Allocations between collections of the youngest generation; Python's default is 700. The test
# suite (tests/conftest.py) uses 50,000 for the same reason.
YOUNG_COLLECTION_EVERY = 20_000


def tune_garbage_collection():
    """Call once the application is built, before the first request."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, *gc.get_threshold()[1:])
