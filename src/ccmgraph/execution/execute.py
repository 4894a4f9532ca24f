"""Run one query on a pyoxigraph store and serialize the answer within row and byte limits.

This is the engine work a worker process does (see ccmgraph.execution.workers); it never runs in the
web server's process. An answer larger than the limits is cut at a whole row (or triple) and
says so (``truncated``), so that the client gets a valid document and a clear signal.

The common case stays in Rust: the solutions are serialized by Oxigraph into a buffer that
refuses to grow past the byte limit, and the rows are counted on the bytes (an upper bound).
Only an answer over a limit is serialized again, row by row, to cut it at the limit.

An answer a remote store serialized is held to the same limits by :func:`cap`.
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox
from lxml import etree

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

from ccmgraph import errors, formats
from ccmgraph.sparql.answer import Answer
from ccmgraph.sparql.syntax import PREDECLARED, check_nesting, explain
from ccmgraph.store import RESULTS_NS, IncompleteAnswer, prepare, written, xml_results

_PREFIXED = {ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML}
# bytes of each results format per byte of SPARQL JSON, to cut an oversized answer in one pass
_SIZE_FACTOR = {
    ox.QueryResultsFormat.JSON: 1.0,
    ox.QueryResultsFormat.XML: 1.6,
    ox.QueryResultsFormat.CSV: 0.6,
    ox.QueryResultsFormat.TSV: 0.6,
}
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
GZIP_MIN_BYTES = 1024


class FormNotAcceptable(errors.NotAcceptable):
    """The client accepts no format for this form of answer (``form``: select, ask or graph)."""

    def __init__(self, form: str) -> None:
        super().__init__(
            f"Not acceptable: no format you accept fits this {form.upper()} answer; {formats.supported_message(form)}"
        )
        self.form = form

    def __reduce__(self) -> tuple[type, tuple[str]]:
        return FormNotAcceptable, (self.form,)


@dataclass(frozen=True)
class Limits:
    max_rows: int = 100_000
    max_bytes: int = 64 * 1024 * 1024


class _ByteLimit(Exception):
    pass


class _CappedBuffer(io.BytesIO):
    """A binary sink for Oxigraph's serializers that refuses to grow past ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def write(self, data: ReadableBuffer, /) -> int:
        if self.tell() + memoryview(data).nbytes > self.limit:
            raise _ByteLimit()
        return super().write(data)


def _row_upper_bound(body: bytes, fmt: ox.QueryResultsFormat) -> int:
    """At least the number of rows in a serialized answer (exact unless literals mimic syntax)."""
    if fmt == ox.QueryResultsFormat.JSON:
        return body.count(b"[{") + body.count(b"},{")
    if fmt == ox.QueryResultsFormat.XML:
        return body.count(b"<result>")
    return max(body.count(b"\n") - 1, 0)


def _term_json(term: object) -> dict[str, object]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        cell: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            cell["xml:lang"] = term.language
            direction = getattr(term, "direction", None)
            if direction is not None:
                cell["its:dir"] = str(direction.value if hasattr(direction, "value") else direction).lower()
        elif term.datatype.value != XSD_STRING:
            cell["datatype"] = term.datatype.value
        return cell
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _term_json(term.subject),
                "predicate": _term_json(term.predicate),
                "object": _term_json(term.object),
            },
        }
    raise TypeError(f"unexpected term {term!r}")


def _cut_solutions(
    solutions: ox.QuerySolutions, fmt: ox.QueryResultsFormat, limits: Limits
) -> tuple[bytes, str | None, int]:
    """Serialize at most max_rows solutions and about max_bytes; (body, why cut, rows)."""
    names = [v.value for v in solutions.variables]
    budget = limits.max_bytes / _SIZE_FACTOR[fmt]
    rows: list[dict[str, object]] = []
    size = 0
    cut = None
    for solution in solutions:
        if len(rows) >= limits.max_rows:
            cut = "rows"
            break
        row: dict[str, object] = {n: _term_json(t) for n, t in zip(names, solution, strict=False) if t is not None}
        size += len(json.dumps(row, ensure_ascii=False)) + 1
        if size > budget:
            cut = "bytes"
            break
        rows.append(row)
    while True:
        document = json.dumps({"head": {"vars": names}, "results": {"bindings": rows}}).encode()
        body = written(ox.parse_query_results(document, format=ox.QueryResultsFormat.JSON).serialize(format=fmt))
        if len(body) <= limits.max_bytes or not rows:
            return body, cut, len(rows)
        rows = rows[: int(len(rows) * limits.max_bytes / len(body) * 0.95)]
        cut = "bytes"


