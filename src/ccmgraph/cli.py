"""The ``ccmgraph`` command line: a thin layer over build, store and api."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from ccmgraph import build as building
from ccmgraph import paths
from ccmgraph.store import QueryError, StoreUnreachable, open_store

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Build, validate, query and serve the CCM implementation knowledge graph.")


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


def _progress(quiet: bool):
    if quiet or not sys.stderr.isatty():
        return None
    return lambda stage: typer.secho(f"  {stage}", err=True, dim=True)


def _run_build(quiet: bool) -> building.Result:
    try:
        return building.run(progress=_progress(quiet))
    except building.BuildError as exc:
        _fail(str(exc))
        raise  # unreachable


def _summary(result: building.Result) -> str:
    out = ["Triples per graph:"]
    for name, g in sorted(result.graphs.items()):
        out.append(f"  {len(g):>8}  {name}")
    out.append(f"Inferred triples: {len(result.inferred)}")
    out.append("Per document:")
    for doc, counts in sorted(result.counts().items()):
        out.append(f"  {doc}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    out.append(f"Curation notes ({len(result.notes)}):")
    for note in result.notes:
        label = f" ({note.label})" if note.label else ""
        out.append(f"  [{note.file}] {note.subject}{label}: {note.note}")
    out.append(str(result.report))
    out.append("Seconds per stage: " + ", ".join(f"{k} {v:.2f}" for k, v in result.timings.items()))
    return "\n".join(out)


@app.command()
def build(quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors and the result line.")] = False,
          dist: Annotated[Optional[Path], typer.Option(help="Output directory (default dist/).")] = None) -> None:
    """Load, reason, validate and write dist/ (left untouched when validation fails)."""
    result = _run_build(quiet)
    if not quiet:
        typer.echo(_summary(result))
    if not result.report.conforms:
        if quiet:
            typer.echo(str(result.report), err=True)
        _fail("validation failed; dist/ left as it was")
    target = dist or paths.DIST
    building.write(result, target)
    typer.echo(f"wrote {target} ({sum(len(g) for g in result.graphs.values())} quads)")


@app.command()
def validate() -> None:
    """Validate the data with SHACL without writing anything."""
    result = _run_build(quiet=True)
    typer.echo(str(result.report))
    if not result.report.conforms:
        raise typer.Exit(1)


def _ensure_dist() -> None:
    if building.is_stale():
        result = _run_build(quiet=True)
        if not result.report.conforms:
            typer.echo(str(result.report), err=True)
            _fail("validation failed; nothing to serve")
        building.write(result)


def _table(rows: list[dict[str, object]]) -> str:
    if not rows:
        return "(no rows)"
    cols = list(rows[0])
    cells = [[("" if r[c] is None else str(r[c])) for c in cols] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    line = "  ".join(c.ljust(w) for c, w in zip(cols, widths))
    sep = "  ".join("-" * w for w in widths)
    body = ["  ".join(v.ljust(w) for v, w in zip(row, widths)) for row in cells]
    return "\n".join([line, sep, *body, f"({len(rows)} rows)"])


@app.command()
def query(sparql: Annotated[str, typer.Argument(help="A SPARQL query, or the path of a .rq file.")],
          fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv, json or turtle.")] = "table",
          endpoint: Annotated[str | None, typer.Option("--sparql-endpoint", help="Query a remote store.")] = None,
          ) -> None:
    """Run a SPARQL query against the built graph."""
    if fmt not in ("table", "csv", "json", "turtle"):
        _fail(f"unknown format {fmt!r} (table, csv, json or turtle)")
    if sparql.endswith(".rq"):
        path = Path(sparql)
        if not path.exists():
            _fail(f"{path}: no such file")
        sparql = path.read_text(encoding="utf-8")
    if not endpoint:
        _ensure_dist()
    try:
        store = open_store(endpoint)
        if fmt == "turtle":
            answer = store.query(sparql, "text/turtle")
            sys.stdout.write(answer.body.decode())
            return
        answer = store.query(sparql, "application/sparql-results+json")
    except StoreUnreachable as exc:
        _fail(f"the store did not answer: {exc}")
        return
    except (QueryError, ValueError) as exc:
        _fail(f"malformed or failed query: {exc}")
        return
    if answer.form == "graph":
        sys.stdout.write(answer.body.decode())
        return
    data = json.loads(answer.body)
    if "boolean" in data:
        typer.echo("true" if data["boolean"] else "false")
        return
    names = data["head"]["vars"]
    rows = [{n: b.get(n, {}).get("value") for n in names} for b in data["results"]["bindings"]]
    if fmt == "json":
        typer.echo(json.dumps(rows, indent=1, ensure_ascii=False))
    elif fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=names)
        writer.writeheader()
        writer.writerows(rows)
        sys.stdout.write(buf.getvalue())
    else:
        typer.echo(_table(rows))


@app.command()
def serve(host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="Port.")] = 8000,
          endpoint: Annotated[str | None, typer.Option(
              "--sparql-endpoint", help="Serve over a remote store: its SPARQL query endpoint (credentials from "
                                        "$CCMGRAPH_STORE_*; see docs/triple-stores.md).")] = None,
          timeout: Annotated[float, typer.Option(help="Seconds a SPARQL query may run before it is stopped.")] = 10.0,
          max_rows: Annotated[int, typer.Option(help="Rows (or triples) in a SPARQL answer; longer ones are cut.")] = 100_000,
          max_result_mb: Annotated[int, typer.Option(help="MiB in a SPARQL answer; larger ones are cut.")] = 64,
          max_request_kb: Annotated[int, typer.Option(help="KiB in a query text or request body.")] = 1024,
          workers: Annotated[int, typer.Option(help="Query engine processes (0: one per CPU, at least 2).")] = 0,
          memory_mb: Annotated[int, typer.Option(help="MiB a query worker may allocate beyond the graph (0: no limit).")] = 2048,
          cache_mb: Annotated[int, typer.Option(help="MiB of SPARQL answers kept in the result cache (0: off).")] = 64,
          allow_update: Annotated[bool, typer.Option("--allow-update", help="Accept SPARQL Update (needs --update-token).")] = False,
          update_token: Annotated[Optional[str], typer.Option(envvar="CCMGRAPH_UPDATE_TOKEN", show_default=False,
                                                              help="Bearer token that updates must carry (or $CCMGRAPH_UPDATE_TOKEN).")] = None,
          http_workers: Annotated[int, typer.Option(help="HTTP server processes, each with its own engine "
                                                         "processes and cache (read-only servers only).")] = 1,
          log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info") -> None:
    """Serve the SPARQL endpoint, API and pages (builds first when dist/ is missing or stale)."""
    import uvicorn

    from ccmgraph.sparql.engine import MiB, SparqlSettings
    from ccmgraph.web.app import create_app

    try:
        settings = SparqlSettings(timeout=timeout, max_rows=max_rows, max_result_bytes=max_result_mb * MiB,
                                  max_request_bytes=max_request_kb * 1024, workers=workers,
                                  memory_limit=memory_mb * MiB or None, cache_bytes=cache_mb * MiB,
                                  allow_update=allow_update, update_token=update_token)
    except ValueError as exc:
        _fail(str(exc))
        return
    if http_workers > 1 and allow_update:
        _fail("--allow-update needs a single HTTP process (--http-workers 1): each process has its own engine")
    if not endpoint:
        _ensure_dist()
    if http_workers <= 1:
        uvicorn.run(create_app(endpoint=endpoint, settings=settings), host=host, port=port, log_level=log_level,
                    timeout_graceful_shutdown=5)
        return
    import dataclasses
    import json
    import os

    from ccmgraph.web.app import ENDPOINT_ENV, SETTINGS_ENV

    options = dataclasses.asdict(settings)
    options["workers"] = max(1, settings.pool_size // http_workers)  # engine processes per HTTP process
    options["update_token"] = None  # never needed here (updates need a single process): keep it out of the env
    os.environ[SETTINGS_ENV] = json.dumps(options)
    os.environ[ENDPOINT_ENV] = endpoint or ""
    uvicorn.run("ccmgraph.web.app:app_from_environment", factory=True, workers=http_workers, host=host, port=port,
                log_level=log_level, timeout_graceful_shutdown=5)


@app.command()
def trace(action: Annotated[int, typer.Argument(help="LAP action number (1-50).")]) -> None:
    """What serves a LAP action: element, work plan, basis of the link and the quote that says so."""
    from ccmgraph import catalog

    if not 1 <= action <= 50:
        _fail(f"LAP actions are numbered 1 to 50, not {action}")
    _ensure_dist()
    named = catalog.load()["activities-serving-action"]
    rows = open_store().select(named.sparql, named.bindings({"action": str(action)}))
    shown = [{"element": r["elementLabel"], "kind": str(r["kind"]).rsplit("#", 1)[-1],
              "work plan": r["workplanLabel"], "basis": r["basisLabel"],
              "quote": (r["quote"] or "")[:70] + ("…" if r["quote"] and len(r["quote"]) > 70 else "")}
             for r in rows]
    typer.echo(_table(shown))


@app.command()
def publish(endpoint: Annotated[str, typer.Argument(help="The store's SPARQL query endpoint (Virtuoso: …/sparql; "
                                                         "Oxigraph server: …/query).")],
            graph_store: Annotated[str | None, typer.Option(
                help="Its SPARQL 1.1 Graph Store Protocol address (default: by the engine's convention: "
                     "Virtuoso …/sparql-graph-crud-auth, Oxigraph …/store, Fuseki …/data).")] = None,
            dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what it would replace.")] = False,
            dist: Annotated[Path | None, typer.Option(help="Directory of the built dataset (default dist/).")] = None,
            ) -> None:
    """Load the built dataset into a remote store, one named graph at a time (Graph Store Protocol PUT).

    Credentials come from the environment, never from the command line: $CCMGRAPH_STORE_TOKEN (a bearer
    token), or $CCMGRAPH_STORE_USER and $CCMGRAPH_STORE_PASSWORD with $CCMGRAPH_STORE_AUTH=basic|digest
    (Virtuoso: digest).
    """
    from ccmgraph import publish as publishing
    from ccmgraph.store import Credentials, RemoteStore

    if dist is None:
        _ensure_dist()
    nquads = (dist or paths.DIST) / "ccmgraph.nq"
    if not nquads.is_file():
        _fail(f"{nquads}: no such file (run `ccmgraph build`)")
    try:
        store = RemoteStore(endpoint, graph_store=graph_store, credentials=Credentials.from_environment())
        graphs = publishing.graphs_of(nquads)
        reports = publishing.plan(store, graphs) if dry_run else publishing.publish(store, nquads)
    except (QueryError, ValueError, OSError) as exc:
        _fail(str(exc))
        return
    width = max(len(r.graph) for r in reports)
    if dry_run:
        typer.echo(f"would publish {nquads} to {store.graph_store} (nothing changed):")
        for r in reports:
            verb = "replace" if r.before else "create "
            after = f"{r.loaded} triples" if r.loaded else "deleted (not in the dump)"
            typer.echo(f"  {verb} {r.graph:<{width}}  {r.before:>8} triples now -> {after}")
        return
    typer.echo(f"published {nquads} to {store.graph_store}:")
    typer.echo(f"  {'graph':<{width}}  {'before':>8}  {'loaded':>8}  {'counted':>8}")
    for r in reports:
        typer.echo(f"  {r.graph:<{width}}  {r.before:>8}  {r.loaded:>8}  {r.counted:>8}")
    typer.echo(f"version {store.version}; {sum(r.loaded for r in reports)} triples in {len(reports)} graphs")


if __name__ == "__main__":
    app()
