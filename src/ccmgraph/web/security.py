"""Security headers on every answer, and HEAD wherever GET answers.

The pages load scripts, styles and images from this server only: no inline script, no inline
style attribute (the Content-Security-Policy below would block them, so a template that adds one
fails the browser tests). A page that must carry an inline ``<style>`` block (pyLODE's ontology
documentation) sets its own policy with the block's hash (``policy_for``); the middleware leaves a
policy that a route has set alone.

HEAD: Starlette answers HEAD for routes declared with GET, but not for a route added with
``methods=["GET"]`` only, nor for the mounted and hand-written ones; so a HEAD request is run
as a GET and its body dropped, which is what RFC 9110 asks of HEAD.
"""

from __future__ import annotations

import base64
import hashlib
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",  # Swagger UI's icons are data: URIs in its stylesheet
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def policy(**overrides: str) -> str:
    return "; ".join(f"{k} {overrides.get(k.replace('-', '_'), v)}" for k, v in POLICY.items())


HEADERS = [
    (b"content-security-policy", policy().encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.S | re.I)


def policy_for(html: str) -> str:
    """The site's policy, allowing the page's own inline ``<style>`` blocks by their hash."""
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(m.encode()).digest()).decode()}'" for m in _STYLE.findall(html)
    )
    return policy(style_src=f"'self' {hashes}".strip())


class SecurityHeaders:
    """Pure ASGI middleware (no buffering: streamed answers stay streamed)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [(k, v) for k, v in HEADERS if k not in present]
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app(scope, receive, send_with_headers)
