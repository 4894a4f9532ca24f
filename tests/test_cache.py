"""ccmgraph.execution.cache: the one answer cache (the engine's and the fast path's)."""

from ccmgraph.execution.cache import LRUCache


def test_least_recently_used_goes_first_when_the_bytes_run_out():
    cache: LRUCache[str, str] = LRUCache(capacity=10, entry_max=10)
    cache.put("a", "A", 4)
    cache.put("b", "B", 4)
    assert cache.get("a") == "A"  # a is now the most recently used
    cache.put("c", "C", 4)  # 12 bytes > 10: b goes, not a
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == ("A", None, "C")
    assert cache.size == 8 and cache.hits == 3


def test_bounds_on_an_entry_and_on_the_number_of_entries():
    cache: LRUCache[int, int] = LRUCache(capacity=100, entry_max=5, max_entries=2)
    cache.put(1, 1, 6)  # larger than an entry may be: not kept
    assert cache.get(1) is None and len(cache) == 0
    for key in (2, 3, 4):
        cache.put(key, key, 1)
    assert len(cache) == 2 and cache.get(2) is None and cache.size == 2
    cache.clear()
    assert len(cache) == 0 and cache.size == 0
