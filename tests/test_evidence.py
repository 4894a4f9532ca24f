import pytest

from ccmgraph.pipeline.evidence import QuoteError, check, locate

TEXT = "Coordinators:\n\nGermany and Austria\n\nThe Coordinators met. The Coordinators agreed."


def test_locate_gives_offsets_of_the_exact_text():
    span = locate(TEXT, "Germany and Austria")
    assert TEXT[span.start : span.end] == "Germany and Austria" == span.exact


def test_whitespace_in_a_quote_matches_any_whitespace_run():
    span = locate(TEXT, "Coordinators: Germany")
    assert span.exact == "Coordinators:\n\nGermany"


def test_absent_quote_is_an_error():
    with pytest.raises(QuoteError, match="not found"):
        locate(TEXT, "Germany and Belgium")


def test_ambiguous_quote_names_its_positions():
    with pytest.raises(QuoteError, match="occurs 2 times"):
        locate(TEXT, "The Coordinators")


def test_context_picks_one_occurrence():
    span = locate(TEXT, "The Coordinators", context="The Coordinators agreed.")
    assert span.start == TEXT.index("The Coordinators agreed.")


def test_check_fails_when_an_offset_is_off_by_one():
    span = locate(TEXT, "Austria")
    assert check(TEXT, span.start, span.end, "Austria")
    assert not check(TEXT, span.start + 1, span.end + 1, "Austria")
    assert not check(TEXT, span.start - 1, span.end, "Austria")


def _mismatches(rows, shift=0):
    from ccmgraph import paths

    texts = {}
    bad = []
    for r in rows:
        text = texts.setdefault(r["file"], (paths.SOURCES / r["file"]).read_text(encoding="utf-8"))
        if not check(text, r["start"] + shift, r["end"] + shift, r["exact"]):
            bad.append(r["evidence"])
    return bad


def test_every_quote_in_the_graph_stands_at_its_offsets(store):
    from ccmgraph import catalog

    rows = store.select(catalog.load()["evidence-spans"].sparql)
    assert len(rows) > 100
    assert _mismatches(rows) == []
    assert len(_mismatches(rows, shift=1)) == len(rows), "an offset off by one must be caught"
