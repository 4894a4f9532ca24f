from pathlib import Path

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF

from ccmgraph.namespaces import CCM, ID, OA
from ccmgraph.pipeline.authoring import (
    AuthoringError,
    Source,
    compile_workplan,
    parse_action_list,
)

TEXT = (
    "LAP Actions numbers 4, 23 and 41 are relevant for gender.\n"
    "1) Gender\na) Work with UNIDIR on research.\nb) Meet the APMBC.\n"
)
PLAN = """
@prefix ccm: <https://w3id.org/ccmgraph/ontology#> .
@prefix w: <https://w3id.org/ccmgraph/id/workplan/t/> .
@prefix source: <https://w3id.org/ccmgraph/id/source/> .
<https://w3id.org/ccmgraph/id/workplan/t> a ccm:WorkPlan ;
    ccm:hasObjective w:objective-1 ;
    ccm:hasAlignment [ ccm:actionList "4, 23 and 41" ; ccm:basis ccm:StatedInText ;
                       ccm:appliesTo w:objective-1 ;
                       ccm:evidence [ ccm:quote "LAP Actions numbers 4, 23 and 41" ] ] .
w:objective-1 a ccm:Objective ; ccm:evidence [ ccm:quote "1) Gender" ] .
w:activity-a a ccm:Activity ; ccm:contributesTo w:objective-1 ;
    ccm:evidence [ ccm:quote "Work with UNIDIR" ] ;
    ccm:hasAlignment [ ccm:action <https://w3id.org/ccmgraph/id/lap-action/4> ; ccm:basis ccm:StatedInText ;
                       ccm:evidence [ ccm:quote "a) Work" ] ] .
w:activity-b a ccm:Activity ; ccm:evidence [ ccm:quote "Meet the APMBC" ] .
"""


def compile_text(tmp_path: Path, turtle: str) -> Graph:
    path = tmp_path / "t.ttl"
    path.write_text(turtle)
    src = Source(ID["source/t"], tmp_path / "t.txt", TEXT)
    return compile_workplan(Graph().parse(data=turtle, format="turtle"), path, src, {src.iri: src})


@pytest.mark.parametrize(
    "text,expected",
    [
        ("4, 23, 28 and 41", [(4, None), (23, None), (28, None), (41, None)]),
        ("1 to 9", [(n, None) for n in range(1, 10)]),
        ("10 and 11 A-D", [(10, None), (11, "11 A-D")]),
        ("1 and 8", [(1, None), (8, None)]),
    ],
)
def test_action_lists_expand(text, expected):
    assert parse_action_list(text) == expected


@pytest.mark.parametrize("text", ["51", "0", "9 to 1", "ten"])
def test_bad_action_lists_are_refused(text):
    with pytest.raises(ValueError):
        parse_action_list(text)


def test_quotes_become_evidence_with_offsets(tmp_path):
    g = compile_text(tmp_path, PLAN)
    ev = g.value(ID["workplan/t/activity-b"], CCM.evidence)
    start = TEXT.index("Meet the APMBC")
    assert ev == ID[f"evidence/t/{start}-{start + len('Meet the APMBC')}"]
    assert (ev, OA.hasSource, ID["source/t"]) in g
    assert not any(isinstance(n, BNode) for t in g for n in t), "no blank node may remain"


def test_work_plan_actions_are_inherited_only_where_they_apply(tmp_path):
    g = compile_text(tmp_path, PLAN)

    def actions(element, basis):
        return sorted(
            int(str(g.value(a, CCM.action)).rsplit("/", 1)[1])
            for a in g.objects(ID[f"workplan/t/{element}"], CCM.hasAlignment)
            if g.value(a, CCM.basis) == basis
        )

    assert actions("objective-1", CCM.InheritedFromWorkPlan) == [4, 23, 41]
    assert actions("activity-a", CCM.InheritedFromWorkPlan) == [4, 23, 41]
    assert actions("activity-a", CCM.StatedInText) == [4]
    assert actions("activity-b", CCM.InheritedFromWorkPlan) == []


def test_compiling_twice_gives_the_same_triples(tmp_path):
    assert set(compile_text(tmp_path, PLAN)) == set(compile_text(tmp_path, PLAN))


def test_absent_quote_names_file_and_line(tmp_path):
    bad = PLAN.replace('"Meet the APMBC"', '"Meet the ICRC"')
    with pytest.raises(AuthoringError, match=r"t\.ttl:\d+: quote not found"):
        compile_text(tmp_path, bad)


def test_alignment_types_are_set(tmp_path):
    g = compile_text(tmp_path, PLAN)
    assert all((a, RDF.type, CCM.ActionAlignment) in g for a in g.objects(None, CCM.hasAlignment))
    assert isinstance(next(g.objects(None, CCM.hasAlignment)), URIRef)


def test_a_note_wrapped_over_lines_is_one_line_of_prose(tmp_path):
    """A note's line breaks are the file's layout (the formatter wraps notes); a description's are kept."""
    wrapped = PLAN.replace(
        'w:activity-b a ccm:Activity ; ccm:evidence [ ccm:quote "Meet the APMBC" ] .',
        'w:activity-b a ccm:Activity ; ccm:evidence [ ccm:quote "Meet the APMBC" ] ;\n'
        '    ccm:curationNote """The text does not say\n        when."""@en ;\n'
        '    <http://purl.org/dc/terms/description> """Meet:\n- the APMBC""" .',
    )
    g = compile_text(tmp_path, wrapped)
    b = ID["workplan/t/activity-b"]
    assert [str(n) for n in g.objects(b, CCM.curationNote)] == ["The text does not say when."]
    assert [str(n) for n in g.objects(b, URIRef("http://purl.org/dc/terms/description"))] == ["Meet:\n- the APMBC"]


def test_an_action_list_of_another_plan_aligns_to_its_actions(tmp_path):
    """``ccm:actionListPlan`` (what ``ccmgraph draft`` writes for a successor of the LAP): the list
    numbers that plan's actions, beyond the LAP's 50 too; the LAP's action 4 on the same element
    keeps its alignment IRI, the other plan's carries the plan's key."""
    successor = "https://w3id.org/ccmgraph/id/action-plan/ap-2026-2031"
    both = PLAN.replace(
        'ccm:evidence [ ccm:quote "a) Work" ] ] .',
        'ccm:evidence [ ccm:quote "a) Work" ] ] ,\n'
        f'    [ ccm:actionList "4 and 60" ; ccm:actionListPlan <{successor}> ; ccm:basis ccm:StatedInText ;\n'
        '      ccm:evidence [ ccm:quote "Work with UNIDIR" ] ] .',
    )
    g = compile_text(tmp_path, both)
    stated = {
        (str(a), str(g.value(a, CCM.action)))
        for a in g.objects(ID["workplan/t/activity-a"], CCM.hasAlignment)
        if g.value(a, CCM.basis) == CCM.StatedInText
    }
    activity = ID["workplan/t/activity-a"]
    assert stated == {
        (f"{activity}/alignment/4-StatedInText", str(ID["lap-action/4"])),
        (f"{activity}/alignment/ap-2026-2031-4-StatedInText", f"{successor}/action/4"),
        (f"{activity}/alignment/ap-2026-2031-60-StatedInText", f"{successor}/action/60"),
    }
    assert (None, CCM.actionListPlan, None) not in g  # a shorthand: gone from the graph
    with pytest.raises(AuthoringError, match=r"LAP action 60 is outside 1\.\.50"):
        compile_text(tmp_path, both.replace(f" ccm:actionListPlan <{successor}> ;", ""))
