"""Compile a curated work-plan file (data/workplans/*.ttl) into published triples.

Curators write shorthands (see data/README.md); this module turns them into the
public model of docs/design.md:

- ``ccm:actionList "10 and 11 A-D"`` on an alignment becomes one ``ccm:ActionAlignment``
  per action number, keeping sub-letters in ``ccm:actionAsWritten``;
- an evidence given as ``ccm:quote`` (and ``ccm:quoteContext``) becomes an ``ccm:Evidence``
  with a Web Annotation text-quote and text-position selector, offsets computed here;
- alignments stated for a work plan or an objective are inherited by the elements under it,
  with the basis saying so;
- ``ccm:hasQualifiedLink`` nodes become one ``ccm:QualifiedLink`` per statement they qualify;
- what the text's layout already says need not be written: each element is ``ccm:partOf`` the
  work plan its IRI lies under (and the plan ``ccm:has...`` it), its ``ccm:position`` among
  its kind is the order of its quotes in the text, and its ``dcterms:description`` is its
  quote (list marker dropped) when the curator writes none;
- the whitespace of notes (``ccm:curationNote``, ``rdfs:comment``, ``skos:note``) is one
  space wherever the file breaks or indents them, as it already is for quotes, so that a
  formatter may wrap them (``FREE_WHITESPACE``);
- blank nodes get stable IRIs, so the output is the same byte for byte on every build.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from ccmgraph import errors
from ccmgraph.namespaces import CCM, ID, LAP, OA, plan_action
from ccmgraph.pipeline import evidence


class AuthoringError(errors.DataError):
    """A curated file that cannot be compiled; the message names the file and line."""


@dataclass(frozen=True)
class Source:
    iri: URIRef
    path: Path
    text: str


# Predicates whose literals mean the same whatever their whitespace: a quote is matched to its
# source across any whitespace, and a note's line breaks are the file's, not the curator's words.
FREE_WHITESPACE = frozenset({CCM.quote, CCM.quoteContext, CCM.curationNote, RDFS.comment, SKOS.note})
NOTES = (CCM.curationNote, RDFS.comment, SKOS.note)


def collapse_note_whitespace(g: Graph) -> None:
    """Each run of whitespace in a note becomes one space (see ``FREE_WHITESPACE``)."""
    for s, p, o in [t for note in NOTES for t in g.triples((None, note, None))]:
        if isinstance(o, Literal) and (flat := " ".join(str(o).split())) != str(o):
            g.remove((s, p, o))
            g.add((s, p, Literal(flat, lang=o.language, datatype=o.datatype)))


# ---------------------------------------------------------------- action lists

_RANGE = re.compile(r"^(\d+)\s*(?:to|-|–)\s*(\d+)$")
_SINGLE = re.compile(r"^(\d+)(?:\s+([A-Za-z](?:\s*-\s*[A-Za-z])?))?$")


def parse_action_list(text: str, lap: bool = True) -> list[tuple[int, str | None]]:
    """The actions of an action list (the LAP's, numbered 1 to 50, unless ``lap`` is false),
    with sub-letters kept as written.

    >>> parse_action_list("4, 23 and 41")
    [(4, None), (23, None), (41, None)]
    >>> parse_action_list("1 to 3")
    [(1, None), (2, None), (3, None)]
    >>> parse_action_list("10 and 11 A-D")
    [(10, None), (11, '11 A-D')]
    """
    out: list[tuple[int, str | None]] = []
    for part in re.split(r"\s*,\s*|\s+and\s+", text.strip()):
        if not part:
            continue
        if m := _RANGE.match(part):
            lo, hi = int(m[1]), int(m[2])
            if lo > hi:
                raise ValueError(f"empty range {part!r}")
            out.extend((n, None) for n in range(lo, hi + 1))
        elif m := _SINGLE.match(part):
            out.append((int(m[1]), part if m[2] else None))
        else:
            raise ValueError(f"cannot read action reference {part!r} in {text!r}")
    for n, _ in out:
        if lap and not 1 <= n <= 50:
            raise ValueError(f"LAP action {n} is outside 1..50 in {text!r}")
    return out


# ---------------------------------------------------------------- helpers


def _line_of(path: Path, needle: str) -> int | None:
    """Line of ``path`` where ``needle`` (or its first words) is written, for error messages."""
    probe = " ".join(needle.split()[:6])
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if probe and probe in " ".join(line.split()):
            return number
    return None


def _fail(path: Path, needle: str, message: str) -> AuthoringError:
    line = _line_of(path, needle)
    where = f"{path}:{line}" if line else str(path)
    return AuthoringError(f"{where}: {message}")


def _replace(g: Graph, old: Node, new: Node) -> None:
    for p, o in list(g.predicate_objects(old)):
        g.remove((old, p, o))
        g.add((new, p, o))
    for s, p in list(g.subject_predicates(old)):
        g.remove((s, p, old))
        g.add((s, p, new))


def _key(iri: Node) -> str:
    """A readable key for an element IRI: its path below ``id/``, slashes as dashes."""
    return str(iri).removeprefix(str(ID)).replace("/", "-")


def _action_key(action: Node) -> str:
    """An action in an alignment's IRI: the LAP's by its number (``alignment/10-StatedInText``, as
    published), another plan's with the plan's key (``alignment/ap-2026-2031-1-StatedInText``)."""
    iri = str(action)
    if m := re.search(r"/action-plan/([^/]+)/action/([^/]+)$", iri):
        return f"{m[1]}-{m[2]}"
    return iri.rsplit("/", 1)[-1]


def _local(iri: Node) -> str:
    return str(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


# ---------------------------------------------------------------- steps


def expand_action_lists(g: Graph, path: Path) -> None:
    """One alignment per action of each ``ccm:actionList``: the LAP's actions, or those of the
    plan ``ccm:actionListPlan`` names (a successor: ``id:action-plan/<key>``)."""
    for node, listed in list(g.subject_objects(CCM.actionList)):
        plan = g.value(node, CCM.actionListPlan) or LAP
        try:
            actions = parse_action_list(str(listed), lap=plan == LAP)
        except ValueError as exc:
            raise _fail(path, str(listed), str(exc)) from None
        owners = list(g.subjects(CCM.hasAlignment, node))
        rest = [(p, o) for p, o in g.predicate_objects(node) if p not in (CCM.actionList, CCM.actionListPlan)]
        for owner in owners:
            g.remove((owner, CCM.hasAlignment, node))
            for number, written in actions:
                new = BNode()
                g.add((owner, CCM.hasAlignment, new))
                g.add((new, CCM.action, plan_action(URIRef(str(plan)), number)))
                if written:
                    g.add((new, CCM.actionAsWritten, Literal(written)))
                for p, o in rest:
                    g.add((new, p, o))
        g.remove((node, None, None))


def name_alignments(g: Graph, path: Path) -> None:
    """Give each alignment and continuation a readable IRI below its element."""
    for owner, node in list(g.subject_objects(CCM.hasAlignment)):
        g.add((node, RDF.type, CCM.ActionAlignment))
        if not isinstance(node, BNode):
            continue
        actions = list(g.objects(node, CCM.action))
        bases = list(g.objects(node, CCM.basis))
        if len(actions) != 1 or len(bases) != 1:
            raise _fail(
                path,
                _key(owner).rsplit("-", 1)[-1],
                f"alignment of {owner} needs exactly one ccm:action (or ccm:actionList) and one ccm:basis",
            )
        basis = str(bases[0]).rsplit("#", 1)[-1]
        _replace(g, node, URIRef(f"{owner}/alignment/{_action_key(actions[0])}-{basis}"))
    for owner, node in list(g.subject_objects(CCM.hasContinuation)):
        g.add((node, RDF.type, CCM.Continuation))
        if isinstance(node, BNode):
            earlier = g.value(node, CCM.continuedFrom)
            if earlier is None:
                raise _fail(path, "hasContinuation", f"continuation of {owner} needs ccm:continuedFrom")
            _replace(g, node, URIRef(f"{owner}/continuation/{_key(earlier)}"))


def qualify_links(g: Graph, path: Path) -> None:
    """One ``ccm:QualifiedLink`` per statement: a curated node without ``ccm:linkTarget``
    qualifies every object of its ``ccm:linkProperty`` on the subject; each statement must be
    asserted, so the direct triple and its qualification never drift apart."""
    for subject, node in list(g.subject_objects(CCM.hasQualifiedLink)):
        prop = g.value(node, CCM.linkProperty)
        if prop is None or g.value(node, CCM.basis) is None:
            raise _fail(
                path,
                _key(subject).rsplit("-", 1)[-1],
                f"qualified link of {subject} needs ccm:linkProperty and ccm:basis",
            )
        targets = list(g.objects(node, CCM.linkTarget)) or list(g.objects(subject, prop))
        if not targets:
            raise _fail(path, _key(subject).rsplit("-", 1)[-1], f"{subject} has no {prop} to qualify")
        rest = [(p, o) for p, o in g.predicate_objects(node) if p != CCM.linkTarget]
        g.remove((subject, CCM.hasQualifiedLink, node))
        g.remove((node, None, None))
        for target in targets:
            if (subject, prop, target) not in g:
                raise _fail(
                    path,
                    _key(subject).rsplit("-", 1)[-1],
                    f"qualified link {subject} {prop} {target}: the statement itself is not asserted",
                )
            key = _key(target) if str(target).startswith(str(ID)) else _local(target)
            iri = URIRef(f"{subject}/link/{_local(prop)}/{key}")
            if (subject, CCM.hasQualifiedLink, iri) in g:
                raise _fail(path, _key(subject).rsplit("-", 1)[-1], f"{subject} {prop} {target} is qualified twice")
            g.add((subject, CCM.hasQualifiedLink, iri))
            g.add((iri, RDF.type, CCM.QualifiedLink))
            g.add((iri, CCM.linkTarget, target))
            for p, o in rest:
                g.add((iri, p, o))


def resolve_evidence(g: Graph, path: Path, default: Source, sources: Mapping[URIRef, Source]) -> None:
    for node in list(g.subjects(CCM.quote, None)):
        quote = str(g.value(node, CCM.quote))
        context = g.value(node, CCM.quoteContext)
        src_iri = g.value(node, OA.hasSource)
        src = default if src_iri is None else sources.get(src_iri) if isinstance(src_iri, URIRef) else None
        if src is None:
            raise _fail(path, quote, f"evidence names an unknown source document {src_iri}")
        try:
            span = evidence.locate(src.text, quote, None if context is None else str(context))
        except evidence.QuoteError as exc:
            raise _fail(path, quote, f"{exc} (in {src.path.name})") from None
        iri = ID[f"evidence/{src.path.stem}/{span.start}-{span.end}"]
        g.remove((node, CCM.quote, None))
        g.remove((node, CCM.quoteContext, None))
        g.remove((node, OA.hasSource, None))
        _replace(g, node, iri)
        quote_sel, pos_sel = URIRef(f"{iri}/quote"), URIRef(f"{iri}/position")
        g.add((iri, RDF.type, CCM.Evidence))
        g.add((iri, OA.hasSource, src.iri))
        g.add((iri, OA.hasSelector, quote_sel))
        g.add((iri, OA.hasSelector, pos_sel))
        g.add((iri, RDFS.label, Literal(f"{src.path.stem}, characters {span.start}-{span.end}")))
        g.add((quote_sel, RDF.type, OA.TextQuoteSelector))
        g.add((quote_sel, OA.exact, Literal(span.exact)))
        g.add((quote_sel, OA.prefix, Literal(span.prefix)))
        g.add((quote_sel, OA.suffix, Literal(span.suffix)))
        g.add((pos_sel, RDF.type, OA.TextPositionSelector))
        g.add((pos_sel, OA.start, Literal(span.start, datatype=XSD.nonNegativeInteger)))
        g.add((pos_sel, OA.end, Literal(span.end, datatype=XSD.nonNegativeInteger)))


_UNDER = (CCM.contributesTo, CCM.subActivityOf)


def _judged(g: Graph, child: Node, prop: Node, parent: Node) -> bool:
    """True when the curator judged the link ``child prop parent`` (its ccm:QualifiedLink says so)."""
    return any(
        g.value(q, CCM.basis) == CCM.CuratorJudgement
        for q in g.objects(child, CCM.hasQualifiedLink)
        if g.value(q, CCM.linkProperty) == prop and g.value(q, CCM.linkTarget) == parent
    )


def _descendants(g: Graph, roots: Iterable[Node]) -> dict[Node, bool]:
    """The elements under ``roots``, each with True when every path to it crosses a link the
    curator judged: an action stated for a parent reaches it only by that judgement."""
    best: dict[Node, bool] = {}
    todo = [(root, False) for root in roots]
    while todo:
        node, judged = todo.pop()
        for prop in _UNDER:
            for child in g.subjects(prop, node):
                via = judged or _judged(g, child, prop, node)
                if child not in best or (best[child] and not via):
                    best[child] = via
                    todo.append((child, via))
    return best


_PLAN_PARTS = (CCM.hasObjective, CCM.hasActivity, CCM.hasExpectedOutput, CCM.hasOutcome)


def inherit_alignments(g: Graph) -> None:
    """Materialise inherited alignments: a work plan's go to its objectives, activities,
    outputs and outcomes (or to those named by ``ccm:appliesTo``) and what lies under them;
    an element's go to the elements that contribute to it or are parts of it. An element reached
    only through a link the curator judged inherits with basis ``ccm:CuratorJudgement``."""
    stated = [
        (o, a)
        for o, a in g.subject_objects(CCM.hasAlignment)
        if g.value(a, CCM.basis) in (CCM.StatedInText, CCM.InheritedFromWorkPlan)
    ]
    for owner, alignment in stated:
        basis = g.value(alignment, CCM.basis)
        if (owner, RDF.type, CCM.WorkPlan) in g:
            roots = list(g.objects(alignment, CCM.appliesTo)) or [e for p in _PLAN_PARTS for e in g.objects(owner, p)]
            targets = _descendants(g, roots) | dict.fromkeys(roots, False)
            inherited = CCM.InheritedFromWorkPlan
        else:
            targets = _descendants(g, [owner])
            # ``stated`` holds only these two bases
            inherited = CCM.InheritedFromObjective if basis == CCM.StatedInText else CCM.InheritedFromWorkPlan
        action = g.value(alignment, CCM.action)
        if action is None:  # nothing to inherit: the shapes report the alignment without its action
            continue
        for target, judged in targets.items():
            new_basis = CCM.CuratorJudgement if judged else inherited
            new = URIRef(f"{target}/alignment/{_action_key(action)}-{new_basis.rsplit('#', 1)[-1]}")
            if (target, CCM.hasAlignment, new) in g:
                continue
            g.add((target, CCM.hasAlignment, new))
            g.add((new, RDF.type, CCM.ActionAlignment))
            g.add((new, CCM.action, action))
            g.add((new, CCM.basis, new_basis))
            g.add((new, CCM.inheritedFrom, alignment))
            for ev in g.objects(alignment, CCM.evidence):
                g.add((new, CCM.evidence, ev))
            if written := g.value(alignment, CCM.actionAsWritten):
                g.add((new, CCM.actionAsWritten, written))


def mark_text_based(g: Graph) -> None:
    """Say which qualified links rest on the text: ``ccm:hasTextBasedAlignment`` beside every
    alignment whose basis is not curator judgement alone, ``ccm:hasStatedContinuation`` beside
    every continuation the text states. The ontology derives the simple shortcuts from these only
    (ccm:servesAction, ccm:revises), so a shortcut means what the analyst API's default basis
    means; OWL 2 RL cannot test a basis itself, so the build names the text-based ones."""
    for owner, alignment in list(g.subject_objects(CCM.hasAlignment)):
        if g.value(alignment, CCM.basis) != CCM.CuratorJudgement:
            g.add((owner, CCM.hasTextBasedAlignment, alignment))
    for element, continuation in list(g.subject_objects(CCM.hasContinuation)):
        if g.value(continuation, CCM.basis) == CCM.StatedInText:
            g.add((element, CCM.hasStatedContinuation, continuation))


# the link from the plan to an element of each class
LINKS: dict[URIRef, URIRef] = {
    CCM.Objective: CCM.hasObjective,
    CCM.Track: CCM.hasActivity,
    CCM.Activity: CCM.hasActivity,
    CCM.ExpectedOutput: CCM.hasExpectedOutput,
    CCM.Outcome: CCM.hasOutcome,
    CCM.TimelineEntry: CCM.hasTimelineEntry,
    CCM.Budget: CCM.hasBudget,
}
_MARKER = re.compile(r"^(?:[-•▪*]|\(?\d{1,2}[.)]|\(?[a-zA-Z][)/]|\([a-zA-Z]\))\s+")


def _elements(g: Graph) -> dict[URIRef, Node]:
    """Each typed resource whose IRI is ``<plan>/<kind>/<key>`` -> its plan (qualified links aside)."""
    links = set(g.subjects(RDF.type, CCM.ActionAlignment)) | set(g.subjects(RDF.type, CCM.Continuation))
    out: dict[URIRef, Node] = {}
    for plan in g.subjects(RDF.type, CCM.WorkPlan):
        base = f"{plan}/"
        for s in set(g.subjects(RDF.type, None)):
            if (
                isinstance(s, URIRef)
                and s not in links
                and str(s).startswith(base)
                and str(s)[len(base) :].count("/") == 1
            ):
                out[s] = plan
    return out


def derive_structure(g: Graph) -> None:
    """``ccm:partOf`` from the IRI, and the plan's ``ccm:has...`` link, where not written."""
    for element, plan in _elements(g).items():
        if g.value(element, CCM.partOf) is None:
            g.add((element, CCM.partOf, plan))
        for cls in g.objects(element, RDF.type):
            if isinstance(cls, URIRef) and cls in LINKS:
                for owner in g.objects(element, CCM.partOf):
                    g.add((owner, LINKS[cls], element))


def _own_quotes(g: Graph, element: Node, source: URIRef) -> list[tuple[int, Node]]:
    """(offset, evidence) of the element's quotes in its own document, first first; those
    backing a particular statement (``ccm:forProperty``) only when it has no other."""
    found: dict[bool, list[tuple[int, Node]]] = {True: [], False: []}
    for ev in g.objects(element, CCM.evidence):
        if g.value(ev, OA.hasSource) != source:
            continue
        start = g.value(URIRef(f"{ev}/position"), OA.start)
        if isinstance(start, Literal):
            found[g.value(ev, CCM.forProperty) is None].append((int(start), ev))
    return sorted(found[True] or found[False], key=lambda pair: (pair[0], str(pair[1])))


def derive_positions(g: Graph, source: URIRef) -> None:
    """Document order among each kind, from the quotes' offsets, for kinds nobody numbered."""
    by_kind: dict[str, list[URIRef]] = {}
    for element, plan in _elements(g).items():  # the kind is the IRI's: <plan>/<kind>/<key>
        by_kind.setdefault(str(element)[len(str(plan)) + 1 :].split("/")[0], []).append(element)
    for members in by_kind.values():
        if any(g.value(e, CCM.position) is not None for e in members):
            continue
        firsts = {e: (q[0][0], str(e)) if (q := _own_quotes(g, e, source)) else (1 << 62, str(e)) for e in members}
        for rank, element in enumerate(sorted(members, key=firsts.__getitem__), 1):
            g.add((element, CCM.position, Literal(rank)))


def derive_descriptions(g: Graph, source: URIRef) -> None:
    """An element with no dcterms:description is described by its first quote, list marker dropped."""
    for element in _elements(g):
        if g.value(element, DCTERMS.description) is not None:
            continue
        quotes = _own_quotes(g, element, source)
        exact = g.value(URIRef(f"{quotes[0][1]}/quote"), OA.exact) if quotes else None
        if exact is not None:
            text = _MARKER.sub("", " ".join(str(exact).split()), count=1)
            g.add((element, DCTERMS.description, Literal(text, lang="en")))


def skolemize_rest(g: Graph) -> None:
    """Name any remaining blank node by a hash of its description (stable across builds)."""
    for node in sorted({n for n in g.subjects() if isinstance(n, BNode)}, key=str):
        if node not in set(g.subjects()):
            continue
        desc = sorted(f"{p.n3()} {o.n3() if not isinstance(o, BNode) else '_'}" for p, o in g.predicate_objects(node))
        parents = sorted(f"{s.n3()} {p.n3()}" for s, p in g.subject_predicates(node))
        digest = hashlib.sha1("\n".join(parents + desc).encode()).hexdigest()[:12]
        _replace(g, node, ID[f"node/{digest}"])


def compile_workplan(g: Graph, path: Path, default: Source, sources: Mapping[URIRef, Source]) -> Graph:
    """Apply every step to a parsed curated file, in place, and return it."""
    collapse_note_whitespace(g)
    expand_action_lists(g, path)
    name_alignments(g, path)
    qualify_links(g, path)
    resolve_evidence(g, path, default, sources)
    derive_structure(g)
    derive_positions(g, default.iri)
    derive_descriptions(g, default.iri)
    inherit_alignments(g)
    mark_text_based(g)
    skolemize_rest(g)
    return g
