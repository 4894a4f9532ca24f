"""What naming the release on every answer costs: the app as it is against the same app without
its ReleaseHeader middleware (web/citation.py), in the same run, in process (the ASGI app called
directly: no network, no server), over the built dist/.

    .venv/bin/ccmgraph build
    .venv/bin/python bench/release_header.py [--requests 400]

Prints, per route, the median microseconds per request of each app and their ratio. The two apps
are measured in alternating rounds so that a busy machine slows both alike.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import httpx
from fastapi import FastAPI

from ccmgraph import paths
from ccmgraph.web import citation
from ccmgraph.web.app import create_app

ROUTES = [
    ("/sparql?query=ASK%7B%7D", "application/sparql-results+json"),  # the fast path (cached answer)
    ("/api/lap-actions/10", "application/json"),
    ("/id/lap-action/10", "text/html"),  # a page with its cite block
    ("/health", "application/json"),
]


def without_release_header(app: FastAPI) -> FastAPI:
    app.user_middleware = [m for m in app.user_middleware if m.cls is not citation.ReleaseHeader]
    app.middleware_stack = None  # built again, without it, on the first request
    return app


async def per_request(client: httpx.AsyncClient, path: str, accept: str, n: int) -> float:
    """Median seconds of ``n`` requests, after one that warms the caches."""
    (await client.get(path, headers={"Accept": accept})).raise_for_status()
    times = []
    for _ in range(n):
        start = time.perf_counter()
        await client.get(path, headers={"Accept": accept})
        times.append(time.perf_counter() - start)
    return statistics.median(times)


async def main(requests: int, rounds: int) -> None:
    apps = {"with header": create_app(dist=paths.DIST), "without": without_release_header(create_app(dist=paths.DIST))}
    results: dict[tuple[str, str], list[float]] = {}
    for app in apps.values():
        await app.state.engine.start()
    clients = {
        name: httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench")
        for name, app in apps.items()
    }
    try:
        for _ in range(rounds):
            for path, accept in ROUTES:
                for name, client in clients.items():
                    results.setdefault((path, name), []).append(await per_request(client, path, accept, requests))
    finally:
        for client in clients.values():
            await client.aclose()
        for app in apps.values():
            await app.state.engine.close()
    print(f"{requests} requests x {rounds} rounds per route and app, in process (median µs per request)\n")
    print("| route | with CCMGraph-Release | without | ratio |\n|---|---:|---:|---:|")
    for path, _ in ROUTES:
        a = statistics.median(results[(path, "with header")]) * 1e6
        b = statistics.median(results[(path, "without")]) * 1e6
        print(f"| `{path}` | {a:,.0f} | {b:,.0f} | {a / b:.2f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.rounds))
