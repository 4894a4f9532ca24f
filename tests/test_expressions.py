"""The expression recognisers (curation/expressions.py), a test per form, on the sources' own
sentences where a source writes the form, on the forms issue 17 reports otherwise."""

import doctest
from datetime import date
from pathlib import Path

import pytest

from ccmgraph.curation import expressions
from ccmgraph.curation.expressions import (
    ActionPlan,
    action_plan_of,
    action_references,
    articles,
    meetings,
    organisations,
    periods,
    states,
)
from ccmgraph.curation.reference_index import load
from ccmgraph.namespaces import ID

SOURCES = Path(__file__).resolve().parents[1] / "data" / "sources"


@pytest.fixture(scope="module")
def index():
    return load()


def source_line(stem: str, needle: str) -> str:
    """The line of a source document that contains ``needle`` (so the test quotes the source)."""
    for line in (SOURCES / f"{stem}.txt").read_text(encoding="utf-8").splitlines():
        if needle in line:
            return line
    raise AssertionError(f"{needle!r} is not in {stem}.txt")


def keys(text: str, index=None) -> list[tuple[str, str | None]]:
    return [(m.quote, m.key) for m in periods(text, index)]


def test_doctests():
    assert doctest.testmod(expressions).failed == 0


def test_offsets_are_the_quote():
    text = source_line("gso-workplan-2024-2025", "LAP Actions numbers")
    for m in [*periods(text), *action_references(text), *meetings(text)]:
        assert text[m.start : m.end] == m.quote


# ---------------------------------------------------------------- periods


def test_quarter_heading_of_a_source():
    assert keys(source_line("gso-workplan-2024-2025", "First Quarter of 2025")) == [
        ("First Quarter of 2025", "2025-Q1")
    ]


def test_month_line_head_of_a_source():
    line = source_line("universalization-workplan-2024-2025", "February 2025:")
    [m] = periods(line)
    assert (m.key, m.heading) == ("2025-02", True)


def test_year_range_of_a_source():
    line = source_line("universalization-workplan-2024-2025", "in the period 2021-2026")
    assert ("2021-2026", "2021--2026") in keys(line)


def test_timeline_line_heads_are_headings():
    text = "February 2025: launch of the consultation\nMarch 2025 - first meeting\nThe plan ends in May 2025."
    assert [(m.key, m.heading) for m in periods(text)] == [("2025-02", True), ("2025-03", True), ("2025-05", False)]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Q4 2025 - Q1 2026", "2025-Q4--2026-Q1"),
        ("Q3 2025", "2025-Q3"),
        ("April-May 2026", "2026-04--2026-05"),
        ("November 2025 – February 2026", "2025-11--2026-02"),
        ("H1 2026", "2026-H1"),
        ("second half of 2025", "2025-H2"),
        ("throughout 2026", "2026"),
        ("14 September 2026", "2026-09-14"),
        ("2026-03-05", "2026-03-05"),
        ("10-13 Sep 2024", "2024-09-10--2024-09-13"),
        ("30 Aug - 2 Sep 2022", "2022-08-30--2022-09-02"),
    ],
)
def test_period_forms(text, key):
    assert keys(f"Timing: {text}.") == [(text, key)]


def test_impossible_dates_are_not_periods():
    assert keys("31 February 2026") == [("February 2026", "2026-02")]


def test_meeting_period_from_the_reference_dates(index):
    # ccm-meetings.csv: 13MSP "16-19 Sep 2025"; the ISU plan names "the Thirteenth Meeting of States Parties"
    assert "Thirteenth Meeting of States Parties" in source_line("isu-workplan-budget-2025", "Thirteenth Meeting")
    [m] = periods("By the Thirteenth Meeting of States Parties", index)
    assert (m.key, m.meeting, m.review) == ("2025-09-16--2025-09-19", "13msp", None)


def test_meeting_period_without_dates_is_undated_and_flagged(index):
    [m] = periods("By the 14th Meeting of States Parties", index)
    assert m.quote == "By the 14th Meeting of States Parties"
    assert m.key is None and m.meeting == "14msp"
    assert m.review and "14msp" in m.review


