"""ccmgraph.execution.workers and ccmgraph.execution.execute: killable engine processes, limits, updates."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest

from ccmgraph import disk_store, errors, formats
from ccmgraph.execution import execute as results
from ccmgraph.execution.workers import EngineUnavailable, QueryTimeout, WorkerPool
from ccmgraph.web.errors import status_of
from support import RUNAWAY, cpu_seconds, process_gone

JSON = "application/sparql-results+json"
ALL = "SELECT * WHERE { ?s ?p ?o }"


@pytest.fixture
def run(sparql_dist: Path):
    """Run a coroutine against a fresh 2-worker pool over the test dataset."""

    def runner(body, **pool_options):
        async def main():
            pool = WorkerPool(sparql_dist / "store", size=pool_options.pop("size", 2), **pool_options)
            await pool.start()
            try:
                return await body(pool)
            finally:
                await pool.close()

        return asyncio.run(main())

    return runner


async def select(pool: WorkerPool, text: str, **kw) -> dict:
    answer = await pool.query(timeout=kw.pop("timeout", 5), text=text, results_type=JSON, graph_type=None, **kw)
    return json.loads(answer.body)


def test_queries_run_in_other_processes(run) -> None:
    async def body(pool):
        assert len(pool.pids) == 2 and os.getpid() not in pool.pids and pool.quads > 2000
        data = await select(
            pool, "SELECT (COUNT(*) AS ?n) WHERE { ?a a <https://w3id.org/ccmgraph/ontology#LAPAction> }"
        )
        return int(data["results"]["bindings"][0]["n"]["value"])

    assert run(body) == 50


def test_a_runaway_query_is_killed_at_its_limit_and_replaced(run) -> None:
    async def body(pool):
        before = set(pool.pids)
        started = time.monotonic()
        with pytest.raises(QueryTimeout) as timeout:
            await pool.query(timeout=1.0, text=RUNAWAY, results_type=JSON, graph_type=None)
        elapsed = time.monotonic() - started
        killed = before - set(pool.pids)
        await asyncio.sleep(0.3)
        return timeout.value.limit, elapsed, killed, pool.pids, pool.kills, await select(pool, "ASK {}")

    limit, elapsed, killed, pids, kills, answer = run(body)
    assert limit == 1.0 and 0.9 < elapsed < 2.0
    assert len(killed) == 1 and kills == 1
    assert process_gone(killed.pop())  # its CPU is free: the process no longer exists
    assert len(pids) == 2  # replaced
    assert answer == {"head": {}, "boolean": True}


def test_other_queries_are_answered_while_one_runs_away(run) -> None:
    async def body(pool):
        runaway = asyncio.ensure_future(pool.query(timeout=2.0, text=RUNAWAY, results_type=JSON, graph_type=None))
        await asyncio.sleep(0.1)
        latencies = []
        while not runaway.done():
            started = time.monotonic()
            await select(pool, "ASK { ?s ?p ?o }")
            latencies.append(time.monotonic() - started)
            await asyncio.sleep(0.05)
        with pytest.raises(QueryTimeout):
            runaway.result()
        return latencies

    latencies = run(body)
    assert len(latencies) >= 10 and max(latencies) < 0.5


def test_all_workers_busy_forks_extra_ones(run) -> None:
    async def body(pool):
        runaways = [
            asyncio.ensure_future(pool.query(timeout=1.5, text=RUNAWAY, results_type=JSON, graph_type=None))
            for _ in range(2)
        ]
        await asyncio.sleep(0.2)
        started = time.monotonic()
        answer = await select(pool, "ASK {}")
        waited = time.monotonic() - started
        for r in runaways:
            with pytest.raises(QueryTimeout):
                await r
        return answer, waited

    answer, waited = run(body, size=2)
    assert answer["boolean"] is True and waited < 1.0


def test_cancelling_a_query_kills_its_worker(run) -> None:
    async def body(pool):
        task = asyncio.ensure_future(pool.query(timeout=30, text=RUNAWAY, results_type=JSON, graph_type=None))
        await asyncio.sleep(0.3)
        busy = set(pool.pids)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return busy - set(pool.pids), pool.kills

    killed, kills = run(body)
    assert kills == 1 and len(killed) == 1 and process_gone(killed.pop())


def test_a_worker_killed_from_outside_is_replaced(run) -> None:
    async def body(pool):
        for pid in pool.pids:
            os.kill(pid, signal.SIGKILL)
        await asyncio.sleep(0.2)
        first = await select(pool, "ASK {}")  # dead idle workers are noticed and replaced
        return first, len(pool.pids)

    first, count = run(body)
    assert first["boolean"] is True and count >= 1


def test_a_dead_zygote_is_restarted(run) -> None:
    async def body(pool):
        os.kill(pool.zygote_pid, signal.SIGKILL)
        for pid in pool.pids:
            os.kill(pid, signal.SIGKILL)
        await asyncio.sleep(0.2)
        return await select(pool, "ASK {}", timeout=30)

    assert run(body)["boolean"] is True


def test_syntax_and_form_errors(run) -> None:
    async def body(pool):
        with pytest.raises(errors.QuerySyntaxError, match=r"line 1, column \d+"):
            await select(pool, "SELECT * WHERE { ?s ?p }")
        with pytest.raises(results.FormNotAcceptable) as form:
            await pool.query(timeout=5, text="CONSTRUCT WHERE { ?s ?p ?o }", results_type=JSON, graph_type=None)
        with pytest.raises(errors.QueryEvaluationError):
            await select(pool, "SELECT * WHERE { SERVICE ?unbound { ?s ?p ?o } }")
        return form.value.form

    assert run(body) == "graph"


@pytest.mark.parametrize("media_type", [f.media_type for f in formats.RESULTS])
def test_select_answers_are_cut_at_max_rows_in_every_format(run, media_type: str) -> None:
    async def body(pool):
        return await pool.query(
            timeout=5, text=ALL, results_type=media_type, graph_type=None, limits=results.Limits(max_rows=7)
        )

    answer = run(body)
    assert answer.truncated == "rows" and answer.rows == 7
    text = answer.body.decode()
    if media_type == JSON:
        assert len(json.loads(text)["results"]["bindings"]) == 7
    elif media_type.endswith("xml"):
        ns = "{http://www.w3.org/2005/sparql-results#}"
        assert len(ET.fromstring(text).findall(f"{ns}results/{ns}result")) == 7
    elif media_type == "text/csv":
        assert len(list(csv.reader(io.StringIO(text)))) == 8
    else:
        assert len(text.rstrip("\n").split("\n")) == 8


def test_answers_under_the_limits_are_not_cut(run) -> None:
    async def body(pool):
        return await pool.query(
            timeout=5,
            text="SELECT ?a WHERE { ?a a <https://w3id.org/ccmgraph/ontology#LAPAction> }",
            results_type="text/csv",
            graph_type=None,
            limits=results.Limits(max_rows=50),
        )

    answer = run(body)
    assert answer.truncated is None and answer.body.count(b"\n") == 51


def test_answers_are_cut_at_max_bytes(run) -> None:
    async def body(pool):
        return await pool.query(
            timeout=5,
            text=ALL,
            results_type=JSON,
            graph_type=None,
            limits=results.Limits(max_rows=100_000, max_bytes=20_000),
        )

    answer = run(body)
    assert answer.truncated == "bytes" and len(answer.body) <= 20_000
    assert 0 < len(json.loads(answer.body)["results"]["bindings"]) == answer.rows


def test_graph_answers_are_cut_and_valid(run) -> None:
    async def body(pool):
        out = {}
        for media_type in (f.media_type for f in formats.GRAPHS):
            out[media_type] = await pool.query(
                timeout=5,
                text="CONSTRUCT WHERE { ?s ?p ?o }",
                results_type=None,
                graph_type=media_type,
                limits=results.Limits(max_rows=25),
            )
        return out

    for media_type, answer in run(body).items():
        assert answer.truncated == "rows" and answer.rows == 25
        parsed = list(ox.parse(answer.body, format=formats.graph_format(media_type)))
        assert len(parsed) == 25, media_type


def test_compressed_answers(run) -> None:
    import gzip

    async def body(pool):
        return await pool.query(
            timeout=5, text=ALL, results_type=JSON, graph_type=None, compress=True, limits=results.Limits(max_rows=100)
        )

    answer = run(body)
    assert answer.encoding == "gzip" and len(json.loads(gzip.decompress(answer.body))["results"]["bindings"]) == 100


def test_updates_make_a_new_generation(run, tmp_path: Path) -> None:
    async def body(pool):
        old_pids = set(pool.pids)
        n = await pool.update(
            'INSERT DATA { GRAPH <http://g> { <http://x> <http://y> "z" } }',
            timeout=5,
            target=tmp_path / "gen1",
            version="v1",
        )
        seen = await select(pool, "SELECT ?o WHERE { <http://x> <http://y> ?o }")
        with pytest.raises(errors.QuerySyntaxError):
            await pool.update("INSERT DATA { oops", timeout=5, target=tmp_path / "bad", version="v2")
        with pytest.raises(QueryTimeout):
            await pool.update(
                "INSERT { ?a <http://p> ?x } WHERE { GRAPH ?g1 { ?a ?b ?c } GRAPH ?g2 { ?d ?e ?f } "
                "GRAPH ?g3 { ?x ?h ?i } }",
                timeout=1,
                target=tmp_path / "slow",
                version="v3",
            )
        after = await select(pool, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        await asyncio.sleep(0.2)
        return n, seen, old_pids & set(pool.pids), pool.generation, int(after["results"]["bindings"][0]["n"]["value"])

    n, seen, common, generation, count = run(body)
    assert seen["results"]["bindings"] == [{"o": {"type": "literal", "value": "z"}}]
    assert not common and generation == 1  # the old workers were all replaced
    assert count == n  # the failed and the stopped updates changed nothing
    # the new generation's store, stamped with its version; the failed update left nothing
    assert disk_store.open_store(tmp_path / "gen1").version == "v1"
    assert not (tmp_path / "bad").exists()


def test_a_query_over_the_memory_limit_stops_only_its_worker(run) -> None:
    async def body(pool):
        with pytest.raises(EngineUnavailable):
            await pool.query(
                timeout=10,
                text="SELECT ?a ?b ?c ?d WHERE { ?a ?p ?b . ?c ?q ?d } ORDER BY ?d ?c ?b ?a",
                results_type=JSON,
                graph_type=None,
            )
        return await select(pool, "ASK {}")

    assert run(body, memory_limit=64 * 1024 * 1024)["boolean"] is True


def test_a_query_that_overflows_the_engines_stack_is_a_400_not_a_503(run) -> None:
    """Oxigraph recurses over a long chain (here 20,000 triple patterns) and overflows the worker's
    stack: the worker dies of SIGSEGV. That is the query's doing (400), not a busy engine (503)."""
    long_chain = "ASK { " + " ?s <http://example.org/p> ?o ." * 20_000 + " }"

    async def body(pool):
        with pytest.raises(errors.QueryEvaluationError, match="too deeply nested or too long") as problem:
            await pool.query(timeout=10, text=long_chain, results_type=JSON, graph_type=None)
        return problem.value, pool.kills, await select(pool, "ASK {}")

    problem, kills, after = run(body)
    assert status_of(problem) == 400 and kills == 1 and after["boolean"] is True


def test_workers_exit_when_the_server_dies(sparql_dist: Path) -> None:
    """A server killed with SIGKILL leaves no engine process behind, even one mid-query."""
    script = textwrap.dedent(f"""
        import asyncio, sys
        from ccmgraph.execution.workers import WorkerPool
        async def main():
            pool = WorkerPool({str(sparql_dist / "store")!r}, size=2)
            await pool.start()
            print(pool.zygote_pid, *pool.pids, flush=True)
            await pool.query(timeout=60, text={RUNAWAY!r}, results_type="text/csv", graph_type=None)
        asyncio.run(main())
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        pids = [int(p) for p in proc.stdout.readline().split()]
        assert len(pids) == 3
        time.sleep(0.5)  # the runaway is running in one of the workers
        assert max(cpu_seconds(p) for p in pids[1:]) > 0.1
    finally:
        proc.kill()
        proc.wait()
    assert all(process_gone(pid) for pid in pids)
