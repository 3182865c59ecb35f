"""The one polite HTTP client every network connector shares.

It owns what each site would otherwise get subtly wrong: a clear User-Agent,
timeouts, per-host rate and concurrency limits, retries with exponential
backoff on 429/5xx that honour ``Retry-After``, conditional requests
(ETag / Last-Modified), a size cap, redirects kept on the same host unless
allowed, and decoding of pages whose charset is missing or wrong.
"""
from __future__ import annotations

import logging
import random
import threading
import time
import zlib
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from functools import cached_property
from typing import Any, Callable, Iterator
from urllib.parse import urljoin, urlsplit

import httpx

from shenava.config import HttpSettings
from shenava.connectors.charset import decode_body
from shenava.errors import FetchError, LayoutChanged

log = logging.getLogger("shenava.connectors.http")

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_REDIRECTS = 5


class HttpStatusError(FetchError):
    """The server answered with a status the caller has to decide about (404, 403, 410, ...)."""

    def __init__(self, url: str, status: int):
        super().__init__(f"{url}: HTTP {status}")
        self.url = url
        self.status = status


@dataclass
class Page:
    """One response body, already size-checked; `text` decodes it on first use."""

    url: str
    status: int
    headers: httpx.Headers
    content: bytes

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")

    def validators(self) -> dict[str, str]:
        """ETag / Last-Modified to keep in a cursor for the next conditional request."""
        found = {"etag": self.etag, "last_modified": self.last_modified}
        return {k: v for k, v in found.items() if v}

    @cached_property
    def text(self) -> str:
        return decode_body(self.content, self.headers.get("content-type"))

    def json(self) -> Any:
        import json

        try:
            return json.loads(self.text)
        except json.JSONDecodeError as exc:
            raise LayoutChanged(f"{self.url}: response is not valid JSON ({exc.msg} at line {exc.lineno} "
                                f"column {exc.colno}); the API may have changed or the body was cut") from None


class _HostGate:
    """At most `concurrency` requests in flight and one start per `interval` for one host."""

    def __init__(self, requests_per_second: float, concurrency: int):
        self.slots = threading.BoundedSemaphore(concurrency)
        self.lock = threading.Lock()
        self.interval = 1.0 / requests_per_second
        self.next_start = 0.0

    def wait_turn(self, sleep: Callable[[float], None]) -> None:
        with self.lock:
            now = time.monotonic()
            start = max(now, self.next_start)
            self.next_start = start + self.interval
        if start > now:
            sleep(start - now)

    def hold_off(self, seconds: float) -> None:
        """A 429 tells the whole host to wait, not only the request that got it."""
        with self.lock:
            self.next_start = max(self.next_start, time.monotonic() + seconds)


_GATES: dict[tuple[str, float, int], _HostGate] = {}
_GATES_LOCK = threading.Lock()


def host_gate(host: str, settings: HttpSettings) -> _HostGate:
    # Shared per process, so two connectors reading one host still add up to one polite client.
    key = (host, settings.requests_per_second, settings.concurrency_per_host)
    with _GATES_LOCK:
        gate = _GATES.get(key)
        if gate is None:
            gate = _GATES[key] = _HostGate(settings.requests_per_second, settings.concurrency_per_host)
        return gate


