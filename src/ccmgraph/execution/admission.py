"""Who may start a query now: fairness between the SPARQL endpoint's clients.

A query that no cache answers holds an engine worker (or a request to a remote store) for up to
the time limit. So that one client cannot take them all (a dozen runaway queries at once), each
client may have at most ``per_client`` such queries running at once, as the Wikidata Query
Service throttles: one more is answered 429 at once, and the other clients' queries still find
a worker. So that a crowd cannot queue without end, at most ``total`` queries run or wait at once
in all: one more is answered 503 at once. Both answers say when to come back (``Retry-After``):
when the oldest query in the way reaches the time limit at the latest.

A client is what the HTTP layer names it (its remote address, or a header that a proxy in front
sets: ``ccmgraph.web.deps.client_of``). Answers from a cache take no slot. The counts live on the
event loop's thread, so they need no lock.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager

from ccmgraph import errors
from ccmgraph.execution.workers import EngineUnavailable


class Admission:
    """The slots of running queries: ``per_client`` per client (0: no limit), ``total`` in all.

    ``time_limit``: seconds a query may run, after which its slot is free whatever it does."""

    def __init__(self, per_client: int, total: int, time_limit: float) -> None:
        self.per_client = per_client
        self.total = max(1, total)
        self.time_limit = time_limit
        self._started: dict[str, list[float]] = {}  # client -> start times of its running queries
        self._running = 0
        self.refused = {429: 0, 503: 0}

    def running(self, client: str | None = None) -> int:
        """Queries running now: one client's, or everyone's."""
        return self._running if client is None else len(self._started.get(client, ()))

    @contextmanager
    def admit(self, client: str) -> Iterator[None]:
        """Hold a slot for one query of ``client`` while the block runs; refused with
        ``errors.TooManyRequests`` (the client's limit) or ``EngineUnavailable`` (every slot taken)."""
        mine = self._started.setdefault(client, [])
        if self.per_client and len(mine) >= self.per_client:
            self.refused[429] += 1
            raise errors.TooManyRequests(
                f"Too many queries: this client has {len(mine)} queries running, the most this endpoint "
                f"runs at once for one client; send the next one when one of them has been answered "
                f"(each stops after {self.time_limit:g} s at the latest).",
                self._retry_after(mine),
            )
        if self._running >= self.total:
            if not mine:
                del self._started[client]
            self.refused[503] += 1
            oldest = [min(times) for times in self._started.values() if times]
            raise EngineUnavailable(
                f"the endpoint is running {self._running} queries, as many as it takes at once; try again shortly",
                self._retry_after(oldest),
            )
        start = time.monotonic()
        mine.append(start)
        self._running += 1
        try:
            yield
        finally:
            self._running -= 1
            mine.remove(start)
            if not mine:
                del self._started[client]

    def _retry_after(self, starts: list[float]) -> float:
        """Seconds until the earliest of these queries has reached the time limit (at least 1)."""
        if not starts:
            return 1.0
        return max(1.0, math.ceil(min(starts) + self.time_limit - time.monotonic()))
