"""Schemathesis against the app's OpenAPI document (analyst API, linked data and pages): no 5xx,
responses conform to the documented schemas and media types. Bounded: few examples per operation."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ccmgraph.web.app import create_app  # noqa: E402

MINE = r"^/(api/|id/|ontology|shapes|dataset|downloads|coverage|timeline|workplans)"


@pytest.fixture(scope="module")
def app(store, dist):
    return create_app(store=store, dist=dist)


def test_no_server_errors_and_schema_conformance(app):
    from hypothesis import given

    schema = schemathesis.openapi.from_asgi("/openapi.json", app).include(path_regex=MINE)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=6, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
        )
        def check(case):
            case.call_and_validate(
                checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
                excluded_checks=[status_code_conformance],
            )

        check()
