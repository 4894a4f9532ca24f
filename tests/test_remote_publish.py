"""``ccmgraph publish`` into real stores (Virtuoso, Oxigraph server), run as a user runs it.

Each graph of the build is loaded by the Graph Store Protocol and counted back; a second
publish leaves the same store; a dry run says what it would replace and changes nothing; a
graph the dump no longer has is deleted; wrong credentials and a dead endpoint are clear CLI
errors, never a traceback. Credentials come from the environment only.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from _remote_engines import Running, require
from ccmgraph import publish
from ccmgraph.sparql import merge
from ccmgraph.store import PROJECT_GRAPHS, Credentials, version_of
from support import free_port

# real Virtuoso and Oxigraph servers: run by `make test-all` (CI), not by the quick `make test`
pytestmark = pytest.mark.slow

CLI = str(Path(sys.executable).with_name("ccmgraph"))
ENGINES = ("virtuoso", "oxigraph")


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CCMGRAPH_STORE_")}
    return subprocess.run([CLI, *args], capture_output=True, text=True, env={**clean, **(env or {})}, timeout=600)


@pytest.fixture(scope="module", params=ENGINES)
def engine(request: pytest.FixtureRequest) -> Running:
    return require(request.param)


def dump_sizes(nquads: Path) -> dict[str, int]:
    return {g: len(t) for g, t in publish.graphs_of(nquads).items()}


def test_publish_loads_every_graph_counts_it_back_and_is_idempotent(engine: Running, dist: Path) -> None:
    env = {**engine.env, "CCMGRAPH_DIST": str(dist)}
    first = run_cli("publish", engine.endpoint, env=env)
    assert first.returncode == 0, first.stderr
    expected = dump_sizes(dist / "ccmgraph.nq")
    rows = list(re.finditer(r"^\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)$", first.stdout, re.M))
    reported = {m[1]: (int(m[3]), int(m[4])) for m in rows}
    held = {m[1] for m in rows if int(m[2])}  # graphs the store held before
    # every graph loaded, and any other project graph in the store (another test's) deleted
    assert {g: loaded for g, (loaded, _) in reported.items() if g in expected} == expected
    project = {g: n for g, n in reported.items() if g.startswith(PROJECT_GRAPHS)}
    assert all(loaded == 0 for g, (loaded, _) in project.items() if g not in expected)
    # beside them the union graph, each triple once (ccmgraph.sparql.merge)
    unions = [n for g, (n, _) in reported.items() if g.startswith(merge.UNION_GRAPH + "/") and n]
    assert unions == [len({t for ts in publish.graphs_of(dist / "ccmgraph.nq").values() for t in ts})]
    assert all(loaded == counted for loaded, counted in reported.values())  # and counted back
    # progress on the terminal: Oxigraph server by its bulk path (every triple posted; one MOVE
    # per graph the store held before), Virtuoso one PUT per graph; no staging graph is left behind
    total = sum(loaded for loaded, _ in reported.values())
    if engine.name == "oxigraph":
        assert f"loaded {total}/{total} triples" in first.stderr, first.stderr
        moved = len(held & set(expected))
        assert not moved or f"replaced {moved}/{moved} graphs" in first.stderr, first.stderr  # the MOVEs
    else:
        assert f"replaced {sum(1 for n, _ in reported.values() if n)}/" in first.stderr, first.stderr
    leftovers = f'SELECT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{publish.STAGING}")) }} LIMIT 1'
    asked = httpx.post(
        engine.endpoint, data={"query": leftovers}, headers={"Accept": "application/sparql-results+json"}
    )
    assert asked.status_code == 200 and asked.json()["results"]["bindings"] == []
    store = engine.store()
    version = store.version
    assert version == version_of(dist / "ccmgraph.nq")  # the embedded store's version too
    second = run_cli("publish", engine.endpoint, env=env)
    assert second.returncode == 0, second.stderr
    if engine.name == "oxigraph":  # every graph held now: each staged and moved
        assert f"replaced {len(expected)}/{len(expected)} graphs" in second.stderr, second.stderr
    store.forget_version()
    assert store.version == version
    assert store.graph_sizes(list(expected)) == expected
    assert set(store.graphs) == set(expected)


def test_dry_run_says_what_it_would_replace_and_changes_nothing(engine: Running, dist: Path, tmp_path: Path) -> None:
    env = {**engine.env, "CCMGRAPH_DIST": str(dist)}
    assert run_cli("publish", engine.endpoint, env=env).returncode == 0
    # a dump without one graph, and one triple fewer in another
    graphs = publish.graphs_of(dist / "ccmgraph.nq")
    gone, smaller = PROJECT_GRAPHS + "gso-concept-note-2023-2024", PROJECT_GRAPHS + "ontology"
    changed = tmp_path / "dist"
    changed.mkdir()
    quads = [
        ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g))
        for g, triples in graphs.items()
        if g != gone
        for t in (triples[1:] if g == smaller else triples)
    ]
    (changed / "ccmgraph.nq").write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")
    store = engine.store()
    before = store.version
    dry = run_cli("publish", engine.endpoint, "--dry-run", "--dist", str(changed), env=engine.env)
    assert dry.returncode == 0, dry.stderr
    assert re.search(
        rf"replace {re.escape(smaller)}\s+{len(graphs[smaller])} triples now -> "
        rf"{len(graphs[smaller]) - 1} triples",
        dry.stdout,
    ), dry.stdout
    assert re.search(rf"{re.escape(gone)}\s+{len(graphs[gone])} triples now -> deleted", dry.stdout), dry.stdout
    store.forget_version()
    assert store.version == before and store.graph_sizes([gone])[gone] == len(graphs[gone])
    # published for real: the graph is gone, the other one smaller, and the version new
    real = run_cli("publish", engine.endpoint, "--dist", str(changed), env=engine.env)
    assert real.returncode == 0, real.stderr
    store.forget_version()
    assert store.version != before and gone not in store.graphs
    assert store.graph_sizes([gone, smaller]) == {gone: 0, smaller: len(graphs[smaller]) - 1}
    # and back
    assert run_cli("publish", engine.endpoint, "--dist", str(dist), env=engine.env).returncode == 0
    store.forget_version()
    assert store.version == before


def test_a_graph_new_to_the_store_is_loaded_under_its_name_and_listed_once_whole(
    dist: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Oxigraph server's bulk path: a graph the store does not hold is posted under its own name
    (no MOVE, which rewrites every triple), and no reader lists it while it loads; every graph a
    reader lists meanwhile is whole (its size before or after)."""
    engine = require("oxigraph")
    store = engine.store()
    publish.publish(store, dist / "ccmgraph.nq")  # the store holds the seed's graphs
    graphs = publish.graphs_of(dist / "ccmgraph.nq")
    copied = PROJECT_GRAPHS + "gso-workplan-2024-2025"
    new = PROJECT_GRAPHS + "written-for-the-tests-a-copy-of-gso-workplan-2024-2025"
    changed = tmp_path / "ccmgraph.nq"
    quads = [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g)) for g, ts in graphs.items() for t in ts]
    quads += [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(new)) for t in graphs[copied]]
    changed.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")
    before = store.graph_sizes([*graphs, new])
    after = {**{g: len(ts) for g, ts in graphs.items()}, new: len(graphs[copied])}
    assert before[new] == 0 and before[copied] == after[copied]
    reader = engine.store(version_ttl=0)
    seen: list[tuple[str, bool, int]] = []

    def progress(message: str) -> None:
        listed = reader.graphs
        sizes = reader.graph_sizes([*listed, new])
        assert all(sizes[g] in (before[g], after[g]) for g in listed), message
        seen.append((message, new in listed, sizes[new]))

    monkeypatch.setattr(publish, "BULK_QUADS", 500)  # many requests: readers look in between
    publish.publish(store, changed, progress)
    loading = [n for message, _, n in seen if message.startswith("loaded")]
    assert not any(listed for _, listed, _ in seen)
    assert 0 < min(n for n in loading if n) < after[new]  # growing under its own name
    assert f"replaced {len(graphs)}/{len(graphs)} graphs" in seen[-1][0]  # the graphs held: moved
    store.forget_version()
    assert new in store.graphs and store.graph_sizes([new])[new] == after[new]
    publish.publish(store, dist / "ccmgraph.nq")  # and back: the copy deleted
    store.forget_version()
    assert new not in store.graphs and store.graph_sizes([new])[new] == 0


