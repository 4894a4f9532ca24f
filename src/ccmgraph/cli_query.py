"""The parts of ``ccmgraph query`` that are not I/O: reading the query (text or a .rq file with
its ``# param:`` header), binding ``--param name=value`` the way the API binds query-string values
(catalog.Parameter.term), and printing any answer form in any of the CLI's formats."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyoxigraph as ox

from ccmgraph import catalog, errors, files, formats
from ccmgraph.namespaces import curie
from ccmgraph.sparql.answer import Answer
from ccmgraph.store import bind_parameters

FORMATS = ("table", "csv", "json", "turtle")


class UsageError(errors.InputError):
    """A problem with what the user typed; the message says what to type instead."""


def _allowed(params: tuple[catalog.Parameter, ...]) -> str:
    if not params:
        return "it declares no parameters"
    return "allowed: " + ", ".join(
        f"{p.name} ({p.type}{'' if p.required else ', optional'}, e.g. {p.example})" for p in params
    )


def read(argument: str, params: list[str]) -> str:
    """The query text to run, with ``params`` (``name=value``) bound as RDF terms."""
    if not argument.endswith(".rq"):
        if params:
            raise UsageError("--param needs a named query file (.rq) that declares parameters with '# param:'")
        return argument
    path = Path(argument)
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    text = files.decode(path, path.read_bytes()).removeprefix("\ufeff")  # a BOM, as some editors save
    declared: tuple[catalog.Parameter, ...] = ()
    if any(line.startswith(("# title:", "# param:")) for line in text.splitlines()):
        try:
            named = catalog.read_query(path)
        except catalog.CatalogError as exc:
            raise UsageError(str(exc)) from None
        text, declared = named.sparql, named.parameters
    values: dict[str, str] = {}
    names = {p.name for p in declared}
    for item in params:
        name, eq, value = item.partition("=")
        if not eq or not name:
            raise UsageError(f"--param {item!r}: write name=value; {path} {_allowed(declared)}")
        if name not in names:
            raise UsageError(f"--param {name!r}: {path} has no parameter {name!r}; {_allowed(declared)}")
        values[name] = value
    missing = [p for p in declared if p.required and p.name not in values]
    if missing:
        raise UsageError(
            f"{path} needs " + " ".join(f"--param {p.name}={p.example}" for p in missing) + f" ({_allowed(declared)})"
        )
    try:
        return bind_parameters(text, catalog.NamedQuery(path.stem, "", "", text, path, declared).bindings(values))
    except catalog.ParameterError as exc:
        raise UsageError(f"{exc}; {_allowed(declared)}") from None


def media_type(form: str | None, fmt: str) -> str:
    """What to ask the store for: a graph for CONSTRUCT/DESCRIBE, results JSON otherwise."""
    if form in ("construct", "describe"):
        return (formats.TURTLE if fmt == "turtle" else formats.N_TRIPLES).media_type
    if fmt == "turtle":
        raise UsageError(
            "--format turtle is for CONSTRUCT and DESCRIBE; a SELECT or ASK answer is a table, csv or json"
        )
    return formats.SPARQL_JSON.media_type


def short(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    """A term as a person reads it in a table: prefixed names, literal values."""
    if isinstance(term, ox.NamedNode):
        return curie(term.value, keep_ids=True) or f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def table(rows: list[dict[str, object]]) -> str:
    if not rows:
        return "(no rows)"
    cols = list(rows[0])
    cells = [[("" if r[c] is None else str(r[c])) for c in cols] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    line = "  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True))
    sep = "  ".join("-" * w for w in widths)
    body = ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join([line, sep, *body, f"({len(rows)} rows)"])


def _csv(rows: list[dict[str, object]], names: list[str]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=names, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().rstrip("\n")


def as_text(answer: Answer, fmt: str) -> str:
    """The answer as the CLI prints it (without the final newline)."""
    if answer.form == "graph":
        if fmt == "turtle":
            return answer.body.decode().rstrip("\n")
        triples = sorted(ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES), key=str)
        full: list[dict[str, object]] = [
            {"subject": t.subject.value, "predicate": t.predicate.value, "object": t.object.value} for t in triples
        ]
        if fmt == "json":
            return json.dumps(full, indent=1, ensure_ascii=False)
        if fmt == "csv":
            return _csv(full, ["subject", "predicate", "object"])
        return table(
            [{"subject": short(t.subject), "predicate": short(t.predicate), "object": short(t.object)} for t in triples]
        )
    data = json.loads(answer.body)
    if "boolean" in data:
        if fmt == "json":
            return answer.body.decode()  # the SPARQL 1.1 JSON results document
        if fmt == "csv":
            return "boolean\n" + ("true" if data["boolean"] else "false")
        return "yes" if data["boolean"] else "no"
    names = data["head"]["vars"]
    rows = [{n: b.get(n, {}).get("value") for n in names} for b in data["results"]["bindings"]]
    if fmt == "json":
        return json.dumps(rows, indent=1, ensure_ascii=False)
    if fmt == "csv":
        return _csv(rows, names)
    return table(rows)