def test_meeting_dates_of_medium_confidence_are_flagged(index):
    # ccm-meetings.csv: 3RC "14-18 Sep 2026 (Xinhua, Feb 2026)", "medium for exact dates (single press source)"
    line = source_line("gso-workplan-2024-2025", "up to the Third Review Conference")
    [m] = [p for p in periods(line, index) if p.meeting]
    assert (m.quote, m.key, m.meeting) == ("up to the Third Review Conference", "2026-09-14--2026-09-18", "3rc")
    assert m.review and "medium" in m.review


def test_meeting_dates_not_plain_are_not_read(index):
    # 2RC's stated dates begin "Part 1: held virtually in late Nov 2020": no single interval
    [m] = periods("before the Second Review Conference", index)
    assert m.key is None and m.review


# ---------------------------------------------------------------- actions


def numbers(text: str) -> list[tuple[int, str | None]]:
    return [(m.number, m.sub) for m in action_references(text)]


def test_lap_actions_numbers_of_a_source():
    line = source_line("gso-workplan-2024-2025", "LAP Actions numbers")
    assert [n for n, _ in numbers(line)] == [4, 23, 28, 29, 31, 34, 36, 39, 41]
    assert {m.plan_named for m in action_references(line)} == {"LAP"}


def test_sub_letters_as_written_in_a_source():
    line = source_line("gso-workplan-2024-2025", "actions 10 and 11 A-D")
    assert numbers(line) == [(10, None), (11, "11 A-D"), (1, None), (8, None)]


def test_lap_action_of_a_source():
    line = source_line("isu-workplan-budget-2025", "LAP Action 46")
    [m] = action_references(line)
    assert (m.number, m.plan_named, m.quote) == (46, "LAP", "LAP Action 46")


def test_actions_and_of_lap_of_a_source():
    line = source_line("universalization-workplan-2024-2025", "Actions 10 and 11 of LAP")
    assert numbers(line) == [(10, None), (11, None)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#27 and #30", [(27, None), (30, None)]),
        ("Actions 19 to 22", [(19, None), (20, None), (21, None), (22, None)]),
        ("Actions 19-22", [(19, None), (20, None), (21, None), (22, None)]),
        ("LAP action 24", [(24, None)]),
        ("Action 3(b)", [(3, "3(b)")]),
        ("Action 24\nB. Develop guidance", [(24, None)]),
        ("Action 24 A new approach", [(24, None)]),
    ],
)
def test_action_forms(text, expected):
    assert numbers(text) == expected


def test_bare_hash_is_flagged_unless_an_action_word_leads():
    assert all(m.review for m in action_references("Partners: ICRC. #27 and #30"))
    assert not any(m.review for m in action_references("LAP actions #27 and #30"))


LAP = ActionPlan(
    ID["action-plan/lap"],
    ("Lausanne Action Plan", "LAP"),
    date(2021, 9, 21),
    date(2026, 9, 18),
    frozenset(range(1, 51)),
)
NEXT = ActionPlan(
    ID["action-plan/next"], ("Next Action Plan", "NAP"), date(2026, 9, 19), date(2031, 12, 31), frozenset(range(1, 41))
)


def test_action_plan_named_near_the_reference():
    text = "Contributes to NAP action 12 and to LAP action 30."
    first, second = action_references(text)
    assert action_plan_of(text, first, [LAP, NEXT]).plan == NEXT.iri
    assert action_plan_of(text, second, [LAP, NEXT]).plan == LAP.iri


def test_action_plan_from_the_work_plan_dates():
    text = "Supports Action 12."
    [m] = action_references(text)
    choice = action_plan_of(text, m, [LAP, NEXT], (date(2027, 1, 1), date(2027, 12, 31)))
    assert (choice.plan, choice.basis, choice.review) == (NEXT.iri, "dates", None)


def test_action_plan_unknown_is_flagged():
    text = "Supports Action 12."
    [m] = action_references(text)
    choice = action_plan_of(text, m, [LAP, NEXT], (date(2026, 1, 1), date(2027, 12, 31)))
    assert choice.plan is None and choice.review


def test_action_the_named_plan_lacks_is_flagged():
    text = "NAP action 45"
    [m] = action_references(text)
    choice = action_plan_of(text, m, [LAP, NEXT])
    assert choice.plan == NEXT.iri and choice.review


# ---------------------------------------------------------------- articles


def test_articles_of_a_source():
    line = source_line("isu-workplan-budget-2025", "Article 7, including those referred to in Article 9")
    assert [m.number for m in articles(line)] == [7, 9, 3, 4]


