"""The ``ccmgraph`` command line: a thin layer over build, store and api."""

from __future__ import annotations

import contextlib
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ccmgraph import errors, paths
from ccmgraph.settings import DEFAULTS, Settings, help_of

if TYPE_CHECKING:  # each command imports what it needs: the build does not pay for the store's
    from ccmgraph import pipeline as building  # HTTP clients, nor `--help` and `query` for pySHACL

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Build, validate, query and serve the CCM implementation knowledge graph.",
)


def _fail(message: str) -> None:
    _say(message)
    raise typer.Exit(1)


def _say(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)


def message_of(error: errors.CcmgraphError | OSError) -> str:
    """One line for people: an error's message, or a file that cannot be read or written and why."""
    if isinstance(error, errors.CcmgraphError):
        return error.message
    if error.filename is not None:
        return f"{error.filename}: {error.strerror or error}"
    return str(error)


def main() -> None:
    """The ``ccmgraph`` command, and its one error boundary: every error the project raises on
    purpose (ccmgraph.errors), and a file that cannot be read or written, is one line on stderr
    and exit status 1, never a traceback; anything else is a bug, and keeps its traceback."""
    try:
        app()
    except (errors.CcmgraphError, OSError) as exc:
        _say(message_of(exc))
        sys.exit(1)


def _progress(quiet: bool):
    if quiet or not sys.stderr.isatty():
        return None
    return lambda stage: typer.secho(f"  {stage}", err=True, dim=True)


def _run_build(quiet: bool, since: Path | None = None) -> building.Result:
    from ccmgraph import pipeline as building

    return building.run(progress=_progress(quiet), since=since)


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
    out.append(f"{result.report} (validated: {result.validated})")
    out.append("Seconds per stage: " + ", ".join(f"{k} {v:.2f}" for k, v in result.timings.items()))
    return "\n".join(out)


@app.command()
def build(
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors and the result line.")] = False,
    dist: Annotated[Path | None, typer.Option(help="Output directory (default dist/).")] = None,
    watch: Annotated[
        bool, typer.Option("--watch", help="Rebuild whenever an input file is saved (Ctrl-C stops).")
    ] = False,
    interval: Annotated[float, typer.Option(help="Seconds between two looks at the files (--watch).")] = 0.5,
    full: Annotated[
        bool, typer.Option("--full", help="Validate every graph, not only the work plans changed since the last build.")
    ] = False,
) -> None:
    """Load, reason, validate and write dist/ (left untouched when validation fails).

    SHACL checks the work plans whose files changed since the last build (everything when the
    ontology, shapes, reference data or the build's code changed); --full checks everything.
    """
    if not watch:
        _build_once(quiet, dist, full)
        return
    from ccmgraph.pipeline.watch import watch as watching

    def rebuild(changed: list[Path]) -> None:
        names = ", ".join(p.name for p in changed[:3]) + (" ..." if len(changed) > 3 else "")
        typer.secho(f"-- changed: {names}" if changed else "-- watching the inputs; Ctrl-C stops", err=True, dim=True)
        try:
            _build_once(quiet, dist, full)
        except (errors.CcmgraphError, OSError) as exc:  # reported; keep watching: the next save may fix it
            _say(message_of(exc))
        except typer.Exit:
            pass

    with contextlib.suppress(KeyboardInterrupt):
        watching(rebuild, interval)


def _build_once(quiet: bool, dist: Path | None, full: bool) -> None:
    from ccmgraph import pipeline as building

    target = dist or paths.DIST
    result = _run_build(quiet, since=None if full else target)
    if not quiet:
        typer.echo(_summary(result))
    if not result.report.conforms:
        if quiet:
            typer.echo(str(result.report), err=True)
        _fail("validation failed; dist/ left as it was")
    building.write(result, target)
    typer.echo(f"wrote {target} ({sum(len(g) for g in result.graphs.values())} quads)")


