"""Every setting of ccmgraph, declared once with its default and help, and the project's paths.

This is the only module that reads the environment. A setting ``name`` is read from
``$CCMGRAPH_NAME`` (``max_rows`` from ``$CCMGRAPH_MAX_ROWS``); the ``ccmgraph serve`` options take
their defaults and help from here, and override the environment. The project's files are found
from a ``ProjectPaths``: ``$CCMGRAPH_ROOT`` when set, else the nearest directory above the working
directory holding ``pyproject.toml`` and ``data/`` (so that a copy of the project acts on itself),
else the checkout this package was installed from.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ccmgraph import errors

PREFIX = "CCMGRAPH_"
MiB = 1024 * 1024


def _setting(default: Any, help: str, secret: bool = False) -> Any:
    return field(default=default, metadata={"help": help, "secret": secret}, repr=not secret)


@dataclass(frozen=True)
class Settings:
    """The settings, each read from ``$CCMGRAPH_<NAME>``; the defaults are those below."""

    root: Path | None = _setting(None, "The project's directory (default: found from the working directory).")
    dist: Path | None = _setting(None, "Where the build writes and the server reads (default: <root>/dist).")
    draft_max_kb: int = _setting(3000, "KB of text `ccmgraph draft` reads; a larger text is refused.")
    # -- the SPARQL endpoint's limits (ccmgraph serve)
    timeout: float = _setting(10.0, "Seconds a SPARQL query may run before it is stopped.")
    max_rows: int = _setting(100_000, "Rows (or triples) in a SPARQL answer; longer ones are cut.")
    max_result_mb: int = _setting(64, "MiB in a SPARQL answer; larger ones are cut.")
    max_request_kb: int = _setting(1024, "KiB in a query text or request body.")
    workers: int = _setting(0, "Query engine processes (0: one per CPU, at least 2).")
    memory_mb: int = _setting(2048, "MiB a query worker may allocate beyond the graph (0: no limit).")
    cache_mb: int = _setting(64, "MiB of SPARQL answers kept in the result cache (0: off).")
    fast_table_mb: int = _setting(32, "MiB of small GET answers kept by the /sparql fast path.")
    patience: float = _setting(0.05, "Seconds a query waits for a busy engine before an extra worker is forked.")
    # -- fairness under load (ccmgraph.execution.admission)
    client_queries: int = _setting(
        4, "SPARQL queries one client may have running at once; more are answered 429 (0: no limit)."
    )
    client_header: str | None = _setting(
        None,
        "Request header naming the client for the per-client limit, set by a proxy in front "
        "(X-Forwarded-For: its last address); default: the remote address.",
    )
    max_queries: int = _setting(
        0, "SPARQL queries running or waiting at once in all; more are answered 503 (0: 16 per engine process)."
    )
    slow_after: float = _setting(
        0.5, "Seconds after which a running query's worker yields the CPU to quicker ones (0: never)."
    )
    page_cache_mb: int = _setting(32, "MiB of rendered pages and API answers kept per graph version (0: off).")
    report_pdf_max_elements: int = _setting(
        2000,
        "Elements a LAP review may list for the server to make its PDF (WeasyPrint took 9 s for the 292 of "
        "the seed graph; for 14,600 it had not finished after 10 minutes, holding 3 GB); a longer one's PDF is refused "
        "with what to do instead (0: no limit; `ccmgraph report lap-review --format pdf` has none).",
    )
    memory_copy_quads: int = _setting(
        500_000,
        "Largest graph (in quads) the web process copies into memory for the pages and the API; a larger "
        "one is read from the build's store on disk, whose files the page cache holds once for every "
        "process (0: never copy).",
    )
    allow_update: bool = _setting(False, "Accept SPARQL Update (needs the update token).")
    update_token: str | None = _setting(
        None, "Bearer token that updates must carry (with --allow-update).", secret=True
    )
    # -- a remote store (ccmgraph serve/query --sparql-endpoint, ccmgraph publish)
    store_endpoint: str | None = _setting(None, "A remote store's SPARQL query endpoint to serve over.")
    store_timeout: float = _setting(30.0, "Seconds to wait for a remote store's answer.")
    store_version_ttl: float = _setting(2.0, "Seconds a remote store's data version, once read, is trusted.")
    store_token: str | None = _setting(None, "Bearer token for the remote store.", secret=True)
    store_user: str | None = _setting(None, "User name for the remote store (with store_password).")
    store_password: str | None = _setting(None, "Password for the remote store.", secret=True)
    store_auth: str = _setting("basic", "How user and password are sent: basic or digest (Virtuoso: digest).")

    def __post_init__(self) -> None:
        if self.store_auth not in ("basic", "digest"):
            raise errors.SettingError(f"${PREFIX}STORE_AUTH must be basic or digest, not {self.store_auth!r}")

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """The settings from ``environ`` (default: this process's), then ``overrides``."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = env.get(PREFIX + f.name.upper(), "").strip()
            if raw:
                values[f.name] = _convert(f.name, raw, _KINDS[str(f.type)])
        return cls(**{**values, **overrides})

    def to_environment(self, environ: MutableMapping[str, str] | None = None) -> None:
        """Write the settings that differ from the defaults as ``$CCMGRAPH_*``, for child processes
        (uvicorn's workers) to read back with ``from_environment``; secrets are never written."""
        env = os.environ if environ is None else environ
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if not f.metadata["secret"] and value is not None and value != f.default:
                env[PREFIX + f.name.upper()] = str(value)

    @property
    def paths(self) -> ProjectPaths:
        root = self.root or discover_root()
        return ProjectPaths(root, self.dist or root / "dist")


# the declared types, as strings (``from __future__ import annotations``), to their readers
_KINDS: dict[str, type] = {
    "bool": bool,
    "float": float,
    "int": int,
    "str": str,
    "str | None": str,
    "Path | None": Path,
}
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def _convert(name: str, raw: str, kind: type) -> Any:
    if kind is str:
        return raw.lower() if name == "store_auth" else raw
    if kind is bool:
        if raw.lower() not in _TRUE + _FALSE:
            raise errors.SettingError(f"${PREFIX}{name.upper()}={raw!r} is not a yes or no (true, false, 1, 0)")
        return raw.lower() in _TRUE
    try:
        return kind(raw)
    except ValueError:
        raise errors.SettingError(f"${PREFIX}{name.upper()}={raw!r} is not a {kind.__name__}") from None


DEFAULTS = Settings()


def help_of(name: str) -> str:
    """The help text of setting ``name`` (for the CLI's options)."""
    return next(f.metadata["help"] for f in dataclasses.fields(Settings) if f.name == name)


def discover_root(start: Path | None = None) -> Path:
    """The nearest directory from ``start`` (default: the working directory) up that holds
    ``pyproject.toml`` and ``data/``; else the checkout this package lives in."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "pyproject.toml").is_file() and (candidate / "data").is_dir():
            return candidate
    return Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class ProjectPaths:
    """Where the project's files are: everything relative to ``root``, the build output in ``dist``."""

    root: Path
    dist: Path

    @classmethod
    def at(cls, root: Path, dist: Path | None = None) -> ProjectPaths:
        return cls(root, dist or root / "dist")

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def ontology(self) -> Path:
        return self.ontology_dir / "ccm.ttl"

    @property
    def shapes(self) -> Path:
        return self.ontology_dir / "shapes.ttl"

    @property
    def context(self) -> Path:
        return self.ontology_dir / "context.jsonld"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def sources(self) -> Path:
        return self.data / "sources"

    @property
    def reference(self) -> Path:
        return self.data / "reference"

    @property
    def workplans(self) -> Path:
        return self.data / "workplans"

    @property
    def queries(self) -> Path:
        return self.root / "queries"

    @property
    def views(self) -> Path:
        """The analyst API's and pages' queries."""
        return self.queries / "views"


def child_environment(**extra: str) -> dict[str, str]:
    """This process's environment with ``extra`` set: for a subprocess that must see the same settings."""
    return {**os.environ, **extra}
