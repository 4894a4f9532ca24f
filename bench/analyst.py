"""Benchmark of the analyst endpoints: median and p95 latency and throughput per endpoint.

    .venv/bin/python bench/analyst.py [--dist DIST] [--n 50]

Runs the FastAPI app in process (httpx over ASGI, no network) on the graph in DIST (default
dist/, the seed graph). For the million-triple graph, point --dist at a dist/ built from the
synthetic generator when one exists (bench/ has none yet).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from pathlib import Path

import httpx

from ccmgraph.api import create_app
from ccmgraph.store import EmbeddedStore

ENDPOINTS = [
    "/api/lap-actions",
    "/api/lap-actions/10",
    "/api/coverage",
    "/api/coverage?cycle=2025",
    "/api/workplans",
    "/api/workplans/gso-2024-2025",
    "/api/states/DEU",
    "/api/partners",
    "/api/partners/unidir",
    "/api/timeline?from=2025-01-01&to=2025-06-30",
    "/api/compare?from=gso-2024-2025&to=gso-2025-2026",
    "/api/search?q=gender",
    "/id/workplan/gso-2024-2025/activity/1c.ttl",
    "/id/lap-action/10.html",
    "/coverage",
    "/timeline",
]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dist", type=Path, default=None)
    parser.add_argument("--n", type=int, default=50, help="requests per endpoint")
    args = parser.parse_args()
    t = time.perf_counter()
    store = EmbeddedStore(args.dist)
    print(f"loaded graph in {time.perf_counter() - t:.2f} s")
    app = create_app(store=store)
    if args.dist:
        app.state.dist = args.dist
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        print(f"{'endpoint':58} {'median ms':>10} {'p95 ms':>8} {'req/s':>8}")
        worst = 0.0
        for url in ENDPOINTS:
            r = await client.get(url)  # warm-up
            assert r.status_code == 200, (url, r.status_code, r.text[:200])
            times = []
            start = time.perf_counter()
            for _ in range(args.n):
                t0 = time.perf_counter()
                r = await client.get(url)
                times.append((time.perf_counter() - t0) * 1000)
            total = time.perf_counter() - start
            times.sort()
            p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
            worst = max(worst, p95)
            print(f"{url:58} {statistics.median(times):10.1f} {p95:8.1f} {args.n / total:8.1f}")
        print(f"worst p95: {worst:.1f} ms (goal: < 50 ms on the seed graph)")


if __name__ == "__main__":
    asyncio.run(main())
