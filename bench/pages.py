"""Requests/s of each public page type, cached and uncached, beside /healthz, on the production server.

Starts scripts/serve.sh (production settings, gunicorn 2 workers, database cache) on a temporary SQLite
file holding seed_demo, renders every page once (image renditions are made on first view), then for each
page type measures, with the same clients in the same run:
- cached: the same URL again and again (answered from the page cache);
- uncached: the same page with a new `?bench=N` every time (a query parameter the page cache does not
  store), so each request renders the page, reusing only the per-process site data.
/healthz is measured right before each page type; each ratio is to that /healthz figure.

    .venv/bin/python bench/pages.py             # 3 s per measurement, 8 clients
    .venv/bin/python bench/pages.py --smoke     # a fraction of a second each; run by tests/public_site

Goal: cached pages at least 1/2 of /healthz, uncached at least 1/4.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.server import ProductionServer, hammer, percentile, prepare_demo, request  # noqa: E402

PAGE_TYPES = ["homepage", "programindexpage", "programpage", "newsindexpage", "newspage", "storyindexpage",
              "successstorypage"]


def page_urls(workdir: Path) -> dict[str, str]:
    """One live URL per page type, relative to the default site's root page."""
    with sqlite3.connect(workdir / "db.sqlite3") as db:
        root = db.execute(
            "SELECT p.url_path FROM wagtailcore_site s JOIN wagtailcore_page p ON p.id = s.root_page_id "
            "WHERE s.is_default_site"
        ).fetchone()[0]
        rows = db.execute(
            "SELECT ct.model, p.url_path FROM wagtailcore_page p JOIN django_content_type ct "
            "ON ct.id = p.content_type_id WHERE ct.app_label = 'public_pages' AND p.live ORDER BY p.path"
        ).fetchall()
    urls: dict[str, str] = {}
    for model, url_path in rows:
        if model in PAGE_TYPES and model not in urls and url_path.startswith(root):
            urls[model] = "/" + url_path[len(root):]
    return urls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="short measurements, for the test suite")
    parser.add_argument("--seconds", type=float, default=3.0, help="seconds per measurement")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args(argv)
    seconds = 0.4 if args.smoke else args.seconds

    workdir = Path(tempfile.mkdtemp(prefix="sigap-pages-"))
    try:
        t0 = time.perf_counter()
        prepare_demo(workdir)
        urls = page_urls(workdir)
        print(f"seed_demo loaded in {time.perf_counter() - t0:.1f} s; pages: {', '.join(urls.values())}")
        failed = False
        with ProductionServer(workdir, workers=args.workers) as server:
            for url in urls.values():  # first views make the image renditions
                for _ in range(args.workers + 1):
                    status = request(server.port, "GET", url)[0]
                    failed |= status != 200
            print(f"serve.sh (production settings, database cache), gunicorn {args.workers} workers, "
                  f"{args.clients} clients, {seconds:g} s per measurement")
            print(f"{'page':<34} {'kind':<9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>6} "
                  f"{'x healthz':>9}")
            rows = []
            # /healthz right before each page type: the machine's load changes from one minute to the
            # next, so each page is compared with the /healthz measured beside it.
            for url in urls.values():
                base = hammer(server.port, lambda n: "/healthz", seconds, args.clients)
                rows.append(("/healthz", "", base, base.rate))
                rows.append((url, "cached", hammer(server.port, lambda n, url=url: url, seconds, args.clients),
                             base.rate))
                rows.append((url, "uncached", hammer(server.port, lambda n, url=url: f"{url}?bench={n}", seconds,
                                                     args.clients), base.rate))
            for label, kind, load, base in rows:
                ratio = load.rate / base if base else float("nan")
                print(f"{label:<34} {kind:<9} {load.rate:>8.1f} {percentile(load.latencies, 0.5):>8.1f} "
                      f"{percentile(load.latencies, 0.95):>8.1f} {load.errors:>6} {ratio:>9.2f}")
                failed |= bool(load.errors)
            cached = [load.rate / base for _label, kind, load, base in rows if kind == "cached" and base]
            uncached = [load.rate / base for _label, kind, load, base in rows if kind == "uncached" and base]
            print(f"cached pages {min(cached):.2f}-{max(cached):.2f} x the /healthz beside them (goal >= 0.5), "
                  f"uncached {min(uncached):.2f}-{max(uncached):.2f} x (goal >= 0.25)")
        return 1 if failed else 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