@dataclass
class HttpClient:
    """`get(url)` returns a `Page` or raises a `FetchError` naming the URL and why.

    `sleep` is injectable so tests can observe the waits instead of sitting them out.
    """

    settings: HttpSettings
    sleep: Callable[[float], None] = time.sleep
    transport: httpx.BaseTransport | None = None
    _client: httpx.Client | None = field(default=None, init=False, repr=False)

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(
                timeout=httpx.Timeout(self.settings.timeout),
                headers={"User-Agent": self.settings.user_agent, "Accept-Encoding": "gzip, deflate"},
                follow_redirects=False, transport=self.transport)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> "HttpClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, url: str, *, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None,
            validators: dict[str, str] | None = None, allow_status: frozenset[int] = frozenset()) -> Page:
        """GET with retries and redirects.

        `validators` ({"etag", "last_modified"} from an earlier `Page.validators()`)
        turns this into a conditional request: an unchanged page comes back as a
        `Page` with `not_modified` set and an empty body. Statuses in `allow_status`
        are returned instead of raised, for callers that give them a meaning.
        """
        request_headers = dict(headers or {})
        if validators:
            if validators.get("etag"):
                request_headers["If-None-Match"] = validators["etag"]
            if validators.get("last_modified"):
                request_headers["If-Modified-Since"] = validators["last_modified"]
        if params:
            url = str(httpx.URL(url, params={k: v for k, v in params.items() if v is not None}))
        origin_host = urlsplit(url).hostname or ""
        for _ in range(MAX_REDIRECTS + 1):
            page = self._get_with_retries(url, request_headers)
            if page.status in (301, 302, 303, 307, 308):
                url = self._follow(url, page, origin_host)
                continue
            if page.status == 304 or page.status < 300 or page.status in allow_status:
                return page
            raise HttpStatusError(url, page.status)
        raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects")

    def _follow(self, url: str, page: Page, origin_host: str) -> str:
        location = page.headers.get("location")
        if not location:
            raise FetchError(f"{url}: HTTP {page.status} redirect without a Location header")
        target = urljoin(url, location)
        if urlsplit(target).scheme not in ("http", "https"):
            raise FetchError(f"{url}: redirected to {target!r}, which is not an http(s) URL; not followed")
        host = urlsplit(target).hostname or ""
        if host != origin_host and host not in self.settings.allowed_redirect_hosts:
            raise FetchError(f"{url}: redirected to another host ({target}); add {host!r} to "
                             "http.allowed_redirect_hosts to follow it")
        return target

    def _get_with_retries(self, url: str, headers: dict[str, str]) -> Page:
        gate = host_gate(urlsplit(url).hostname or "", self.settings)
        attempts = self.settings.max_retries + 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            gate.wait_turn(self.sleep)
            try:
                with gate.slots:
                    page = self._fetch_once(url, headers)
            except httpx.TimeoutException:
                if last:
                    raise FetchError(f"{url}: timed out after {self.settings.timeout:g}s "
                                     f"({attempts} attempts)") from None
                self._backoff(url, attempt, None, "timeout")
                continue
            except httpx.TransportError as exc:
                if last:
                    raise FetchError(f"{url}: {type(exc).__name__}: {exc} ({attempts} attempts)") from None
                self._backoff(url, attempt, None, type(exc).__name__)
                continue
            if page.status not in RETRY_STATUSES:
                return page
            if last:
                raise FetchError(f"{url}: HTTP {page.status} after {attempts} attempts")
            wait = self._retry_after(url, page)
            if wait is not None:
                gate.hold_off(wait)
            self._backoff(url, attempt, wait, f"HTTP {page.status}")
        raise AssertionError("unreachable")

    def _fetch_once(self, url: str, headers: dict[str, str]) -> Page:
        limit = self.settings.max_bytes
        with self.client.stream("GET", url, headers=headers) as response:
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise FetchError(f"{url}: response is {int(declared):,} bytes, more than "
                                 f"http.max_bytes ({limit:,}); refused")
            body = bytearray()
            for chunk in _bounded_body(response, limit):
                body += chunk
                if len(body) > limit:
                    raise FetchError(f"{url}: response grew past http.max_bytes ({limit:,} bytes); refused")
            return Page(str(response.url), response.status_code, response.headers, bytes(body))

    def _retry_after(self, url: str, page: Page) -> float | None:
        value = page.headers.get("retry-after")
        if not value:
            return None
        wait = parse_retry_after(value)
        if wait is None:
            return None
        if wait > self.settings.max_backoff:
            raise FetchError(f"{url}: HTTP {page.status} asks to retry after {wait:g}s, longer than "
                             f"http.max_backoff ({self.settings.max_backoff:g}s); try again later")
        return wait

    def _backoff(self, url: str, attempt: int, retry_after: float | None, why: str) -> None:
        if retry_after is not None:
            wait = retry_after
        else:
            # Full jitter keeps parallel workers from retrying in lockstep.
            cap = min(self.settings.max_backoff, self.settings.backoff * 2 ** attempt)
            wait = cap / 2 + random.uniform(0, cap / 2)
        log.info("%s: %s, retrying in %.2fs (attempt %d)", url, why, wait, attempt + 2)
        if wait > 0:
            self.sleep(wait)


def _bounded_body(response: httpx.Response, limit: int) -> Iterator[bytes]:
    """The decoded body in chunks that stop just past `limit`, however well it compresses.

    httpx inflates each 64 KiB network chunk whole, which for a gzip bomb is up
    to ~66 MB at once; gzip and deflate (the encodings we ask for) are inflated
    here with a cap instead.
    """
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding not in ("gzip", "x-gzip", "deflate"):
        yield from response.iter_bytes()
        return
    # 32 + MAX_WBITS reads a gzip or zlib header; a headerless deflate stream needs -MAX_WBITS.
    inflater = None
    produced = 0
    for chunk in response.iter_raw():
        if inflater is None:
            raw_deflate = encoding == "deflate" and chunk[:1] != b"\x78"
            inflater = zlib.decompressobj(-zlib.MAX_WBITS if raw_deflate else 32 + zlib.MAX_WBITS)
        pending = chunk
        while pending:
            try:
                out = inflater.decompress(pending, limit + 1 - produced)
            except zlib.error as exc:
                raise FetchError(f"{response.url}: {encoding} body does not inflate ({exc}); refused") from None
            produced += len(out)
            yield out
            if produced > limit:
                return
            pending = inflater.unconsumed_tail
    if inflater is not None:
        yield inflater.flush()


def parse_retry_after(value: str) -> float | None:
    """Seconds from a Retry-After header: delay-seconds or an HTTP date."""
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    from datetime import datetime, timezone

    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