@app.command()
def validate() -> None:
    """Validate the data with SHACL without writing anything."""
    result = _run_build(quiet=True)
    typer.echo(str(result.report))
    if not result.report.conforms:
        raise typer.Exit(1)


@app.command()
def ingest(
    file: Annotated[Path, typer.Argument(help="The received work plan: .txt, .pdf or .docx.")],
    stem: Annotated[str | None, typer.Option(help="Name of the source (default: the file's name).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace a source text of the same name.")] = False,
) -> None:
    """Extract and normalise the text of a work plan into data/sources/<stem>.txt (+ its record)."""
    from ccmgraph.curation.ingest import ingest as ingesting

    target, record = ingesting(file, stem, force)
    typer.echo(f"wrote {target} (sha256 {record.sha256}, {record.extractedWith}); next: ccmgraph draft {target}")


@app.command()
def draft(
    source: Annotated[
        list[Path] | None,
        typer.Argument(help="data/sources/<stem>.txt; with --evaluate, gold files (default: all of them)"),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing data/workplans/<stem>.ttl.")] = False,
    evaluate: Annotated[
        bool,
        typer.Option(
            "--evaluate",
            help="Draft each document that has a gold file as if unseen; precision, recall and unflagged wrong "
            "facts per kind.",
        ),
    ] = False,
    report: Annotated[Path | None, typer.Option(help="With --evaluate: also write the table here.")] = None,
) -> None:
    """Draft data/workplans/<stem>.ttl from a source text: every finding quoted, doubts flagged REVIEW."""
    if evaluate:
        from ccmgraph.curation.evaluate import evaluate as evaluating
        from ccmgraph.curation.evaluate import table

        missing = [str(p) for p in source or [] if not p.is_file()]
        if missing:
            _fail(f"{', '.join(missing)}: no such gold file")
        text = table(evaluating(source or None))
        typer.echo(text)
        if report:
            report.write_text(text, encoding="utf-8")
        return
    if not source or len(source) > 1:
        _fail("give one source text (data/sources/<stem>.txt), or --evaluate")
        return
    from ccmgraph.curation.draft_file import write_draft

    target = write_draft(source[0], force)
    flagged = len(re.findall(r'"REVIEW:', target.read_text(encoding="utf-8")))
    typer.echo(
        f"wrote {target} ({flagged} item(s) flagged REVIEW); next: ccmgraph build, then "
        f"ccmgraph serve and open /review/{target.stem}"
    )


@app.command(name="format")
def format_(
    files: Annotated[list[Path] | None, typer.Argument(help="Turtle files (default: data/workplans/*.ttl).")] = None,
    check: Annotated[bool, typer.Option("--check", help="Change nothing; list the places off the convention.")] = False,
) -> None:
    """Write curated Turtle files in the one convention (turtlefmt, the prefix block, long quotes wrapped)."""
    from ccmgraph.curation.style import check_file, format_file

    targets = files or sorted(paths.WORKPLANS.glob("*.ttl"))
    problems = []
    for path in targets:
        if check:
            problems += check_file(path)
        elif format_file(path):
            typer.echo(f"formatted {path}")
    for problem in problems:
        typer.echo(problem, err=True)
    if problems:
        _fail(f"{len(problems)} place(s) off the convention; `ccmgraph format` rewrites them")


def _ensure_dist() -> None:
    from ccmgraph import pipeline as building

    if building.is_stale():
        result = _run_build(quiet=True)
        if not result.report.conforms:
            typer.echo(str(result.report), err=True)
            _fail("validation failed; nothing to serve")
        building.write(result)


@app.command()
def query(
    sparql: Annotated[str, typer.Argument(help="A SPARQL query, or the path of a .rq file.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv, json or turtle.")] = "table",
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="name=value for a parameter the .rq file declares; repeatable."),
    ] = None,
    endpoint: Annotated[str | None, typer.Option("--sparql-endpoint", help="Query a remote endpoint.")] = None,
) -> None:
    """Run a SPARQL query against the built graph (SERVICE is refused, as on the server)."""
    from ccmgraph import cli_query
    from ccmgraph.sparql.guard import check_query
    from ccmgraph.store import open_store

    if fmt not in cli_query.FORMATS:
        _fail(f"unknown format {fmt!r} (table, csv, json or turtle)")
    text = cli_query.read(sparql, param or [])
    inspection = check_query(text)
    if inspection.kind == "update":
        raise errors.QueryRefused("updates are not accepted here: `ccmgraph query` only reads the graph")
    media = cli_query.media_type(inspection.form, fmt)
    if not endpoint:
        _ensure_dist()
    answer = open_store(endpoint).query(text, media)
    typer.echo(cli_query.as_text(answer, fmt))


