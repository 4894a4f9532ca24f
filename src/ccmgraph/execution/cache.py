"""The one cache of answers: least recently used entries, bounded in bytes (and in number). The
engine keeps query answers in one (keyed on the graph version and the request), the endpoint's
fast path finished HTTP responses (ccmgraph.web.sparql_fastpath)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRUCache(Generic[K, V]):
    """At most ``capacity`` bytes (as the caller counts them) in at most ``max_entries`` entries;
    an entry over ``entry_max`` bytes is not kept."""

    def __init__(self, capacity: int, entry_max: int, max_entries: int | None = None) -> None:
        self.capacity = capacity
        self.entry_max = entry_max
        self.max_entries = max_entries
        self.size = 0
        self.hits = 0
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: K) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry[0]

    def put(self, key: K, value: V, size: int) -> None:
        if size > self.entry_max or size > self.capacity or key in self._entries:
            return
        self._entries[key] = (value, size)
        self.size += size
        while self.size > self.capacity or (self.max_entries is not None and len(self._entries) > self.max_entries):
            _, (_, old) = self._entries.popitem(last=False)
            self.size -= old

    def clear(self) -> None:
        self._entries.clear()
        self.size = 0
