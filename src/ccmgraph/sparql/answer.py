"""The serialized answer to a query, whoever evaluated it (an embedded or remote store, a worker)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Answer:
    """A serialized query answer (from a store, or from the SPARQL endpoint's engine)."""

    form: str  # "select", "ask" or "graph"
    media_type: str
    body: bytes
    encoding: str | None = None  # "gzip" when the body is compressed
    truncated: str | None = None  # None, or why the answer was cut at a limit ("rows" or "bytes")
    rows: int | None = None  # rows or triples sent, when counted
    engine_ms: float = 0.0
