"""Every error the project raises on purpose, in one hierarchy.

Each class is a kind of failure with a message written for people; the interfaces decide how
to show it (the CLI prints it and exits 1, the web app answers it with one fixed status per
kind, in the format the client asked for: see ``ccmgraph.web.errors``). Modules raise these,
or subclasses of them, and never an HTTP exception.
"""

from __future__ import annotations

from collections.abc import Sequence


class CcmgraphError(Exception):
    """Base class: ``str(error)`` is the readable message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# -- the client's input ---------------------------------------------------------------------


class InputError(CcmgraphError):
    """The request cannot be answered as it stands (malformed, too large, refused)."""


class QuerySyntaxError(InputError):
    """A SPARQL text the engine cannot parse; the message says where and what was expected."""


class QueryRefused(InputError):
    """A query or update the endpoint will not run (SERVICE, LOAD, an update when read-only)."""


class QueryEvaluationError(InputError):
    """A query that parsed but failed while it ran (a type error the engine reports, say), or a
    remote store's error answer. With ``operation`` ("query", "update"), the message says which
    failed: "Query evaluation failed: ..."."""

    def __init__(self, message: str, operation: str | None = None) -> None:
        lead = f"{operation.capitalize()} evaluation failed" if operation else ""
        super().__init__(f"{lead}: {message}" if lead and not message.startswith(lead) else message)


class InvalidParameter(InputError):
    """A parameter with a value that is not allowed, or a parameter that does not exist."""

    def __init__(self, name: str, message: str, allowed: Sequence[str] = ()) -> None:
        text = f"parameter {name!r}: {message}"
        if allowed:
            text += f" (allowed: {', '.join(allowed)})"
        super().__init__(text)
        self.name = name
        self.allowed = tuple(allowed)


class NotFound(InputError):
    """No such resource, named query, work plan or file."""


class Gone(NotFound):
    """A resource a release published and a later one retired without a successor."""


class NotAcceptable(InputError):
    """None of the formats the client accepts can carry this answer."""


class RequestTooLarge(InputError):
    """A request body or query text over the endpoint's limit."""


class UnsupportedMediaType(InputError):
    """A request body of a type (or charset) the endpoint does not read."""


class MethodNotAllowed(InputError):
    """An HTTP method the resource does not answer; ``allow`` lists those it does."""

    def __init__(self, message: str, allow: str) -> None:
        super().__init__(message)
        self.allow = allow


class Unauthorized(InputError):
    """An operation that needs a credential the request does not carry (or carries wrong)."""


class Forbidden(InputError):
    """An operation this service does not permit (an update on a read-only endpoint, a wrong token)."""


# -- the service ----------------------------------------------------------------------------


class LimitExceeded(CcmgraphError):
    """A query stopped at the endpoint's time limit: retrying the same query will not help."""

    def __init__(self, message: str, limit: float) -> None:
        super().__init__(message)
        self.limit = limit


class Unavailable(CcmgraphError):
    """The engine cannot take the query now (busy, restarting, out of memory): retry later."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TooManyRequests(Unavailable):
    """This client has as many queries running as the service allows one client: retry when one ends."""


class UpstreamError(CcmgraphError):
    """A remote SPARQL store answered with an error or could not be reached."""


# -- the data (build time) ------------------------------------------------------------------


class DataError(CcmgraphError):
    """A data, ontology or query file the build (or a curator's tool: ingest, format) cannot
    accept; the message names file and line. Each step raises its own subclass (``AuthoringError``,
    ``QuoteError``, ``PeriodError``, ``CatalogError``...)."""


# -- the settings ---------------------------------------------------------------------------


class SettingError(CcmgraphError):
    """A setting (an option or a $CCMGRAPH_* variable) with a value that cannot be used."""
