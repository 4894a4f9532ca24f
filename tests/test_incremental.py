"""Incremental validation: after a conforming build, SHACL checks only the work plans that changed."""

from tests._project import copy_project

from ccmgraph import build as building


def test_only_changed_plans_are_validated_and_their_errors_still_caught(tmp_path, monkeypatch, build_result):
    root = copy_project(tmp_path / "project", monkeypatch)
    dist = root / "dist"
    building.write(build_result, dist)
    assert building.run(since=dist).validated == "0 changed work plan(s)"
    plan = root / "data" / "workplans" / "gso-workplan-2024-2025.ttl"
    # a timeline entry scheduled in two quarters: the TimelineEntry shape allows one
    plan.write_text(plan.read_text().replace("ccm:scheduledIn period:2024-Q4 ;",
                                             "ccm:scheduledIn period:2024-Q4 , period:2025-Q1 ;", 1))
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