def test_wrong_credentials_are_a_clear_error(tmp_path: Path) -> None:
    engine = require("virtuoso")
    quad = ox.Quad(
        ox.NamedNode("http://example.org/s"),
        ox.NamedNode("http://example.org/p"),
        ox.Literal("o"),
        ox.NamedNode(PROJECT_GRAPHS + "tiny"),
    )
    (tmp_path / "ccmgraph.nq").write_bytes(ox.serialize([quad], format=ox.RdfFormat.N_QUADS) or b"")
    env = {**engine.env, Credentials.PASSWORD_ENV: "not-the-password"}
    done = run_cli("publish", engine.endpoint, "--dist", str(tmp_path), env=env)
    assert done.returncode == 1
    assert "401" in done.stderr and "CCMGRAPH_STORE_PASSWORD" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    nobody = run_cli("publish", engine.endpoint, "--dist", str(tmp_path))  # no credentials at all
    assert nobody.returncode == 1 and "401" in nobody.stderr and "Traceback" not in nobody.stderr


def test_dead_endpoint_is_a_clear_error(tmp_path: Path, dist: Path) -> None:
    done = run_cli("publish", f"http://127.0.0.1:{free_port()}/sparql", "--dist", str(dist))
    assert done.returncode == 1 and "error:" in done.stderr and "ConnectError" in done.stderr
    assert "Traceback" not in done.stderr


def test_credentials_are_not_command_line_options() -> None:
    help_text = run_cli("publish", "--help").stdout
    assert "--password" not in help_text and "--token" not in help_text and "CCMGRAPH_STORE_PASSWORD" in help_text
