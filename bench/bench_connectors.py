"""Throughput of the Telegram page parser and the generic website scraper on recorded pages.

    python bench/bench_connectors.py        (or: make bench / python -m bench connectors)

Two figures each: the parser alone on pages already in memory, and the whole
connector (HTTP through a local replay server, parse, mentions) end to end.
The pages are the test fixtures in tests/fixtures/; sizes are printed so the
figures can be read per kilobyte too. For the parsers "mentions" counts every
post or comment parsed; end to end it counts the mentions the connector yields
(service messages and caption-less media are dropped).
"""
from __future__ import annotations

import platform
import time
from pathlib import Path

from bs4 import BeautifulSoup

from shenava.connectors.base import build_connector
from shenava.connectors.replay import ReplayServer, Reply, replay_config
from shenava.connectors.telegram_html import parse_channel_page, parse_discussion

ROOT = Path(__file__).resolve().parent.parent
TG = ROOT / "tests" / "fixtures" / "telegram"
WEB = ROOT / "tests" / "fixtures" / "website"
REPEATS = 5


def best_of(fn, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def report(name: str, pages: int, items: int, seconds: float, kb: float) -> None:
    print(f"{name:<44} {pages / seconds:8.1f} pages/s {items / seconds:9.1f} mentions/s "
          f"({pages} pages, {items} items, {kb:.0f} KB, best of {REPEATS}: {seconds * 1000:.1f} ms)")


def telegram_parser() -> None:
    names = ["channel_newest.html", "channel_before_21.html", "channel_before_11.html", "channel_newest_run2.html"]
    pages = [(TG / n).read_text(encoding="utf-8") for n in names] * 10
    kb = sum(len(p.encode()) for p in pages) / 1024
    items = sum(len(parse_channel_page(p, "bench", "tehran_gadget").posts) for p in pages)
    seconds = best_of(lambda: [parse_channel_page(p, "bench", "tehran_gadget") for p in pages])
    report("telegram t.me/s parser (in memory)", len(pages), items, seconds, kb)

    threads = [(TG / n).read_text(encoding="utf-8") for n in ("discussion_30.html", "discussion_30_run2.html",
                                                              "discussion_29.html")] * 20
    kb = sum(len(p.encode()) for p in threads) / 1024
    items = sum(len(parse_discussion(p, "bench").comments) for p in threads)
    seconds = best_of(lambda: [parse_discussion(p, "bench") for p in threads])
    report("telegram comment embed parser (in memory)", len(threads), items, seconds, kb)


def collect_once(config) -> int:
    """One full collection of the config's first source from an empty cursor; how many mentions."""
    conn = build_connector(config, config.sources[0])
    try:
        return len(list(conn.collect({})))
    finally:
        conn.close()


def telegram_connector() -> None:
    with ReplayServer.from_folder(TG) as server:
        config = replay_config({"name": "tg", "kind": "telegram", "channel": "tehran_gadget",
                                "base_url": server.base_url})

        items = collect_once(config)
        pages = len(server.requests)
        seconds = best_of(lambda: collect_once(config))
    kb = sum((TG / n).stat().st_size for n in ("channel_newest.html", "channel_before_21.html",
                                                "channel_before_11.html")) / 1024
    report("telegram connector end to end (HTTP+parse)", pages, items, seconds, kb)


SHOP = {"container": "section#reviews", "item": "article.review", "text": ".review-body", "author": ".review-author",
        "date": "time, .review-date", "permalink": "a.review-link", "id_attr": "data-review-id",
        "next_page": "a.pagination-next"}


def website_scraper() -> None:
    config = replay_config({"name": "shop", "kind": "website", "start_urls": ["http://bench.invalid/r"], **SHOP})
    conn = build_connector(config, config.sources[0])
    names = ["reviews_page1.html", "reviews_page2.html", "reviews_page3.html", "reviews_run2_page1.html"]
    pages = [(WEB / n).read_text(encoding="utf-8") for n in names] * 25
    kb = sum(len(p.encode()) for p in pages) / 1024

    def parse_all() -> int:
        return sum(len(conn._items(BeautifulSoup(p, "html.parser"), "http://bench.invalid/r")) for p in pages)

    items = parse_all()
    seconds = best_of(parse_all)
    report("website scraper, CSS selectors (in memory)", len(pages), items, seconds, kb)

    with ReplayServer() as server:
        server.add("/robots.txt", Reply.file(WEB / "robots.txt"))
        server.add("/product/7781/reviews", Reply.file(WEB / "reviews_page1.html"))
        for n in (2, 3):
            server.add(f"/product/7781/reviews?page={n}", Reply.file(WEB / f"reviews_page{n}.html"))
        config = replay_config({"name": "shop", "kind": "website",
                                "start_urls": [server.url("/product/7781/reviews")], **SHOP})

        items = collect_once(config)
        seconds = best_of(lambda: collect_once(config))
    kb = sum((WEB / f"reviews_page{n}.html").stat().st_size for n in (1, 2, 3)) / 1024
    report("website connector end to end (robots+HTTP+parse)", 3, items, seconds, kb)


def main() -> None:
    started = time.perf_counter()
    telegram_parser()
    telegram_connector()
    website_scraper()
    print(f"(python {platform.python_version()}, {time.perf_counter() - started:.1f} s total)")


if __name__ == "__main__":
    main()