def _given(ctx: typer.Context, parameter: str) -> bool:
    """Was ``parameter`` given on the command line (not left at its default)?"""
    source = ctx.get_parameter_source(parameter)
    return source is not None and source.name != "DEFAULT"  # typer may bundle its own click: by name


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    endpoint: Annotated[
        str | None,
        typer.Option(
            "--sparql-endpoint",
            help="Serve over a remote store: its SPARQL query endpoint (credentials from "
            "$CCMGRAPH_STORE_*; see docs/triple-stores.md).",
        ),
    ] = None,
    timeout: Annotated[float, typer.Option(help=help_of("timeout"))] = DEFAULTS.timeout,
    max_rows: Annotated[int, typer.Option(help=help_of("max_rows"))] = DEFAULTS.max_rows,
    max_result_mb: Annotated[int, typer.Option(help=help_of("max_result_mb"))] = DEFAULTS.max_result_mb,
    max_request_kb: Annotated[int, typer.Option(help=help_of("max_request_kb"))] = DEFAULTS.max_request_kb,
    workers: Annotated[int, typer.Option(help=help_of("workers"))] = DEFAULTS.workers,
    memory_mb: Annotated[int, typer.Option(help=help_of("memory_mb"))] = DEFAULTS.memory_mb,
    cache_mb: Annotated[int, typer.Option(help=help_of("cache_mb"))] = DEFAULTS.cache_mb,
    memory_copy_quads: Annotated[int, typer.Option(help=help_of("memory_copy_quads"))] = DEFAULTS.memory_copy_quads,
    client_queries: Annotated[int, typer.Option(help=help_of("client_queries"))] = DEFAULTS.client_queries,
    client_header: Annotated[str | None, typer.Option(help=help_of("client_header"))] = DEFAULTS.client_header,
    allow_update: Annotated[bool, typer.Option("--allow-update", help=help_of("allow_update"))] = DEFAULTS.allow_update,
    update_token: Annotated[
        str | None,
        typer.Option(show_default=False, help=help_of("update_token") + " (or $CCMGRAPH_UPDATE_TOKEN)"),
    ] = None,
    http_workers: Annotated[
        int,
        typer.Option(
            help="HTTP server processes, each with its own engine processes and cache (read-only servers only)."
        ),
    ] = 1,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    """Serve the SPARQL endpoint, API and pages (builds first when dist/ is missing or stale).

    Every option is also a setting of the environment ($CCMGRAPH_TIMEOUT, $CCMGRAPH_MAX_ROWS...:
    see ccmgraph/settings.py), which an option given here overrides."""
    import dataclasses

    import uvicorn

    from ccmgraph.execution.engine import SparqlSettings
    from ccmgraph.web.app import create_app

    # an option given overrides the environment; one not given leaves the environment's value (or the default)
    options = {
        "timeout": timeout,
        "max_rows": max_rows,
        "max_result_mb": max_result_mb,
        "max_request_kb": max_request_kb,
        "workers": workers,
        "memory_mb": memory_mb,
        "cache_mb": cache_mb,
        "memory_copy_quads": memory_copy_quads,
        "client_queries": client_queries,
        "client_header": client_header,
        "allow_update": allow_update,
        "update_token": update_token,
        "store_endpoint": endpoint,
    }
    option_of = {"store_endpoint": "endpoint"}  # the parameter's name where it is not the setting's
    given: dict[str, Any] = {name: value for name, value in options.items() if _given(ctx, option_of.get(name, name))}
    settings = Settings.from_environment(**given)
    sparql, endpoint = SparqlSettings.of(settings), settings.store_endpoint
    if http_workers > 1 and settings.allow_update:
        _fail("--allow-update needs a single HTTP process (--http-workers 1): each process has its own engine")
    if not endpoint:
        _ensure_dist()
    if http_workers <= 1:
        uvicorn.run(
            create_app(endpoint=endpoint, settings=sparql),
            host=host,
            port=port,
            log_level=log_level,
            timeout_graceful_shutdown=5,
        )
        return
    # each HTTP process reads the same settings back, with its share of the engine processes
    dataclasses.replace(settings, workers=max(1, sparql.pool_size // http_workers)).to_environment()
    uvicorn.run(
        "ccmgraph.web.app:app_from_settings",
        factory=True,
        workers=http_workers,
        host=host,
        port=port,
        log_level=log_level,
        timeout_graceful_shutdown=5,
    )


@app.command()
def trace(
    action: Annotated[int, typer.Argument(help="LAP action number (1-50).")],
    basis: Annotated[
        str,
        typer.Option(
            help="The weakest basis of a link to count: stated, objective, workplan "
            "(stated or inherited) or curator (curator judgement too)."
        ),
    ] = "workplan",
) -> None:
    """What serves a LAP action: element, work plan, basis of the link and the quote that says so."""
    from ccmgraph import catalog, cli_query
    from ccmgraph.analysis import service
    from ccmgraph.store import open_store

    if not 1 <= action <= 50:
        _fail(f"LAP actions are numbered 1 to 50, not {action}")
    try:
        counted = service.counted(basis)
    except errors.InvalidParameter:
        _fail(f"--basis {basis!r} is not a basis; use one of: {', '.join(service.BASES)}")
        return
    _ensure_dist()
    named = catalog.load()["activities-serving-action"]
    rows = open_store().select(named.sparql, named.bindings({"action": str(action), "basis": counted.basis}))
    shown = []
    for r in rows:
        quote = str(r["quote"] or "")
        shown.append(
            {
                "element": r["elementLabel"],
                "kind": str(r["kind"]).rsplit("#", 1)[-1],
                "work plan": r["workplanLabel"],
                "basis": r["basisLabel"],
                "quote": quote[:70] + ("…" if len(quote) > 70 else ""),
            }
        )
    typer.echo(
        "Counting links "
        + ", ".join(service.BASIS_LABELS[b] for b in counted.countedBases)
        + (" (--basis curator counts curator judgement too)" if counted.basis != "curator" else "")
    )
    typer.echo(cli_query.table(shown))


@app.command()
def publish(
    endpoint: Annotated[
        str, typer.Argument(help="The store's SPARQL query endpoint (Virtuoso: …/sparql; Oxigraph server: …/query).")
    ],
    graph_store: Annotated[
        str | None,
        typer.Option(
            help="Its SPARQL 1.1 Graph Store Protocol address (default: by the engine's convention: "
            "Virtuoso …/sparql-graph-crud-auth, Oxigraph …/store, Fuseki …/data)."
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what it would replace.")] = False,
    dist: Annotated[Path | None, typer.Option(help="Directory of the built dataset (default dist/).")] = None,
) -> None:
    """Load the built dataset into a remote store, each named graph replaced atomically, with the union
    graph that makes the default graph a set (Oxigraph server: its bulk load, then one MOVE per graph;
    other stores: one Graph Store Protocol PUT per graph). Progress goes to stderr.

    Credentials come from the environment, never from the command line: $CCMGRAPH_STORE_TOKEN (a bearer
    token), or $CCMGRAPH_STORE_USER and $CCMGRAPH_STORE_PASSWORD with $CCMGRAPH_STORE_AUTH=basic|digest
    (Virtuoso: digest).
    """
    from ccmgraph import publish as publishing
    from ccmgraph.store import remote_store

    if dist is None:
        _ensure_dist()
    nquads = (dist or paths.DIST) / "ccmgraph.nq"
    if not nquads.is_file():
        _fail(f"{nquads}: no such file (run `ccmgraph build`)")
    store = remote_store(endpoint, Settings.from_environment(), graph_store=graph_store)
    graphs = publishing.graphs_of(nquads)
    if dry_run:
        reports, unknown = publishing.dry_run(store, graphs)
        width = max(len(r.graph) for r in reports)
        typer.echo(f"would publish {nquads} to {store.graph_store} (nothing changed):")
        if unknown:
            typer.echo(f"  ({unknown}; what is there now is unknown)")
        for r in reports:
            verb = "write  " if r.before is None else "replace" if r.before else "create "
            now = "       ?" if r.before is None else f"{r.before:>8}"
            after = f"{r.loaded} triples" if r.loaded else "deleted (not in the dump)"
            typer.echo(f"  {verb} {r.graph:<{width}}  {now} triples now -> {after}")
        return
    reports = publishing.publish(store, nquads, lambda step: typer.echo(f"  {step}", err=True))
    width = max(len(r.graph) for r in reports)
    typer.echo(f"published {nquads} to {store.graph_store}:")
    typer.echo(f"  {'graph':<{width}}  {'before':>8}  {'loaded':>8}  {'counted':>8}")
    for r in reports:
        typer.echo(f"  {r.graph:<{width}}  {r.before:>8}  {r.loaded:>8}  {r.counted:>8}")
    typer.echo(f"version {store.version}; {sum(r.loaded for r in reports)} triples in {len(reports)} graphs")


reports = typer.Typer(no_args_is_help=True, help="Reports an analyst takes away (HTML, PDF, xlsx, CSV).")
app.add_typer(reports, name="report")


@reports.command("lap-review")
def lap_review(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File (default lap-review.FORMAT).")] = None,
    format: Annotated[str, typer.Option(help="html, pdf, xlsx or csv.")] = "html",
    basis: Annotated[str, typer.Option(help="The weakest basis of a link to count.")] = "workplan",
    first: Annotated[str | None, typer.Option("--from", help="First cycle, such as 2024-2025.")] = None,
    last: Annotated[str | None, typer.Option("--to", help="Last cycle, such as 2025-2026.")] = None,
    workplan: Annotated[list[str] | None, typer.Option(help="Only this work plan (key; repeatable).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress on the terminal.")] = False,
) -> None:
    """The LAP review: what the work plans did for each action, cycle by cycle, on what evidence."""
    from ccmgraph.analysis import review
    from ccmgraph.store import open_store
    from ccmgraph.web import report_formats as report

    if format not in report.FORMATS:
        _fail(f"--format {format!r} is not a format; use one of: {', '.join(report.FORMATS)}")
    _ensure_dist()
    with typer.progressbar(length=len(review.QUERIES), label="sections", file=sys.stderr, hidden=quiet) as bar:
        result = review.lap_review(
            open_store(),
            basis=basis,
            first=first,
            last=last,
            workplans=workplan or None,
            progress=lambda done, total: bar.update(1),
        )
    target = output or Path(f"lap-review.{format}")
    target.write_bytes(report.render(result, format))
    typer.echo(f"{target}: the LAP review at basis {result.basis}, cycles {', '.join(result.cycles)}")


if __name__ == "__main__":
    main()
