"""Incremental validation: after a conforming build, SHACL checks only the work plans that changed."""

import re

from _project import copy_project
from ccmgraph import pipeline as building


def test_only_changed_plans_are_validated_and_their_errors_still_caught(tmp_path, monkeypatch, build_result):
    root = copy_project(tmp_path / "project", monkeypatch)
    dist = root / "dist"
    building.write(build_result, dist)
    assert building.run(since=dist).validated == "0 changed work plan(s)"
    plan = root / "data" / "workplans" / "gso-workplan-2024-2025.ttl"
    # a timeline entry scheduled in two quarters: the TimelineEntry shape allows one
    plan.write_text(
        plan.read_text().replace(
            "ccm:scheduledIn period:2024-Q4 ;", "ccm:scheduledIn period:2024-Q4 , period:2025-Q1 ;", 1
        )
    )
    result = building.run(since=dist)
    assert result.validated == "1 changed work plan(s)"
    assert not result.report.conforms
    (violation,) = result.report.violations
    assert "scheduledIn" in violation.path and "gso-workplan-2024-2025.ttl" in violation.files[0]
    assert building.run().validated == "all"


def test_a_shared_input_change_validates_everything(tmp_path, monkeypatch, build_result):
    root = copy_project(tmp_path / "project", monkeypatch)
    dist = root / "dist"
    building.write(build_result, dist)
    shapes = root / "ontology" / "shapes.ttl"
    shapes.write_text(shapes.read_text() + "\n# a comment changes the file's hash\n")
    assert building.run(since=dist).validated == "all"


def test_sparql_constraints_in_incremental_validation(tmp_path, monkeypatch, build_result):
    """Two SPARQL-based constraints broken in the changed plan: both reported, nothing else."""
    root = copy_project(tmp_path / "project", monkeypatch)
    dist = root / "dist"
    building.write(build_result, dist)
    plan = root / "data" / "workplans" / "isu-workplan-budget-2025.ttl"
    text = plan.read_text().replace('"364282"^^xsd:decimal', '"364283"^^xsd:decimal', 1)
    assert text != plan.read_text()
    plan.write_text(text)
    gso = root / "data" / "workplans" / "gso-workplan-2024-2025.ttl"
    judged = re.compile(r"ccm:basis ccm:CuratorJudgement ;\s+rdfs:comment")
    assert judged.search(gso.read_text())
    gso.write_text(judged.sub("ccm:basis ccm:CuratorJudgement ; rdfs:seeAlso", gso.read_text(), count=1))
    result = building.run(since=dist)
    assert result.validated == "2 changed work plan(s)"
    messages = sorted(v.message for v in result.report.violations)
    assert messages == [
        "A link on curator judgement must say why in rdfs:comment.",
        "The budget lines do not add up to the stated total.",
    ]


def test_incremental_publishes_what_the_full_build_would(tmp_path, monkeypatch, build_result):
    """A coordinator set to an organisation (gso-workplan-2024-2025.txt: "Coordinators: Germany and
    Austria") breaks "A coordinator is a ccm:State." in the incremental build as in the full one,
    and both name the edited file and line, not data/reference (where the organisation is described)."""
    root = copy_project(tmp_path / "project", monkeypatch)
    dist = root / "dist"
    building.write(build_result, dist)
    plan = root / "data" / "workplans" / "gso-workplan-2024-2025.ttl"
    text = plan.read_text()
    before = "ccm:coordinator state:DEU , state:AUT ;"
    assert text.count(before) == 1
    plan.write_text(text.replace(before, "ccm:coordinator orgid:icrc , state:AUT ;"))
    line = 1 + text[: text.index(before)].count("\n")
    incremental, full = building.run(since=dist), building.run()
    assert incremental.validated == "1 changed work plan(s)" and full.validated == "all"
    for result in (incremental, full):
        assert "A coordinator is a ccm:State." in {v.message for v in result.report.violations}
        for v in result.report.violations:
            assert v.files == (f"{plan}:{line}",), v

    def seen(result):  # a shape without an IRI is a blank node of another name in each run
        return {(v.files, v.focus, v.path, v.message) for v in result.report.violations}

    assert seen(incremental) == seen(full)
