"""Names of the reference resources, to find them in a text: States, organisations, working
groups, meetings and Convention articles as data/reference/ (and pycountry) spell them.

States are found by label, skos:altLabel, pycountry's names and the short form of a long
name ("Lao People's Democratic Republic" -> "Lao PDR"); a word one letter off a one-word
State name ("Irak") is matched too, and said to be a guess.
"""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache, cached_property
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from ccmgraph import paths
from ccmgraph.namespaces import CCM, ID

_MINOR = {"of", "the", "and", "for", "on", "in", "to"}


@dataclass(frozen=True)
class Match:
    iri: URIRef
    start: int  # offsets in the searched string
    end: int
    written: str
    guessed: bool = False  # matched by spelling, not by a known name


@dataclass(frozen=True)
class ActionPlan:
    """An action plan as the reference data describes it (ccm:ActionPlan)."""

    iri: URIRef
    names: tuple[str, ...]  # label, abbreviation and aliases ("Lausanne Action Plan 2021-2026", "LAP")
    start: date | None  # the first and last day of its ccm:period
    end: date | None
    actions: frozenset[int]


@dataclass(frozen=True)
class _Names:
    names: tuple[str, ...]
    iris: dict[str, URIRef]


@dataclass
class ReferenceIndex:
    states: dict[str, URIRef] = field(default_factory=dict)  # lower-case name -> IRI
    orgs: dict[str, URIRef] = field(default_factory=dict)  # lower-case name -> IRI
    acronyms: dict[str, URIRef] = field(default_factory=dict)  # acronym as written -> IRI
    groups: dict[str, URIRef] = field(default_factory=dict)  # lower-case topic -> working group
    meetings: set[str] = field(default_factory=set)  # keys: 13msp, 3rc...
    meeting_dates: dict[str, str] = field(default_factory=dict)  # key -> ccm:datesAsStated
    meeting_confidence: dict[str, str] = field(default_factory=dict)  # key -> ccm:confidence
    articles: set[int] = field(default_factory=set)
    plans: list[ActionPlan] = field(default_factory=list)
    labels: dict[URIRef, str] = field(default_factory=dict)

    # ------------------------------------------------------------ finding

    @staticmethod
    def _find_names(text: str, names: dict[str, URIRef], flags: int = re.IGNORECASE) -> list[Match]:
        """Each name found, longest first where names overlap: one pass of one expression."""
        pattern, key_of = _alternation(tuple(names), flags)
        found: list[Match] = []
        if pattern is None:
            return found
        for m in pattern.finditer(text):
            written = " ".join(m.group(0).split())
            found.append(
                Match(
                    names[key_of[written.lower() if flags & re.IGNORECASE else written]], m.start(), m.end(), m.group(0)
                )
            )
        return found

    def find_states(self, text: str, guess: bool = False) -> list[Match]:
        found = self._find_names(text, self.states)
        return sorted(found + self.guess_states(text, found) if guess else found, key=lambda f: f.start)

    def guess_states(self, text: str, found: list[Match]) -> list[Match]:
        """Capitalised words of ``text`` one letter off a one-word State name ("Irak"), outside
        the names ``found`` there already."""
        single = self._single_word_states
        guesses = []
        for m in re.finditer(r"\b[A-Z][a-z]{3,}\b", text):
            if any(f.start <= m.start() < f.end for f in found):
                continue
            word = m.group(0).lower()
            close = _close(word, single.names)
            if close and close[0][0] == word[0] and abs(len(close[0]) - len(word)) <= 1:
                guesses.append(Match(single.iris[close[0]], m.start(), m.end(), m.group(0), guessed=True))
        return guesses

    @cached_property
    def _single_word_states(self) -> _Names:
        """One-word State names of four letters or more, for guesses by spelling (built once:
        ``find_states`` runs on every element)."""
        iris = {n: iri for n, iri in self.states.items() if " " not in n and len(n) >= 4}
        return _Names(tuple(iris), iris)

    def find_orgs(self, text: str) -> list[Match]:
        found = self._find_names(text, self.orgs)
        for m in self._find_names(text, self.acronyms, flags=0):
            if not any(f.start <= m.start < f.end or m.start <= f.start < m.end for f in found):
                found.append(m)
        return sorted(found, key=lambda f: f.start)

    def find_groups(self, text: str) -> list[Match]:
        return self._find_names(text, self.groups)


@cache
def _alternation(names: tuple[str, ...], flags: int) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """One expression for all ``names`` (longest first, so the longest name at a place wins)
    and the name each match stands for, by its words as written (one space between them)."""
    if not names:
        return None, {}
    ordered = sorted(names, key=len, reverse=True)
    words = {n: " ".join(n.split()) for n in ordered}
    key_of = {(w.lower() if flags & re.IGNORECASE else w): n for n, w in reversed(words.items())}
    body = "|".join(r"\s+".join(re.escape(w) for w in n.split()) for n in ordered)
    return re.compile(r"(?<![\w-])(?:" + body + r")(?![\w-])", flags), key_of