def test_articles_list_of_a_source():
    line = source_line("isu-workplan-budget-2025", "Articles 3, 4 and 5")
    assert [m.number for m in articles(line)] == [3, 4, 5]


def test_article_abbreviated_and_unknown(index):
    found = articles("Art. 7 and Article 30", index)
    assert [(m.number, bool(m.review)) for m in found] == [(7, False), (30, True)]


# ---------------------------------------------------------------- meetings


@pytest.mark.parametrize(
    ("stem", "written", "key"),
    [
        ("gso-workplan-2024-2025", "13 MSP", "13msp"),
        ("gso-workplan-2024-2025", "13th MSP", "13msp"),
        ("gso-workplan-2024-2025", "3rd Review Conference", "3rc"),
        ("gso-concept-note-2023-2024", "11MSP", "11msp"),
        ("isu-workplan-budget-2025", "Twelfth Meeting of States Parties", "12msp"),
    ],
)
def test_meetings_of_the_sources(index, stem, written, key):
    line = source_line(stem, written)
    assert (written, key, True) in {(m.quote, m.key, m.known) for m in meetings(line, index)}


def test_meeting_the_reference_lacks_is_proposed_and_flagged(index):
    found = meetings("the Fourteenth Meeting of States Parties and the 14MSP", index)
    assert [(m.key, m.known) for m in found] == [("14msp", False), ("14msp", False)]
    assert all(m.review for m in found)


# ---------------------------------------------------------------- organisations and States


def test_organisation_full_name_and_acronym_of_a_source(index):
    line = source_line("isu-workplan-budget-2025", "(GICHD)")
    [m] = organisations(line, index)
    assert (m.iri, m.acronym, m.review) == (ID["org/gichd"], "GICHD", None)
    assert m.quote == "Geneva International Centre for Humanitarian Demining (GICHD)"


def test_organisation_by_acronym_in_a_sentence(index):
    [m] = organisations("in cooperation with the ICRC and States", index)
    assert (m.iri, m.quote) == (ID["org/icrc"], "ICRC")


def test_new_organisation_is_proposed_with_both_names(index):
    [m] = organisations("with the United Nations Development Programme (UNDP) in the lead", index)
    assert (m.iri, m.name, m.acronym) == (None, "United Nations Development Programme", "UNDP")
    assert m.review and "UNDP" in m.review


def test_organisation_spelt_differently_is_matched_and_flagged(index):
    [m] = organisations("the Geneva International Center for Humanitarian Demining (GICHD)", index)
    assert m.iri == ID["org/gichd"] and m.review


def test_treaty_meeting_and_plan_in_parentheses_are_not_organisations(index):
    for needle in ("Lausanne Action Plan (LAP)", "(3RC)"):
        line = source_line("gso-workplan-2024-2025", needle)
        assert all(m.acronym not in {"LAP", "3RC", "2RC"} for m in organisations(line, index))


def test_states_by_alias_of_a_source(index):
    line = source_line("universalization-workplan-2024-2025", "Lao PDR")
    assert ID["state/LAO"] in {m.iri for m in states(line, index)}


def test_state_misspelt_is_guessed_and_flagged(index):
    line = source_line("universalization-workplan-2024-2025", "Irak")
    [m] = [m for m in states(line, index, guess=True) if m.quote == "Irak"]
    assert m.iri == ID["state/IRQ"] and m.review


def test_action_plan_of_the_sources_from_the_reference_plans(index):
    lap = ID["lap"]
    named = source_line("universalization-workplan-2024-2025", "Actions 10 and 11 of LAP")
    assert {action_plan_of(named, m, index.plans).plan for m in action_references(named)} == {lap}
    line = source_line("gso-workplan-2024-2025", "actions 1 and 8")  # "...the Lausanne Action Plan (...)"
    assert {action_plan_of(line, m, index.plans).basis for m in action_references(line)} == {"named"}
    # a reference naming no plan, in a work plan of 2024-2025: within the LAP's years 2021-2026
    [m] = action_references("Supports actions 1.")
    choice = action_plan_of("Supports actions 1.", m, index.plans, (date(2024, 1, 1), date(2025, 12, 31)))
    assert (choice.plan, choice.basis, choice.review) == (lap, "dates", None)
