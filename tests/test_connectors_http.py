"""The shared HTTP client against a real local server: retries, limits, redirects, charsets."""
from __future__ import annotations

import gzip
import threading
import time

import httpx
import pytest

from shenava.connectors.charset import decode_body
from shenava.connectors.http import HttpClient, HttpStatusError, parse_retry_after
from shenava.connectors.replay import ReplayServer, Reply, fast_http_settings
from shenava.errors import FetchError, LayoutChanged

PERSIAN = "گوشي رو خريدم ولي باتريش زود تموم ميشه، پشتيباني هم جواب نميده 😕"  # Arabic ي, as cp1256 writes it


@pytest.fixture
def server():
    with ReplayServer() as s:
        yield s


def client(**kw) -> HttpClient:
    return HttpClient(fast_http_settings(**kw))


def test_replay_server_serves_records_and_matches_query_before_path(server):
    server.add("/s/chan", Reply.html("<p>newest</p>"))
    server.add("/s/chan?before=20", Reply.html("<p>older</p>"))
    with client() as c:
        assert "newest" in c.get(server.url("/s/chan")).text
        assert "older" in c.get(server.url("/s/chan"), params={"before": 20}).text
        assert c.get(server.url("/s/chan?other=1")).text == "<p>newest</p>"
    assert [r.target for r in server.requests] == ["/s/chan", "/s/chan?before=20", "/s/chan?other=1"]
    assert server.requests[0].headers["User-Agent"].startswith("shenava/")


def test_unknown_path_is_a_404_status_error(server):
    with client() as c, pytest.raises(HttpStatusError) as err:
        c.get(server.url("/nothing"))
    assert err.value.status == 404 and "/nothing" in str(err.value)


def test_429_with_retry_after_is_honoured_then_succeeds(server):
    server.add("/api", [Reply(429, headers={"Retry-After": "1"}), Reply.json({"ok": True})])
    started = time.monotonic()
    with client() as c:
        assert c.get(server.url("/api")).json() == {"ok": True}
    gap = server.requests[1].at - server.requests[0].at
    assert gap >= 0.95, f"second request came {gap:.2f}s after the 429, before Retry-After: 1"
    assert time.monotonic() - started < 3


def test_retry_after_longer_than_max_backoff_fails_without_hammering(server):
    server.add("/api", Reply(429, headers={"Retry-After": "3600"}))
    with client(max_backoff=5) as c, pytest.raises(FetchError, match="retry after 3600s"):
        c.get(server.url("/api"))
    assert server.served("/api") == 1


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_is_retried_with_backoff_then_reported(server, status):
    server.add("/flaky", Reply(status, "boom"))
    waits: list[float] = []
    c = HttpClient(fast_http_settings(max_retries=3, backoff=0.5, max_backoff=8), sleep=waits.append)
    with c, pytest.raises(FetchError, match=f"HTTP {status} after 4 attempts"):
        c.get(server.url("/flaky"))
    assert server.served("/flaky") == 4
    backoffs = [w for w in waits if w >= 0.2]  # the rate gate's tiny waits aside
    assert len(backoffs) == 3
    # Exponential with jitter: attempt n waits within [cap/2, cap], cap = 0.5 * 2**n.
    for n, w in enumerate(backoffs):
        assert 0.25 * 2 ** n <= w <= 0.5 * 2 ** n


def test_500_then_200_recovers(server):
    server.add("/x", [Reply(500), Reply(503), Reply.html("ok")])
    with client() as c:
        assert c.get(server.url("/x")).text == "ok"
    assert server.served("/x") == 3


def test_timeout_is_retried_then_named(server):
    server.add("/slow", Reply(body=b"late", delay=1.0))
    with client(timeout=0.2, max_retries=1) as c, pytest.raises(FetchError, match="timed out after 0.2s"):
        c.get(server.url("/slow"))
    assert server.served("/slow") == 2


def test_truncated_body_is_retried_then_fails(server):
    server.add("/cut", Reply.html("<html>" + "x" * 5000 + "</html>", truncate_at=100))
    with client(max_retries=1) as c, pytest.raises(FetchError, match="/cut"):
        c.get(server.url("/cut"))
    assert server.served("/cut") == 2


def test_response_over_max_bytes_is_refused_by_content_length(server):
    server.add("/big", Reply(body=b"a" * 5000))
    with client(max_bytes=2048) as c, pytest.raises(FetchError, match="more than http.max_bytes"):
        c.get(server.url("/big"))
    assert server.served("/big") == 1  # not retried: it would be just as big


def test_gzip_bomb_is_refused_while_decompressing(server):
    bomb = gzip.compress(b"\0" * 200_000)
    server.add("/bomb", Reply(body=bomb, headers={"Content-Encoding": "gzip"}))
    with client(max_bytes=50_000) as c, pytest.raises(FetchError, match="grew past http.max_bytes"):
        c.get(server.url("/bomb"))


