"""The Pool: resources and their active reservations brought up to date as one, by the queue
rules (rules.py) in the order of service.

The order of service (backend/domain/policies.py, service_key): the higher priority class first,
first come first served within a class, for requests by name and requests by labels alike; a
waiting request rises one class per `aging` waited, so none starves. A resource that falls free
goes to the first waiting request in that order it can serve: a request for it by name, or a
label request whose labels it carries (on a restricted resource, only one its user may use).
A label request keeps what it is given until it has all it asked for, then holds them all at
once, so a small later request never overtakes an earlier big one of its class.

Like the rules, it knows nothing of Flask or SQL: the Queue part (queue.py) reads the rows under
the write lock, runs a Pool over them and writes the changes it lists.
"""
import heapq
import itertools
from dataclasses import dataclass, field
from datetime import datetime

from backend.database.rules import (
    DELETE,
    INSERT,
    Change,
    ReservationRow,
    ResourceState,
    approve,
    end,
    expiry_reason,
    extend,
    hold_span,
)
from backend.domain.policies import service_key
from backend.domain.resources import own_request
from backend.models.states import APPROVED, CANCELLED, EXPIRED, KEPT, POOL_TOO_SMALL, REQUESTED


@dataclass
class Pool:
    """Resources and their active reservations, brought up to date as one.

    Give it every active row of its resources, and every waiting label request with the rows of
    the resources it keeps; each method changes the rows and appends to `changes`, in the order
    they must be written.
    """

    resources: list
    rows: list
    now: datetime
    hold: object = None
    changes: list = field(default_factory=list)
    # A waiting request rises one priority class per `aging` (a timedelta; None: no aging).
    aging: object = None
    # Who may use restricted resources (ResourceState.allowed): {user id: their group ids}, and
    # the administrators, whom no restriction binds.
    user_groups: dict = field(default_factory=dict)
    admins: frozenset = frozenset()

    def __post_init__(self):
        self.resources = {r.id: r for r in self.resources}
        self._taken = {}        # resource id -> the row holding or keeping it
        self._queues = {}       # resource id -> requests for it by name still waiting, in id order
        self._waiting = []      # label requests still waiting, in id order
        self._requests = {}     # label request id -> its row
        self._members = {}      # label request id -> the rows of the resources it holds or keeps
        self._events = []
        self._sequence = itertools.count()
        self._carrying = {}     # (labels, by name) -> ids of the resources that carry them
        # Label requests made in this write: held at once, they are no news to their users.
        self.fresh = set()
        for row in sorted(self.rows, key=lambda r: r.id):
            self._add(row)

    def _add(self, row):
        if row.is_label_request:
            self._requests[row.id] = row
            self._members.setdefault(row.id, [])
            if row.state == REQUESTED:
                self._waiting.append(row)
        elif row.state in (APPROVED, KEPT):
            self._taken[row.resource_id] = row
            if row.parent_id is not None:
                self._members.setdefault(row.parent_id, []).append(row)
        elif row.state == REQUESTED:
            self._queues.setdefault(row.resource_id, []).append(row)


    def taken(self, resource_id):
        """The row holding or keeping the resource, or None when it is free."""
        return self._taken.get(resource_id)

    def holder(self, resource_id):
        """The row holding the resource (not merely keeping it), or None."""
        row = self._taken.get(resource_id)
        return row if row is not None and row.state == APPROVED else None

    def queue(self, resource_id):
        """Requests for the resource by name still waiting, in the order of service."""
        return sorted((r for r in self._queues.get(resource_id, []) if r.state == REQUESTED), key=self.key)

    def request(self, request_id):
        """A label request of the pool, or None."""
        return self._requests.get(request_id)

    def members(self, request_id):
        """The rows of the resources a label request holds or keeps."""
        return list(self._members.get(request_id, []))

    def waiting_label_requests(self):
        return [r for r in self._waiting if r.state == REQUESTED]

    def request_of(self, row):
        """The request a row belongs to: itself, or the label request it holds a resource for."""
        return self._requests[row.parent_id] if row.parent_id is not None else row

    def requests_of(self, user_id):
        """The user's active requests: by name (held or waiting) and by labels."""
        named = [r for r in self._taken.values() if r.parent_id is None and r.user_id == user_id]
        named += [r for rid in self._queues for r in self.queue(rid) if r.user_id == user_id]
        by_labels = [r for r in self._requests.values() if r.user_id == user_id and r.state in (REQUESTED, APPROVED)]
        return sorted(named + by_labels, key=lambda r: r.id)

    def own(self, resource_id, user_id):
        """The user's own request by name on the resource (held or waiting), or None."""
        return own_request(self.holder(resource_id), self.queue(resource_id), user_id)

    def key(self, row, at=None):
        """Where a request stands in the order of service at `at` (default: now)."""
        return service_key(row, self.now if at is None else at, self.aging)

    def position(self, row):
        """0 for a row that holds; else 1 + the waiting requests served before it."""
        return self.positions([row])[row.id]

    def positions(self, rows):
        """{row id: position(row)} for many rows at once (the active list's places): each
        request's key, each queue's waiting requests and each label request's resources worked
        out once for all the rows; row by row, that work was quadratic in what waits (a third of
        a busy site's CPU)."""
        keys, queues, served_by = {}, {}, {}

        def key(row):
            found = keys.get(id(row))
            if found is None:
                found = keys[id(row)] = self.key(row)
            return found

        def waiting(resource_id):
            found = queues.get(resource_id)
            if found is None:
                found = queues[resource_id] = [r for r in self._queues.get(resource_id, ()) if r.state == REQUESTED]
            return found

        def serves(request):
            found = served_by.get(id(request))
            if found is None:
                found = served_by[id(request)] = frozenset(self.resources_for(request))
            return found
        # The waiting label requests each resource could serve: a row competes only with those
        # of the resources it wants (most queues by name have none).
        labelled = {}
        for request in self.waiting_label_requests():
            for rid in serves(request):
                labelled.setdefault(rid, []).append(request)
        places = {}
        for row in rows:
            if row.state == APPROVED:
                places[row.id] = 0
                continue
            wanted = serves(row)
            mine = key(row)
            ahead = {r.id for rid in wanted for r in waiting(rid) if r is not row and key(r) < mine}
            ahead |= {r.id for rid in wanted for r in labelled.get(rid, ()) if r is not row and key(r) < mine}
            places[row.id] = 1 + len(ahead)
        return places

    def may_use(self, resource, user_id):
        """Whether the user may have the resource: it is for everyone, they are an
        administrator, or in one of the groups it is restricted to."""
        return (resource.allowed is None or user_id in self.admins
                or bool(resource.allowed & self.user_groups.get(user_id, frozenset())))

    def serves(self, resource_id, request):
        """Whether the resource can be given to the label request: it carries its labels and
        the request's user may use it."""
        resource = self.resources[resource_id]
        return resource.serves(request) and self.may_use(resource, request.user_id)

    def resources_for(self, row):
        """The ids of the resources that can serve a request: its own, or all carrying its labels
        that its user may use."""
        if not row.is_label_request:
            return [row.resource_id]
        return [rid for rid in self._carrying_labels_of(row) if self.may_use(self.resources[rid], row.user_id)]

    def _carrying_labels_of(self, request):
        """The resources that carry a label request's labels (or are among those it names), found
        once per spelling of labels: CI jobs' requests share a few, and each used to look through
        every resource (a fifth of the active list's build)."""
        spelling = (request.label_set, request.names_resources)
        found = self._carrying.get(spelling)
        if found is None:
            found = self._carrying[spelling] = [rid for rid, resource in self.resources.items()
                                                if resource.serves(request)]
        return found

    def available_for(self, request):
        """How many resources could ever serve the label request as things stand: active, out of
        maintenance, carrying all its labels (whether busy or not)."""
        return sum(1 for rid in self.resources_for(request) if not self.resources[rid].maintenance)

    def servable(self, request):
        """Whether enough active resources out of maintenance carry the label request's labels."""
        return self.available_for(request) >= request.count

    def reexamine(self):
        """Take back what waiting label requests keep but can no longer use (a resource
        deactivated, relabelled or in maintenance, which approves nobody), and end those that
        fewer usable resources serve than they asked for: they would wait for ever, and keep
        what they have from the requests behind them. Busy resources still count: a request
        that can be met later waits."""
        for resource_id, row in list(self._taken.items()):
            if row.state == KEPT:
                resource = self.resources.get(resource_id) or ResourceState(resource_id, active=False)
                if resource.maintenance or not (resource_id in self.resources
                                                and self.serves(resource_id, self._requests[row.parent_id])):
                    self.return_resource(resource_id)
        for request in self.waiting_label_requests():
            if not self.servable(request):
                self.end_request(request, CANCELLED, self.now, POOL_TOO_SMALL)
        return self

    def settle(self):
        """Expire what ran out before now and give every free resource to whoever is next,
        each at the moment it happened, so that the history is the same whether this runs at
        that moment, on the next request, or from the expiry command hours later."""
        ending = {}
        for row in self._taken.values():
            request = self.request_of(row)
            if request.state == APPROVED and _ran_out(request, self.now):
                ending[request.id] = request
        for request in ending.values():
            self._push(request.valid_until, "end", request)
        for request in self._waiting:
            if _ran_out(request, self.now):
                self._push(request.valid_until, "give_up", request)
        for resource_id in sorted(self.resources):
            if resource_id not in self._taken:
                self._push(self.now, "free", resource_id)
        self.run()
        for queue in self._queues.values():
            for waiting in queue:
                if waiting.state == REQUESTED and _ran_out(waiting, self.now):
                    self.changes.append(end(waiting, EXPIRED, waiting.valid_until, expiry_reason(waiting)))
        return self

    def run(self):
        """Handle what is due, in time order: holds that ran out, label requests that gave up
        waiting, resources that fell free."""
        while self._events:
            at, _, kind, subject = heapq.heappop(self._events)
            if kind == "free":
                self._give(subject, at)
            elif kind not in ("end", "give_up"):
                self.handle(kind, subject, at)
            elif subject.state == (APPROVED if kind == "end" else REQUESTED):
                self.end_request(subject, EXPIRED, subject.valid_until,
                                 expiry_reason(subject, self.lifetime_for(subject)))
        return self

    def handle(self, kind, subject, at):
        """Events of other kinds: the bookings' (booking_pool.py)."""
        raise ValueError(f"unknown event {kind!r}")

    def end_request(self, request, state, at, reason=None, by_id=None):
        """End a request and, for a label request, what it holds or keeps; the resources it
        freed are given on at `at` by the next run()."""
        freed = []
        if request.is_label_request:
            self.changes.append(end(request, state, at, reason, by_id))
            for member in self._members.pop(request.id, []):
                freed.append(member.resource_id)
                if member.state == KEPT:
                    # Kept, never held: nothing to remember of it.
                    self.changes.append(Change.of(member, (), "returned", DELETE))
                else:
                    self.changes.append(end(member, state, at, reason, by_id))
        else:
            was_holding = request.state == APPROVED
            self.changes.append(end(request, state, at, reason, by_id))
            if was_holding:
                freed.append(request.resource_id)
        for resource_id in freed:
            if self._taken.get(resource_id) is not None and self._taken[resource_id].request_id == request.id:
                del self._taken[resource_id]
            self._push(at, "free", resource_id)
        return freed

    def return_resource(self, resource_id):
        """Take back a resource a waiting label request keeps (it stopped serving it)."""
        member = self._taken.get(resource_id)
        if member is None or member.state != KEPT:
            return
        del self._taken[resource_id]
        self._members[member.parent_id].remove(member)
        self.changes.append(Change.of(member, (), "returned", DELETE))
        self._push(self.now, "free", resource_id)

    def add_request(self, request):
        """A new label request (already stored, with its id) takes the free resources it can,
        in id order, and holds them all at once if that is enough."""
        self._add(request)
        self.fresh.add(request.id)
        for resource_id in sorted(self.resources):
            if request.state != REQUESTED:
                break
            if resource_id not in self._taken and self.serves(resource_id, request):
                self._give(resource_id, self.now)
        return self

    def _give(self, resource_id, at):
        """Give a free resource to the earliest waiting request it can serve."""
        resource = self.resources.get(resource_id)
        if resource is None or not resource.active or resource.maintenance or resource_id in self._taken:
            return
        by_name = self._queues.get(resource_id, [])
        by_labels = [r for r in self._waiting if self.serves(resource_id, r)]
        for candidate in sorted(by_name + by_labels, key=lambda r: self.key(r, at)):
            if candidate.state != REQUESTED:
                continue
            if candidate.valid_until is not None and candidate.valid_until <= at:
                # It stopped waiting before the resource fell free.
                reason = expiry_reason(candidate)
                if candidate.is_label_request:
                    self.end_request(candidate, EXPIRED, candidate.valid_until, reason)
                else:
                    self.changes.append(end(candidate, EXPIRED, candidate.valid_until, reason))
                continue
            moment = max(at, candidate.requested_at)
            if candidate.is_label_request:
                self._keep(candidate, resource_id, moment)
            else:
                self.changes.append(approve(candidate, moment, hold_span(candidate, self.hold, resource.maximum)))
                self._taken[resource_id] = candidate
                self._schedule_end(candidate)
            return

    def _keep(self, request, resource_id, at):
        member = ReservationRow(None, request.user_id, resource_id, KEPT, requested_at=request.requested_at,
                                parent_id=request.id)
        self.changes.append(Change.of(member, (), KEPT, INSERT))
        self._taken[resource_id] = member
        self._members.setdefault(request.id, []).append(member)
        if len(self._members[request.id]) == request.count:
            self.changes.append(approve(request, at, hold_span(request, self.hold, self.maximum_for(request))))
            for kept in self._members[request.id]:
                kept.state, kept.approved_at, kept.valid_until = APPROVED, at, request.valid_until
                kept.lease_seconds, kept.lease_until = request.lease_seconds, request.lease_until
                self.changes.append(Change.of(kept, ("state", "approved_at", "valid_until", "lease_seconds",
                                                     "lease_until"), APPROVED))
            self._schedule_end(request)

    def _schedule_end(self, request):
        """The request holds from now on: if its hold ran out before now too, end it in its turn."""
        if _ran_out(request, self.now):
            self._push(request.valid_until, "end", request)

    def keep_alive(self, request, wait, hold_minutes=None):
        """Push back the deadline of a request, and of every resource a label request holds: a
        hold by the length its user chose (`hold_minutes` becomes the new choice), never past
        its resources' maximum from its approval; a waiting request by `wait`. Returns whether
        the deadline moved."""
        if hold_minutes is not None and hold_minutes != request.hold_minutes:
            request.hold_minutes = hold_minutes
            self.changes.append(Change.of(request, ("hold_minutes",), "kept_alive"))
        if request.state == APPROVED:
            change = extend(request, self.now, hold_span(request, self.hold, self.maximum_for(request)),
                            self.lifetime_for(request))
        else:
            change = extend(request, self.now, wait)
        if change.values:
            self.changes.append(change)
            for member in self._members.get(request.id, []) if request.is_label_request else ():
                member.valid_until, member.lease_until = request.valid_until, request.lease_until
                self.changes.append(Change.of(member, ("valid_until", "lease_until"), "kept_alive"))
        return bool(change.values)

    def maximum_for(self, request):
        """The longest hold the request may have: its resource's maximum, or the smallest of its
        resources' (None: no limit)."""
        return _smallest(self.resources[rid].maximum for rid in self._held_by(request))

    def lifetime_for(self, request):
        return _smallest(self.resources[rid].lifetime for rid in self._held_by(request))

    def _held_by(self, request):
        if not request.is_label_request:
            return [request.resource_id] if request.resource_id in self.resources else []
        return [m.resource_id for m in self._members.get(request.id, []) if m.resource_id in self.resources]

    def _push(self, at, kind, subject):
        heapq.heappush(self._events, (at, next(self._sequence), kind, subject))


def _ran_out(row, now):
    return row.valid_until is not None and row.valid_until <= now


def _smallest(spans):
    spans = [s for s in spans if s is not None]
    return min(spans) if spans else None
