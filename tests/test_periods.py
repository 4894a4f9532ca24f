from datetime import date

import pytest
from rdflib import URIRef
from rdflib.namespace import TIME

from ccmgraph.pipeline.periods import PERIOD_PREFIX, PeriodError, bounds, describe


@pytest.mark.parametrize(
    "key,start,end",
    [
        ("2025-Q1", date(2025, 1, 1), date(2025, 3, 31)),
        ("2024-Q4", date(2024, 10, 1), date(2024, 12, 31)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("2025", date(2025, 1, 1), date(2025, 12, 31)),
        ("2025-H2", date(2025, 7, 1), date(2025, 12, 31)),
        ("2024-12--2025-09", date(2024, 12, 1), date(2025, 9, 30)),
    ],
)
def test_bounds(key, start, end):
    assert bounds(key)[:2] == (start, end)


@pytest.mark.parametrize("key", ["2025-Q5", "2025-13", "Q1 2025", "2025-09--2024-12"])
def test_bad_keys_are_refused(key):
    with pytest.raises(PeriodError):
        bounds(key)


def test_describe_is_an_owl_time_interval():
    g = describe(URIRef(PERIOD_PREFIX + "2025-Q1"))
    begin = g.value(URIRef(PERIOD_PREFIX + "2025-Q1"), TIME.hasBeginning)
    assert str(g.value(begin, TIME.inXSDDate)) == "2025-01-01"
