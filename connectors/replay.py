"""A local HTTP server that replays recorded responses, for tests and the offline demo.

It binds 127.0.0.1 on a free port, serves each request from a route table
(exact path + query first, then the path alone), can play a fault sequence
per route, answers conditional requests with 304, and records every request
it got. Nothing here reaches the network.

    from shenava.connectors.replay import ReplayServer, Reply

    with ReplayServer() as server:
        server.add("/s/tehran_gadget", Reply.file("tests/fixtures/telegram/page1.html"))
        server.add("/api", [Reply(429, headers={"Retry-After": "1"}), Reply.json({"ok": True})])
        server.add("/slow", Reply(body=b"late", delay=2.0))
        httpx.get(server.url("/s/tehran_gadget"))
        assert server.requests[0].path == "/s/tehran_gadget"

A folder of recordings loads with ``ReplayServer.from_folder(path)``: its
``routes.json`` lists ``{"path": "/s/x?before=20", "file": "page2.html",
"status": 200, "headers": {...}, "delay": 0}`` entries, or ``"sequence":
[...]`` of such replies; without a routes.json every file is served at its
relative path.
"""
from __future__ import annotations

import json
import mimetypes
import threading
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Reply:
    """One recorded response. `truncate_at` sends only that many body bytes, then hangs up."""

    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    truncate_at: int | None = None

    @classmethod
    def file(cls, path: Path | str, **kw: Any) -> "Reply":
        path = Path(path)
        headers = dict(kw.pop("headers", {}))
        headers.setdefault("Content-Type", _content_type(path))
        return cls(body=path.read_bytes(), headers=headers, **kw)

    @classmethod
    def json(cls, data: Any, **kw: Any) -> "Reply":
        headers = {"Content-Type": "application/json; charset=utf-8", **kw.pop("headers", {})}
        return cls(body=json.dumps(data, ensure_ascii=False).encode("utf-8"), headers=headers, **kw)

    @classmethod
    def html(cls, text: str, charset: str = "utf-8", **kw: Any) -> "Reply":
        headers = {"Content-Type": f"text/html; charset={charset}", **kw.pop("headers", {})}
        return cls(body=text.encode(charset), headers=headers, **kw)

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> "Reply":
        return cls(status=status, headers={"Location": location})

    def body_bytes(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    at: float

    @property
    def target(self) -> str:
        return self.path + ("?" + "&".join(f"{k}={v}" for k, v in self.query.items()) if self.query else "")


class _Route:
    def __init__(self, replies: list[Reply]):
        self.replies = replies
        self.served = 0
        self.lock = threading.Lock()

    def next(self) -> Reply:
        # A sequence plays in order; its last reply repeats for every later request.
        with self.lock:
            reply = self.replies[min(self.served, len(self.replies) - 1)]
            self.served += 1
            return reply


class ReplayServer:
    """Context manager; `url(path)` gives the address of a route, `requests` what was asked."""

    def __init__(self, routes: dict[str, Reply | Iterable[Reply]] | None = None):
        self._routes: dict[tuple[str, tuple], _Route] = {}
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        for path, reply in (routes or {}).items():
            self.add(path, reply)

    # -- routes ----------------------------------------------------------------
    def add(self, target: str, reply: Reply | Iterable[Reply]) -> "ReplayServer":
        """Serve `reply` (or play a list of replies in order) at `target` ("/path?query")."""
        replies = [reply] if isinstance(reply, Reply) else list(reply)
        if not replies:
            raise ValueError(f"route {target!r} has no replies")
        with self._lock:
            self._routes[_key(target)] = _Route(replies)
        return self

    @classmethod
    def from_folder(cls, folder: Path | str) -> "ReplayServer":
        folder = Path(folder)
        server = cls()
        manifest = folder / "routes.json"
        if not manifest.exists():
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                server.add("/" + path.relative_to(folder).as_posix(), Reply.file(path))
            return server
        for entry in json.loads(manifest.read_text(encoding="utf-8")):
            steps = entry.get("sequence") or [entry]
            server.add(entry["path"], [_reply_from_entry(folder, step) for step in steps])
        return server

    def served(self, target: str) -> int:
        """How many requests the route at `target` answered."""
        route = self._routes.get(_key(target))
        return route.served if route else 0

    # -- lifecycle -------------------------------------------------------------
    def start(self) -> "ReplayServer":
        handler = type("ReplayHandler", (_Handler,), {"replay": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False  # a handler still sleeping out a delay must not hold up close
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02},
                                        name="replay-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> "ReplayServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the replay server is not running; use it as a context manager or call start()")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, target: str = "/") -> str:
        return self.base_url + (target if target.startswith("/") else "/" + target)

    # -- serving ---------------------------------------------------------------
    def _lookup(self, path: str, query: dict[str, str]) -> Reply | None:
        with self._lock:
            route = self._routes.get((path, tuple(sorted(query.items())))) or self._routes.get((path, ()))
        return route.next() if route else None

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)


def _key(target: str) -> tuple[str, tuple]:
    parts = urlsplit(target)
    return parts.path or "/", tuple(sorted(parse_qsl(parts.query, keep_blank_values=True)))


def _reply_from_entry(folder: Path, entry: dict[str, Any]) -> Reply:
    kw = {k: entry[k] for k in ("status", "headers", "delay", "truncate_at") if k in entry}
    if "file" in entry:
        return Reply.file(folder / entry["file"], **kw)
    if "json" in entry:
        return Reply.json(entry["json"], **kw)
    return Reply(body=entry.get("body", ""), **kw)


def _content_type(path: Path) -> str:
    kind = {".html": "text/html", ".json": "application/json", ".xml": "application/xml",
            ".rss": "application/rss+xml", ".atom": "application/atom+xml",
            ".txt": "text/plain"}.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
    kind = kind or "application/octet-stream"
    return f"{kind}; charset=utf-8" if kind.startswith("text/") or kind.endswith(("json", "xml")) else kind


class _Handler(BaseHTTPRequestHandler):
    replay: ReplayServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes; don't wait 40ms between

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._serve(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(send_body=False)

    def _serve(self, send_body: bool) -> None:
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        self.replay._record(RecordedRequest(self.command, parts.path, query, dict(self.headers.items()),
                                            time.monotonic()))
        reply = self.replay._lookup(parts.path, query)
        if reply is None:
            reply = Reply(404, f"no recorded response for {self.path}", {"Content-Type": "text/plain"})
        if reply.delay:
            time.sleep(reply.delay)
        if reply.status == 200 and self._unchanged(reply):
            reply = Reply(304, headers={k: v for k, v in reply.headers.items()
                                        if k.lower() in ("etag", "last-modified")})
        body = reply.body_bytes()
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        if reply.truncate_at is not None:
            self.send_header("Connection", "close")
        self.end_headers()
        if not send_body:
            return
        try:
            if reply.truncate_at is not None:
                self.wfile.write(body[:reply.truncate_at])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (e.g. its timeout fired)

    def _unchanged(self, reply: Reply) -> bool:
        headers = {k.lower(): v for k, v in reply.headers.items()}
        etag, inm = headers.get("etag"), self.headers.get("If-None-Match")
        if etag and inm:
            return etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
        modified, ims = headers.get("last-modified"), self.headers.get("If-Modified-Since")
        if modified and ims:
            try:
                return parsedate_to_datetime(modified) <= parsedate_to_datetime(ims)
            except (TypeError, ValueError):
                return False
        return False

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # tests read `requests`; stderr stays quiet


def fast_http_settings(**overrides: Any):
    """HttpSettings for tests against a replay server: short timeout, tiny backoff, no rate wait."""
    from shenava.config import HttpSettings

    values = dict(timeout=2.0, max_retries=2, backoff=0.01, max_backoff=2.0, requests_per_second=1000.0,
                  concurrency_per_host=4, respect_robots=True)
    values.update(overrides)
    return HttpSettings(**values)


def replay_config(*sources: dict[str, Any], base_dir: Path | str = ".", **http: Any):
    """A Config holding `sources` (dicts as in [[sources]]) and fast_http_settings(**http)."""
    from shenava.config import Config

    return Config.model_validate({"sources": list(sources), "http": fast_http_settings(**http).model_dump(),
                                  "base_dir": Path(base_dir)})