def _serialize_graph(triples: Sequence[ox.Triple], fmt: ox.RdfFormat, prefixes: dict[str, str]) -> bytes:
    if fmt in _PREFIXED:
        return written(ox.serialize(triples, format=fmt, prefixes=prefixes))
    return written(ox.serialize(triples, format=fmt))


def _cut_triples(
    triples: list[ox.Triple], fmt: ox.RdfFormat, limits: Limits, prefixes: dict[str, str]
) -> tuple[bytes, str | None, int]:
    """Serialize at most max_rows triples and at most max_bytes; (body, why cut, triples)."""
    cut = None
    if len(triples) > limits.max_rows:
        triples, cut = triples[: limits.max_rows], "rows"
    body = _serialize_graph(triples, fmt, prefixes)
    while len(body) > limits.max_bytes and triples:
        triples = triples[: int(len(triples) * limits.max_bytes / len(body) * 0.95)]
        cut = "bytes"
        body = _serialize_graph(triples, fmt, prefixes)
    return body, cut, len(triples)


def _cut_csv(body: bytes, max_rows: int) -> tuple[bytes, str | None, int]:
    """The header and the first ``max_rows`` rows of a SPARQL CSV answer (a value may hold a
    line break: the rows are read as CSV, not as lines)."""
    rows = list(itertools.islice(csv.reader(io.StringIO(body.decode("utf-8"), newline="")), max_rows + 2))
    if len(rows) <= max_rows + 1:  # the header and no more rows than the limit
        return body, None, len(rows) - 1
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows[: max_rows + 1])
    return out.getvalue().encode("utf-8"), "rows", max_rows


def _cut_tsv(body: bytes, max_rows: int) -> tuple[bytes, str | None, int]:
    """The header and the first ``max_rows`` rows of a SPARQL TSV answer, a row a line (TSV
    escapes line breaks in values), in the store's own TSV (Virtuoso quotes the header's names)."""
    lines = body.splitlines(keepends=True)
    rows = len(lines) - 1
    if rows <= max_rows:
        return body, None, max(rows, 0)
    return b"".join(lines[: max_rows + 1]), "rows", max_rows


def _cut_json(body: bytes, max_rows: int) -> tuple[bytes, str | None, int]:
    """The first ``max_rows`` rows of a SPARQL JSON answer, in the store's own JSON (Virtuoso
    writes SPARQL 1.0 JSON, which Oxigraph does not read)."""
    document = json.loads(body)
    bindings = document["results"]["bindings"]
    if len(bindings) <= max_rows:
        return body, None, len(bindings)
    document["results"]["bindings"] = bindings[:max_rows]
    return json.dumps(document, ensure_ascii=False).encode("utf-8"), "rows", max_rows


def _cut_xml(body: bytes, limits: Limits) -> tuple[bytes, str | None, int]:
    """SPARQL XML results with at most max_rows results and about max_bytes; (body, why cut, rows)."""
    root = xml_results(body)
    results = root.find(f"{RESULTS_NS}results")
    if results is None:
        raise ValueError("no <results> element")
    every = results.findall(f"{RESULTS_NS}result")
    keep, cut = min(len(every), limits.max_rows), None if len(every) <= limits.max_rows else "rows"
    while True:
        for extra in every[keep:]:
            if extra.getparent() is not None:
                results.remove(extra)
        written_body = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
        if len(written_body) <= limits.max_bytes or keep == 0:
            return written_body, cut, keep
        keep, cut = int(keep * limits.max_bytes / len(written_body) * 0.95), "bytes"


