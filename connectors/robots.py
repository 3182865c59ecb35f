"""robots.txt, read once per site and obeyed (RFC 9309), including Crawl-delay.

A missing robots.txt (4xx) allows everything; one that cannot be read
(5xx, timeouts) means "don't crawl" until it can, as the RFC asks.
"""
from __future__ import annotations

import time
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from shenava.connectors.http import HttpClient, HttpStatusError
from shenava.errors import FetchError, SourceUnavailable


class RobotsPolicy:
    def __init__(self, client: HttpClient, enabled: bool = True):
        self.client = client
        self.enabled = enabled
        self.agent = client.settings.user_agent.split("/")[0].split()[0] or "*"
        self._rules: dict[str, RobotFileParser | None] = {}
        self._last_fetch: dict[str, float] = {}

    def check(self, url: str) -> None:
        """Raise SourceUnavailable if robots.txt forbids `url`; wait out its Crawl-delay."""
        if not self.enabled:
            return
        origin = _origin(url)
        rules = self._load(origin)
        if rules is None:
            return
        if not rules.can_fetch(self.client.settings.user_agent, url):
            raise SourceUnavailable(f"{url}: {origin}/robots.txt disallows it for {self.agent!r}; "
                                    "not fetched (set http.respect_robots = false only for your own site)")
        delay = rules.crawl_delay(self.client.settings.user_agent)
        if delay:
            wait = self._last_fetch.get(origin, 0.0) + float(delay) - time.monotonic()
            if wait > 0:
                self.client.sleep(wait)
        self._last_fetch[origin] = time.monotonic()

    def _load(self, origin: str) -> RobotFileParser | None:
        if origin in self._rules:
            return self._rules[origin]
        url = origin + "/robots.txt"
        try:
            page = self.client.get(url, allow_status=frozenset(range(400, 500)))
        except HttpStatusError as exc:
            raise SourceUnavailable(f"{url}: HTTP {exc.status}; robots.txt unreadable, so not crawling") from None
        except FetchError as exc:
            raise SourceUnavailable(f"{url} could not be read ({exc}); not crawling {origin} until it can") from None
        rules = None
        if page.status < 400:
            rules = RobotFileParser(url)
            rules.parse(page.text.splitlines())
        self._rules[origin] = rules
        return rules


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