@cache
def _close(word: str, names: tuple[str, ...]) -> list[str]:
    return difflib.get_close_matches(word, list(names), n=1, cutoff=0.75)


def _short_forms(name: str) -> set[str]:
    """'Lao People's Democratic Republic' -> {'Lao PDR'}: first word and the initials of the rest."""
    words = name.replace("'s", "").split()
    if len(words) < 4:
        return set()
    initials = "".join(w[0].upper() for w in words[1:] if w.lower() not in _MINOR)
    return {f"{words[0]} {initials}"} if len(initials) >= 2 else set()


def load() -> ReferenceIndex:
    """The index of data/reference/ (read once per process and folder)."""
    return _load(paths.REFERENCE)


@cache
def _load(reference: Path) -> ReferenceIndex:
    import pycountry

    g = Graph()
    for path in sorted(reference.glob("*.ttl")):
        g.parse(path, format="turtle")
    index = ReferenceIndex()
    for s, label in g.subject_objects(RDFS.label):
        index.labels[URIRef(str(s))] = str(label)
    for state in g.subjects(RDF.type, CCM.State):
        names = {str(o) for p in (RDFS.label, SKOS.altLabel, SKOS.prefLabel) for o in g.objects(state, p)}
        code = str(g.value(state, CCM.iso3166Alpha3) or "")
        country = pycountry.countries.get(alpha_3=code) if code else None
        if country is not None:
            names |= {getattr(country, a) for a in ("name", "official_name", "common_name") if hasattr(country, a)}
        for name in set(names):
            names |= _short_forms(name)
            if "," in name:  # "Congo, The Democratic Republic of the" -> also "The Democratic Republic of the Congo"
                head, _, tail = name.partition(", ")
                names.add(f"{tail} {head}")
        for name in names:
            index.states[name.lower()] = URIRef(str(state))
    for org in g.subjects(RDF.type, CCM.Organization):
        for p in (RDFS.label, SKOS.altLabel, SKOS.prefLabel, CCM.alias):
            for o in g.objects(org, p):
                index.orgs[str(o).lower()] = URIRef(str(org))
        for o in g.objects(org, CCM.acronym):
            index.acronyms[str(o)] = URIRef(str(org))
    acronyms = reference / "csv" / "acronyms.csv"
    if acronyms.exists():
        with acronyms.open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                by_name = index.orgs.get(row["expansion"].lower())
                if by_name is not None:
                    index.acronyms.setdefault(row["acronym"], by_name)
    for group in g.subjects(RDF.type, CCM.WorkingGroup):
        name = str(g.value(group, RDFS.label) or "")
        topic = re.sub(r"^(?:Informal )?(?:Working Group|Coordinators?) on ", "", name)
        if topic != name and "informal" not in name.lower():
            index.groups[topic.lower()] = URIRef(str(group))
        index.groups[name.lower()] = URIRef(str(group))
    for meeting in g.subjects(RDF.type, None):
        if str(meeting).startswith(f"{ID}meeting/"):
            key = str(meeting).rsplit("/", 1)[-1]
            index.meetings.add(key)
            for stated in g.objects(meeting, CCM.datesAsStated):
                index.meeting_dates[key] = str(stated)
            for confidence in g.objects(meeting, CCM.confidence):
                index.meeting_confidence[key] = str(confidence)
    for article in g.subjects(RDF.type, CCM.ConventionArticle):
        number = g.value(article, CCM.articleNumber)
        if number is not None:
            index.articles.add(int(str(number)))
    index.plans = plans_of(g)
    return index


def plans_of(g: Graph) -> list[ActionPlan]:
    """The action plans of a graph with their names, years and action numbers; a label without
    its years is a name too ("Lausanne Action Plan"), unless no more than "Action Plan" is left."""
    from ccmgraph.pipeline.periods import PERIOD_PREFIX, bounds

    plans = []
    for plan in sorted(g.subjects(RDF.type, CCM.ActionPlan), key=str):
        label = str(g.value(plan, RDFS.label) or "")
        short = re.sub(r"\s*\d{4}\s*[-–]\s*\d{4}$", "", label)
        names = [label] + ([short] if short.lower() not in ("action plan", "the action plan") else [])
        names += [str(o) for p in (CCM.acronym, CCM.alias, SKOS.altLabel) for o in g.objects(plan, p)]
        period = g.value(plan, CCM.period)
        start = end = None
        if period is not None:
            start, end, _ = bounds(str(period)[len(PERIOD_PREFIX) :])
        actions = frozenset(
            int(str(n)) for a in g.subjects(CCM.actionPlan, plan) for n in g.objects(a, CCM.actionNumber)
        )
        plans.append(ActionPlan(URIRef(str(plan)), tuple(dict.fromkeys(n for n in names if n)), start, end, actions))
    return plans