def test_same_host_redirect_is_followed_other_host_is_not(server):
    server.add("/old", Reply.redirect("/new"))
    server.add("/new", Reply.html("moved here"))
    server.add("/away", Reply.redirect("http://evil.example/steal"))
    with client() as c:
        page = c.get(server.url("/old"))
        assert page.text == "moved here" and page.url.endswith("/new")
        with pytest.raises(FetchError, match="allowed_redirect_hosts"):
            c.get(server.url("/away"))
    assert not any(r.path == "/steal" for r in server.requests)


def test_redirect_to_an_allowed_host_is_followed():
    with ReplayServer() as a, ReplayServer() as b:
        b.add("/there", Reply.html("other host"))
        # Both listen on 127.0.0.1, so point the redirect at "localhost" to make it another host name.
        a.add("/go", Reply.redirect(b.url("/there").replace("127.0.0.1", "localhost")))
        with client() as c, pytest.raises(FetchError, match="another host"):
            c.get(a.url("/go"))
        with client(allowed_redirect_hosts=["localhost"]) as c:
            assert c.get(a.url("/go")).text == "other host"


def test_conditional_request_gets_304_and_keeps_validators(server):
    server.add("/feed", Reply.html("<rss/>", headers={"ETag": '"v1"', "Last-Modified": "Mon, 01 Dec 2025 10:00:00 GMT"}))
    with client() as c:
        first = c.get(server.url("/feed"))
        assert first.validators() == {"etag": '"v1"', "last_modified": "Mon, 01 Dec 2025 10:00:00 GMT"}
        again = c.get(server.url("/feed"), validators=first.validators())
    assert again.not_modified and again.content == b""
    assert server.requests[1].headers["If-None-Match"] == '"v1"'


def test_rate_limit_spaces_requests_to_one_host(server):
    server.add("/r", Reply.html("ok"))
    with client(requests_per_second=10) as c:
        for _ in range(4):
            c.get(server.url("/r"))
    starts = [r.at for r in server.requests]
    assert starts[-1] - starts[0] >= 0.25  # 3 gaps of 0.1s, less scheduling slack


def test_concurrency_per_host_is_bounded(server):
    server.add("/slow", Reply.html("ok", delay=0.3))
    c = client(concurrency_per_host=2)
    finished: list[float] = []

    def fetch():
        c.get(server.url("/slow"))
        finished.append(time.monotonic())

    started = time.monotonic()
    threads = [threading.Thread(target=fetch) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    c.close()
    # Four 0.3s requests, two at a time: the last can't finish before ~0.6s.
    assert max(finished) - started >= 0.55


def test_invalid_json_is_layout_changed_with_url(server):
    server.add("/api", Reply(body=b'{"data": {"comments": [', headers={"Content-Type": "application/json"}))
    with client() as c, pytest.raises(LayoutChanged, match=r"/api: response is not valid JSON"):
        c.get(server.url("/api")).json()


@pytest.mark.parametrize("label, headers, body", [
    ("declared in header", {"Content-Type": "text/html; charset=windows-1256"}, None),
    ("meta only", {"Content-Type": "text/html"}, '<meta charset="windows-1256">'),
    ("http-equiv meta", {"Content-Type": "text/html"},
     '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'),
    ("header lies (utf-8)", {"Content-Type": "text/html; charset=utf-8"}, None),
    ("nothing declared", {"Content-Type": "text/html"}, None),
])
def test_windows_1256_persian_pages_decode(server, label, headers, body):
    html = f"<html><head>{body or ''}<title>نظرات</title></head><body><p>{PERSIAN}</p></body></html>"
    server.add("/p", Reply(body=html.encode("windows-1256", errors="replace"), headers=headers))
    with client() as c:
        text = c.get(server.url("/p")).text
    assert PERSIAN.replace("😕", "?") in text, label


@pytest.mark.parametrize("raw, headers, expected", [
    ("سلام دنیا".encode("utf-8"), "text/html; charset=windows-1256", "سلام دنیا"),  # valid UTF-8 beats a wrong label
    (b"\xef\xbb\xbfhello", None, "hello"),
    ("تست".encode("utf-16"), None, "تست"),
    (b"plain ascii", "text/plain; charset=klingon", "plain ascii"),
])
def test_decode_body_table(raw, headers, expected):
    assert decode_body(raw, headers) == expected


@pytest.mark.parametrize("value, expected", [("1", 1.0), ("0", 0.0), ("2.5", 2.5), ("soon", None)])
def test_parse_retry_after_seconds(value, expected):
    assert parse_retry_after(value) == expected


def test_parse_retry_after_http_date_in_the_past_is_zero():
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


def test_replay_folder_with_routes_manifest(tmp_path):
    (tmp_path / "a.html").write_text("<p>a</p>", encoding="utf-8")
    (tmp_path / "routes.json").write_text(
        '[{"path": "/s/x", "file": "a.html", "headers": {"ETag": "\\"e\\""}},'
        ' {"path": "/api", "sequence": [{"status": 503}, {"json": {"n": 1}}]}]', encoding="utf-8")
    with ReplayServer.from_folder(tmp_path) as server:
        assert httpx.get(server.url("/s/x")).text == "<p>a</p>"
        assert httpx.get(server.url("/api")).status_code == 503
        assert httpx.get(server.url("/api")).json() == {"n": 1}
        assert httpx.get(server.url("/api")).json() == {"n": 1}  # the last reply repeats
