"""The connector shape: a generator of mentions plus the cursor that follows them.

A connector never writes to the store. `collect(cursor)` yields mentions newer
than the saved `cursor`; once the caller has stored every yielded mention it
saves `connector.cursor`, so a crash mid-run loses and duplicates nothing.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, ClassVar, Iterator
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict

from shenava.config import Config, HttpSettings, Source
from shenava.connectors.http import HttpClient
from shenava.connectors.robots import RobotsPolicy
from shenava.mention import Mention


class ConnectorOptions(BaseModel):
    """Kind-specific keys of a `[[sources]]` table; unknown keys are errors."""

    model_config = ConfigDict(extra="forbid")


def http_url(url: str) -> str:
    """A URL from the config: absolute http(s) with a host, no credentials in it (they would end up in
    logs and error messages), no spaces or control characters; else a ValueError saying which."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        userinfo = parts.username is not None or parts.password is not None
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError as exc:
        raise ValueError(f"{url!r} is not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not host:
        raise ValueError(f"{url!r} is not an http(s) URL with a host")
    if userinfo:
        raise ValueError(f"{parts.scheme}://…@{host}: credentials do not belong in a URL; use the environment")
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        raise ValueError(f"{url!r} has spaces or control characters")
    return url


class Connector(ABC):
    kind: ClassVar[str]
    Options: ClassVar[type[ConnectorOptions]] = ConnectorOptions

    def __init__(self, source: Source, options: ConnectorOptions, http: HttpSettings, base_dir: Path):
        self.source = source
        self.options = options
        self.http = http
        self.base_dir = base_dir
        # The state to save after everything `collect` yielded is stored.
        self.cursor: dict[str, Any] = {}

    @classmethod
    def from_config(cls, config: Config, source: Source) -> "Connector":
        return cls(source, cls.Options.model_validate(source.options()), config.http, config.base_dir)

    @abstractmethod
    def collect(self, cursor: dict[str, Any]) -> Iterator[Mention]:
        """Yield mentions newer than `cursor`, setting `self.cursor` as it goes."""

    def close(self) -> None:
        """Release network clients; called once collection is over."""


class HttpConnector(Connector):
    """A connector that fetches over HTTP: one client (rate limits, retries) for the run.
    Sites it crawls (pages, feeds) are read only where their robots.txt allows."""

    follows_robots: ClassVar[bool] = False

    def __init__(self, *args: Any, **kw: Any):
        super().__init__(*args, **kw)
        self.client = HttpClient(self.http)
        if self.follows_robots:
            self.robots = RobotsPolicy(self.client, self.http.respect_robots)

    def close(self) -> None:
        self.client.close()


def build_connector(config: Config, source: Source) -> Connector:
    from shenava.connectors.registry import connector_class

    return connector_class(source.kind).from_config(config, source)
