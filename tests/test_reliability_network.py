"""Network faults at the pipeline level: `collect` with a config pointing at a local replay server.

tests/test_connectors_http.py proves the client's part (retries, backoff, size
cap, redirects) request by request; here each fault hits a whole scheduled
run, and the store afterwards is what matters: what was read before the fault
is kept, the cursor does not move past what was stored, the other sources
still run, and the run after the site recovers completes without duplicates.
"""
from __future__ import annotations

import gzip
import socket
import tracemalloc
import zlib

import pytest

from shenava.config import load_config
from shenava.connectors.replay import ReplayServer, Reply
from shenava.pipeline import collect
from shenava.storage import Store
from test_reliability_kit import (FIXTURES, assert_store_sound, config_head, file_source, rows, telegram_source,
                                  write_config, write_reviews)

TG = FIXTURES / "telegram"
NEWEST, PAGE2, PAGE3 = "/s/tehran_gadget", "/s/tehran_gadget?before=21", "/s/tehran_gadget?before=11"
ON_PAGE1, ALL_POSTS = 10, 26
DONE = '{"gaps": [], "last_id": 30}'


@pytest.fixture
def server():
    with ReplayServer.from_folder(TG) as s:
        yield s


def run(folder, base_url: str, **http) -> tuple[dict, dict]:
    """Collect a CSV source and the Telegram channel at `base_url`; returns reports and per-source counts."""
    if not (folder / "reviews.csv").exists():
        write_reviews(folder / "reviews.csv", 30)
    config = load_config(write_config(folder, file_source(), telegram_source(base_url), head=config_head(**http)))
    with Store.open(config.store_path) as store:
        reports = {r.source: r for r in collect(config, store)}
    db = config.store_path
    assert_store_sound(db)
    counts = dict(rows(db, "SELECT source, count(*) FROM mentions GROUP BY source"))
    assert reports["reviews"].error is None and counts["reviews"] == 30, "one failing site stops no other source"
    return reports, counts


def cursor(folder, source: str = "tg") -> str | None:
    found = rows(folder / "shenava.db", "SELECT state FROM cursors WHERE source = ?", (source,))
    return found[0][0] if found else None


def last_run(folder, source: str = "tg") -> tuple[str, str]:
    return rows(folder / "shenava.db", "SELECT status, error FROM runs WHERE source = ? ORDER BY id DESC LIMIT 1",
                (source,))[0]


def recover(folder, server, route: str, page: str) -> None:
    """The site is healthy again: the next run reads what the failed one could not, once."""
    server.add(route, Reply.file(TG / page))
    reports, counts = run(folder, server.base_url)
    assert reports["tg"].error is None and counts["tg"] == ALL_POSTS
    assert cursor(folder) == DONE


def test_connection_refused_fails_the_source_only(tmp_path):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    reports, counts = run(tmp_path, dead)
    assert "ConnectError" in reports["tg"].error and dead in reports["tg"].error
    assert "tg" not in counts and cursor(tmp_path) is None
    assert last_run(tmp_path)[0] == "failed"


def test_slow_response_past_the_timeout(tmp_path, server):
    server.add(NEWEST, Reply.file(TG / "channel_newest.html", delay=1.0))
    reports, counts = run(tmp_path, server.base_url, timeout=0.3, max_retries=1)
    assert "timed out after 0.3s (2 attempts)" in reports["tg"].error
    assert server.served(NEWEST) == 2 and "tg" not in counts and cursor(tmp_path) is None
    recover(tmp_path, server, NEWEST, "channel_newest.html")


@pytest.mark.parametrize("storm", [
    [Reply(429, headers={"Retry-After": "1"}), Reply(429, headers={"Retry-After": "0"})],
    [Reply(429), Reply(429)],
    [Reply(500), Reply(502), Reply(503)],
], ids=["429 with Retry-After", "429 without Retry-After", "5xx burst"])
def test_a_burst_shorter_than_the_retries_costs_nothing(tmp_path, server, storm):
    server.add(PAGE2, [*storm, Reply.file(TG / "channel_before_21.html")])
    reports, counts = run(tmp_path, server.base_url, max_retries=len(storm))
    assert reports["tg"].error is None and counts["tg"] == ALL_POSTS and cursor(tmp_path) == DONE
    assert server.served(PAGE2) == len(storm) + 1
    if "Retry-After" in storm[0].headers:
        asked = [r.at for r in server.requests if r.target == PAGE2]
        assert asked[1] - asked[0] >= 0.95, "Retry-After: 1 was not waited out"