def cap(answer: Answer, limits: Limits, prefixes: dict[str, str] | None = None) -> Answer:
    """An answer serialized elsewhere (a remote store's), cut to ``limits`` as this engine cuts
    its own: at a whole row or triple, saying so (``truncated``). The bytes are the store's
    whenever nothing is cut. A graph answer is parsed (so a document cut short is found);
    IncompleteAnswer when it does not parse."""
    if answer.form == "ask" or answer.encoding:
        return answer
    body, cut, rows = answer.body, None, None
    try:
        if answer.form == "graph":
            fmt_graph = formats.graph_format(answer.media_type)
            triples = [q.triple for q in ox.parse(body, format=fmt_graph)]
            if len(triples) > limits.max_rows:
                body, cut, rows = _cut_triples(triples, fmt_graph, limits, prefixes or {})
            else:
                rows = len(triples)
        elif (fmt := formats.results_format(answer.media_type)) == ox.QueryResultsFormat.JSON:
            body, cut, rows = _cut_json(body, limits.max_rows)  # any JSON layout: read, not counted
        elif _row_upper_bound(body, fmt) > limits.max_rows:
            if fmt == ox.QueryResultsFormat.CSV:  # Oxigraph does not read CSV (it is lossy)
                body, cut, rows = _cut_csv(body, limits.max_rows)
            elif fmt == ox.QueryResultsFormat.TSV:
                body, cut, rows = _cut_tsv(body, limits.max_rows)
            else:  # XML: cut as a document, every literal as the store wrote it
                body, cut, rows = _cut_xml(body, limits)
    except (SyntaxError, ValueError, KeyError, csv.Error) as exc:  # cut short, or not what it says it is
        raise IncompleteAnswer(f"the store's answer ({answer.media_type}) does not parse: {exc}") from None
    return Answer(answer.form, answer.media_type, body, None, cut, rows, answer.engine_ms)


def execute(
    store: ox.Store,
    text: str,
    *,
    results_type: str | None,
    graph_type: str | None,
    default_graphs: Sequence[str] = (),
    named_graphs: Sequence[str] = (),
    limits: Limits = Limits(),
    compress: bool = False,
    prefixes: dict[str, str] | None = None,
) -> Answer:
    """Run ``text`` and serialize the answer in the type negotiated for its form."""
    started = time.perf_counter()
    check_nesting(text)

    def run() -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        try:
            return target.query(text, prefixes=PREDECLARED, **kwargs)
        except SyntaxError as exc:
            raise errors.QuerySyntaxError(explain(text, str(exc))) from None

    try:
        target, kwargs = prepare(store, text, default_graphs, named_graphs)
        result = run()
        cut: str | None = None
        rows: int | None = None
        if isinstance(result, ox.QueryBoolean):
            form = "ask"
            if results_type is None:
                raise FormNotAcceptable(form)
            media_type = results_type
            body = written(result.serialize(format=formats.results_format(media_type)))
        elif isinstance(result, ox.QuerySolutions):
            form = "select"
            if results_type is None:
                raise FormNotAcceptable(form)
            media_type = results_type
            fmt = formats.results_format(media_type)
            sink = _CappedBuffer(limits.max_bytes)
            try:
                result.serialize(sink, format=fmt)
                body = sink.getvalue()
                over = _row_upper_bound(body, fmt) > limits.max_rows
            except _ByteLimit:
                over = True
            if over:  # evaluate again, and cut at a whole row
                again = run()
                assert isinstance(again, ox.QuerySolutions)
                body, cut, rows = _cut_solutions(again, fmt, limits)
        else:
            form = "graph"
            if graph_type is None:
                raise FormNotAcceptable(form)
            media_type = graph_type
            fmt_graph = formats.graph_format(media_type)
            body, cut, rows = _cut_triples(
                list(itertools.islice(result, limits.max_rows + 1)), fmt_graph, limits, prefixes or {}
            )
    except (errors.QuerySyntaxError, FormNotAcceptable):
        raise
    except MemoryError:
        raise
    except (OSError, ValueError, TypeError, RuntimeError, LookupError, ArithmeticError) as exc:
        raise errors.QueryEvaluationError(str(exc) or type(exc).__name__, "query") from None
    engine_ms = (time.perf_counter() - started) * 1000
    encoding = None
    if compress and len(body) >= GZIP_MIN_BYTES:
        body, encoding = gzip.compress(body, compresslevel=5, mtime=0), "gzip"
    return Answer(form, media_type, body, encoding, cut, rows, engine_ms)
