"""The named queries in queries/*.rq: competency questions and the API's canned queries.

Each file starts with a comment header::

    # title: Activities serving a LAP action
    # description: Every work plan element serving the action, with the basis of the link
    #   and the quote that states it.
    # param: action integer 10 -- LAP action number (1-50)
    # param: basis (stated|objective|workplan|curator)=workplan -- the weakest basis counted

followed by the SPARQL text. A parameter is written ``name type example``; ``type?`` makes it
optional (unbound when not given), ``type=default`` optional with a default (also its example);
a type written ``(a|b|c)`` is a string that must be one of those values.

Parameters are bound as RDF terms in a VALUES block written by the engine's own serializer
(ccmgraph.store.bind_parameters), never pasted into the query text. Put a ``# @bindings`` line first
inside the WHERE clause: the values then join before the rest of the pattern (FILTERs see
them, and the engine starts from them instead of scanning).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from ccmgraph import errors, paths

XSD = "http://www.w3.org/2001/XMLSchema#"
TYPES = ("integer", "decimal", "string", "date", "iri")


class CatalogError(errors.DataError):
    """A malformed query file; the message names the file and line."""


# a parameter value of the wrong type, a required one missing, or one not allowed: the message names it
ParameterError = errors.InvalidParameter


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    example: str
    description: str
    required: bool = True
    allowed: tuple[str, ...] = ()  # the only values a string parameter takes, if it is an enumeration
    default: str | None = None  # bound when the parameter is not given

    def term(self, raw: str) -> ox.NamedNode | ox.Literal:
        """The RDF term for a raw string value, or ParameterError."""
        if self.allowed and raw not in self.allowed:
            raise ParameterError(self.name, f"unknown value {raw!r}", self.allowed)
        try:
            if self.type == "integer":
                return ox.Literal(str(int(raw)), datatype=ox.NamedNode(XSD + "integer"))
            if self.type == "decimal":
                return ox.Literal(str(float(raw)), datatype=ox.NamedNode(XSD + "decimal"))
            if self.type == "date":
                return ox.Literal(date.fromisoformat(raw).isoformat(), datatype=ox.NamedNode(XSD + "date"))
            if self.type == "iri":
                if not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", raw):
                    raise ValueError("not an absolute http(s) IRI")
                return ox.NamedNode(raw)
            return ox.Literal(raw)
        except ValueError as exc:
            raise ParameterError(self.name, f"expected {self.type}, got {raw!r} ({exc})") from None


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    sparql: str
    path: Path
    parameters: tuple[Parameter, ...] = field(default_factory=tuple)

    @property
    def concatenations(self) -> dict[str, str]:
        """The variables the query binds by GROUP_CONCAT, with their separators: SPARQL leaves the
        order of the parts to the engine, so whoever wants the same answer from every engine puts
        them in an order of its own (ccmgraph.analysis.service.run_named_query)."""
        return {m["var"]: m["separator"] for m in _GROUP_CONCAT.finditer(self.sparql)}

    def text(self, *, ordered: bool = True, columns: Sequence[str] | None = None) -> str:
        """The query as a caller asks it. ``ordered=False``: without its closing ORDER BY (kept when
        a LIMIT or OFFSET follows it, which needs the order), the same rows in the engine's order for
        a caller that groups or sorts them itself: Oxigraph sorts with the terms it reads from the
        store, 1.5 of lap-review-agents' 2.8 s at a million quads on disk. ``columns``: only those of
        its SELECT's columns, the same rows with fewer terms in each, for a caller that has the others
        already: a remote store writes every term (lap-review-actions over Virtuoso at a million
        quads, 7.1 s for its 22 columns, 4.0-4.9 s for the 17 the LAP review reads). ValueError for a
        column the query does not select, for a query selecting DISTINCT or REDUCED rows, which fewer
        columns would merge, and for leaving out an expression's column the query reads after (an
        aggregate its ORDER BY sorts by)."""
        text = self.sparql if ordered else _CLOSING_ORDER_BY.sub("", self.sparql)
        return text if columns is None else _narrowed(text, columns, self.name)

    def bindings(self, values: Mapping[str, str]) -> dict[str, ox.NamedNode | ox.Literal]:
        """The parameters' terms from raw ``values``: ParameterError for a key that is not a
        parameter, a value of the wrong type, or a required parameter missing."""
        declared = [p.name for p in self.parameters]
        for key in values:
            if key not in declared:
                raise ParameterError(key, f"query {self.name} has no such parameter", declared)
        out = {}
        for p in self.parameters:
            if p.name in values and values[p.name] != "":
                out[p.name] = p.term(values[p.name])
            elif p.default is not None:
                out[p.name] = p.term(p.default)
            elif p.required:
                raise ParameterError(p.name, "is required")
        return out


_GROUP_CONCAT = re.compile(
    r'GROUP_CONCAT\s*\((?:[^()]|\([^()]*\))*?;\s*separator\s*=\s*"(?P<separator>[^"\\]*)"\s*\)\s*AS\s+\?(?P<var>\w+)',
    re.I,
)
# the query's own ORDER BY, written at the start of a line (a subquery's is indented), to the end
_CLOSING_ORDER_BY = re.compile(r"^ORDER BY\b(?:(?!\b(?:LIMIT|OFFSET)\b).)*\Z", re.S | re.M | re.I)
# the query's own SELECT, written at the start of a line (a subquery's is indented)
_OUTER_SELECT = re.compile(r"^SELECT\s+(?:(?P<modifier>DISTINCT|REDUCED)\s+)?", re.M | re.I)
# a column of a SELECT clause: a variable, or an expression in parentheses "(... AS ?var)"
_SELECT_ITEM = re.compile(r"\s*(?:[?$](?P<var>\w+)|(?P<open>\())")
_BOUND_AS = re.compile(r"\bAS\s+[?$](\w+)\s*\)\Z", re.I)
_PARAM = re.compile(
    r"^(?P<name>\w+)\s+(?P<type>\w+|\([\w.-]+(?:\|[\w.-]+)*\))(?:(?P<optional>\?)|=(?P<default>\S+))?"
    r"(?:\s+(?P<example>(?!--)\S+))?\s*(?:--\s*(?P<description>.*))?$"
)


def _narrowed(text: str, columns: Sequence[str], name: str) -> str:
    """``text`` selecting only ``columns`` (in the query's own order)."""
    select = _OUTER_SELECT.search(text)
    if not columns:
        raise ValueError(f"query {name}: no columns asked")
    if select is None:
        raise ValueError(f"query {name} has no SELECT at the start of a line")
    if select["modifier"]:
        raise ValueError(f"query {name} selects {select['modifier']} rows: fewer columns would merge rows")
    items, end = _select_items(text, select.end(), name)
    if unknown := [c for c in columns if c not in items]:
        raise ValueError(f"query {name} does not select {', '.join(unknown)} (it selects {', '.join(items)})")
    for var, item in items.items():
        if var not in columns and item.startswith("(") and re.search(rf"[?$]{var}\b", text[end:]):
            raise ValueError(
                f"query {name} reads ?{var} after its SELECT (its ORDER BY or HAVING): that column cannot be left out"
            )
    return text[: select.end()] + " ".join(item for var, item in items.items() if var in columns) + text[end:]


def _select_items(text: str, pos: int, name: str) -> tuple[dict[str, str], int]:
    """The columns of the SELECT clause from ``pos`` on, each one's text by its variable's name, and
    where the clause ends."""
    items: dict[str, str] = {}
    while item := _SELECT_ITEM.match(text, pos):
        if item["var"]:
            items[item["var"]], pos = text[item.start("var") - 1 : item.end()], item.end()
            continue
        depth = 0
        for pos in range(item.start("open"), len(text)):
            depth += {"(": 1, ")": -1}.get(text[pos], 0)
            if depth == 0:
                break
        pos += 1
        expression = text[item.start("open") : pos]
        if (bound := _BOUND_AS.search(expression)) is None:
            raise ValueError(f"query {name}: a column of its SELECT is not (expression AS ?name): {expression}")
        items[bound[1]] = expression
    if not items:
        raise ValueError(f"query {name} names no columns in its SELECT")
    return items, pos


def _parameter(text: str, where: str) -> Parameter:
    pm = _PARAM.match(text)
    allowed = tuple(pm["type"][1:-1].split("|")) if pm and pm["type"].startswith("(") else ()
    example = pm and (pm["example"] or pm["default"])
    if not pm or not example or not (allowed or pm["type"] in TYPES):
        raise CatalogError(
            f"{where}: param must be 'name type[?|=default] example -- description' "
            f"with type one of {', '.join(TYPES)} or (value|value...)"
        )
    p = Parameter(
        pm["name"],
        "string" if allowed else pm["type"],
        example,
        (pm["description"] or "").strip(),
        required=not (pm["optional"] or pm["default"]),
        allowed=allowed,
        default=pm["default"],
    )
    try:
        p.term(example)
    except ParameterError as exc:
        raise CatalogError(f"{where}: the example or default of {exc.message}") from None
    return p


def read_query(path: Path) -> NamedQuery:
    """The named query in a .rq file (CatalogError naming the file and line when malformed)."""
    header: dict[str, str] = {}
    params: list[Parameter] = []
    body: list[str] = []
    last = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if body or not line.startswith("#"):
            body.append(line)
            continue
        text = line[1:].strip()
        if m := re.match(r"^(title|description|param):\s*(.*)$", text):
            key, value = m[1], m[2]
            if key == "param":
                params.append(_parameter(value, f"{path}:{number}"))
                last = None
            else:
                header[key] = value
                last = key
        elif last and text:
            header[last] += " " + text
    for key in ("title", "description"):
        if key not in header:
            raise CatalogError(f"{path}:1: header lacks '# {key}:'")
    return NamedQuery(
        path.stem, header["title"], header["description"], "\n".join(body).strip() + "\n", path, tuple(params)
    )


def load(directory: Path | None = None) -> dict[str, NamedQuery]:
    directory = directory or paths.QUERIES
    return {q.name: q for q in (read_query(p) for p in sorted(directory.glob("*.rq")))}


@cache
def service_query(name: str) -> NamedQuery:
    """A query the service itself runs (queries/service/NAME.rq): statistics, the store's
    version, the query page's default query. Not listed among the named queries."""
    return read_query(paths.QUERIES / "service" / f"{name}.rq")