@pytest.mark.parametrize("reply, error", [
    (Reply(429), "HTTP 429 after 3 attempts"),
    (Reply(429, headers={"Retry-After": "3600"}), "asks to retry after 3600s"),
    (Reply(503, "maintenance"), "HTTP 503 after 3 attempts"),
    (Reply.file(TG / "channel_before_21.html", truncate_at=2000), "RemoteProtocolError"),
], ids=["429 storm", "Retry-After: 1 hour", "5xx storm", "closed mid-body"])
def test_a_storm_on_page_two_keeps_page_one_and_the_next_run_completes(tmp_path, server, reply, error):
    server.add(PAGE2, reply)
    reports, counts = run(tmp_path, server.base_url)
    assert error in reports["tg"].error and PAGE2.split("?")[0] in reports["tg"].error
    assert counts["tg"] == ON_PAGE1, "posts read before the storm are stored"
    assert cursor(tmp_path) is None, "the cursor did not move past what is missing"
    assert last_run(tmp_path) == ("failed", reports["tg"].error)
    if "3600" in error:
        assert server.served(PAGE2) == 1, "a long Retry-After is not hammered"
    recover(tmp_path, server, PAGE2, "channel_before_21.html")


@pytest.mark.parametrize("location, error", [
    ("http://localhost:{port}/s/tehran_gadget", "redirected to another host"),
    ("file:///etc/passwd", "not an http(s) URL"),
    ("ftp://127.0.0.1:{port}/s/tehran_gadget", "not an http(s) URL"),
], ids=["other host", "file:", "ftp:"])
def test_redirect_to_another_host_is_not_followed(tmp_path, server, location, error):
    with ReplayServer.from_folder(TG) as other:
        server.add(NEWEST, Reply.redirect(location.format(port=other.base_url.rsplit(":", 1)[1])))
        reports, counts = run(tmp_path, server.base_url)
        assert error in reports["tg"].error and "tg" not in counts
        assert other.requests == [] and server.served(NEWEST) == 1


def test_redirect_to_a_configured_host_is_followed(tmp_path, server):
    with ReplayServer.from_folder(TG) as other:
        # Both listen on 127.0.0.1; "localhost" makes the target another host name.
        moved = other.base_url.replace("127.0.0.1", "localhost")
        server.add(NEWEST, Reply.redirect(moved + NEWEST))
        reports, counts = run(tmp_path, server.base_url, allowed_redirect_hosts=["localhost"])
    assert reports["tg"].error is None and counts["tg"] == ALL_POSTS
    assert [r.target for r in other.requests] == [NEWEST]


def _compressed(kind: str, data: bytes) -> bytes:
    if kind == "gzip":
        return gzip.compress(data)
    packer = zlib.compressobj(wbits=zlib.MAX_WBITS if kind == "deflate" else -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize("kind", ["gzip", "deflate", "raw deflate"])
def test_compressed_pages_are_inflated(tmp_path, server, kind):
    page = (TG / "channel_newest.html").read_bytes()
    server.add(NEWEST, Reply(body=_compressed(kind, page), headers={
        "Content-Type": "text/html; charset=utf-8", "Content-Encoding": kind.split()[-1]}))
    reports, counts = run(tmp_path, server.base_url)
    assert reports["tg"].error is None and counts["tg"] == ALL_POSTS


def test_a_corrupt_gzip_body_is_named(tmp_path, server):
    server.add(NEWEST, Reply(body=b"\x1f\x8b\x08\x00" + b"garbage" * 50, headers={"Content-Encoding": "gzip"}))
    reports, counts = run(tmp_path, server.base_url)
    assert "gzip body does not inflate" in reports["tg"].error and NEWEST in reports["tg"].error


BIG = 50_000_000


@pytest.mark.parametrize("reply, error", [
    (Reply(body=b"<html>" + b" " * BIG, headers={"Content-Type": "text/html"}), "response is 50,000,0"),
    (Reply(body=gzip.compress(b"<html>" + b" " * BIG, 1), headers={"Content-Type": "text/html",
                                                                  "Content-Encoding": "gzip"}), "grew past"),
], ids=["50 MB declared", "50 MB gzip bomb"])
def test_a_50_mb_response_is_refused_with_bounded_memory(tmp_path, server, reply, error):
    server.add(NEWEST, reply)
    tracemalloc.start()
    try:
        reports, counts = run(tmp_path, server.base_url)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert error in reports["tg"].error and "http.max_bytes (10,000,000" in reports["tg"].error
    assert server.served(NEWEST) == 1, "a response too large is not fetched again"
    assert peak < 25_000_000, f"peak {peak:,} bytes while refusing a 50 MB response with a 10 MB cap"
    assert "tg" not in counts
