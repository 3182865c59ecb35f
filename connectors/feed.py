"""RSS 2.0, RSS 1.0 (RDF) and Atom feeds, e.g. a blog's or shop's comment feed.

Each entry becomes a mention keyed by its guid/id (or link). The cursor keeps
each feed's ETag / Last-Modified, so an unchanged feed costs a 304, and the
ids already collected, so a changed feed yields only its new entries.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Iterator
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup
from pydantic import Field, field_validator

from shenava.connectors.base import ConnectorOptions, HttpConnector, http_url
from shenava.connectors.parsing import node_text, parse_when
from shenava.connectors.registry import register
from shenava.connectors.website import SEEN_LIMIT, seen_key
from shenava.errors import LayoutChanged
from shenava.mention import Mention

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "rss1": "http://purl.org/rss/1.0/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "slash": "http://purl.org/rss/1.0/modules/slash/",
}
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")


class FeedOptions(ConnectorOptions):
    urls: list[str] = Field(min_length=1)
    include_title: bool = Field(default=True, description="prefix the entry title; off for comment feeds")
    timezone: str = "Asia/Tehran"

    @field_validator("urls")
    @classmethod
    def _http_urls(cls, urls: list[str]) -> list[str]:
        return [http_url(url) for url in urls]


@register
class FeedConnector(HttpConnector):
    kind = "feed"
    Options = FeedOptions
    options: FeedOptions

    follows_robots = True

    def collect(self, cursor: dict[str, Any]) -> Iterator[Mention]:
        feeds = {k: dict(v) for k, v in cursor.get("feeds", {}).items()}
        self.cursor = {"feeds": {k: dict(v) for k, v in feeds.items()}}
        for url in self.options.urls:
            state = feeds.get(url, {})
            self.robots.check(url)
            page = self.client.get(url, validators=state.get("validators"))
            if page.not_modified:
                continue
            seen = list(state.get("seen", []))
            known = set(seen)
            for entry in parse_feed(page.text, page.url, ZoneInfo(self.options.timezone)):
                key = seen_key(entry["id"])
                if key in known:
                    continue
                mention = self._mention(entry, url)
                if mention is not None:
                    yield mention
                seen.append(key)
                known.add(key)
            self.cursor["feeds"][url] = {"validators": page.validators(), "seen": seen[-SEEN_LIMIT:]}

    def _mention(self, e: dict[str, Any], feed_url: str) -> Mention | None:
        title, body = e.get("title") or "", e.get("body") or ""
        if self.options.include_title and title and not body.startswith(title):
            text = f"{title}\n{body}" if body else title
        else:
            text = body or title
        if not text.strip():
            return None
        extra = {"feed": feed_url, "title": title or None, "comments": e.get("comments"),
                 "date_estimated": True if e.get("published") is None else None}
        return Mention(external_id=e["id"], text=text.strip(), published_at=e.get("published") or datetime.now(timezone.utc),
                       permalink=e.get("link"), author=e.get("author"), channel=e.get("feed_title"),
                       replies=e.get("comments"), extra={k: v for k, v in extra.items() if v is not None})


def parse_feed(text: str, url: str, tz: ZoneInfo) -> list[dict[str, Any]]:
    """Entries of an RSS/Atom document as dicts: id, title, body, link, author, published, comments."""
    try:
        root = ET.fromstring(_XML_DECL.sub("", text, count=1))
    except ET.ParseError as exc:
        raise LayoutChanged(f"{url}: not well-formed XML ({exc}); the feed is broken or was cut short") from None
    tag = root.tag.split("}")[-1]
    if tag == "rss":
        channel = root.find("channel")
        if channel is None:
            raise LayoutChanged(f"{url}: <rss> without <channel>")
        feed_title = _text(channel.find("title"))
        nodes, kind = channel.findall("item"), "rss"
    elif tag == "feed":
        feed_title = _text(root.find("atom:title", NS))
        nodes, kind = root.findall("atom:entry", NS), "atom"
    elif tag == "RDF":
        channel = root.find("rss1:channel", NS)
        feed_title = _text(channel.find("rss1:title", NS)) if channel is not None else None
        nodes, kind = root.findall("rss1:item", NS), "rdf"
    else:
        raise LayoutChanged(f"{url}: root element <{tag}> is not rss, feed (Atom) or rdf:RDF")
    entries = []
    for n, node in enumerate(nodes):
        entry = (_atom if kind == "atom" else _rss)(node, tz)
        entry["feed_title"] = feed_title
        if not entry.get("id"):
            raise LayoutChanged(f"{url}: entry {n + 1} has no guid/id and no link to key it by")
        entries.append(entry)
    return entries


def _rss(node: ET.Element, tz: ZoneInfo) -> dict[str, Any]:
    link = _text(node.find("link")) or _text(node.find("rss1:link", NS))
    guid = _text(node.find("guid")) or node.get(f"{{{NS['rdf']}}}about")
    body = _text(node.find("content:encoded", NS)) or _text(node.find("description")) or \
        _text(node.find("rss1:description", NS))
    when = _text(node.find("pubDate")) or _text(node.find("dc:date", NS))
    return {"id": guid or link, "title": _html_text(_text(node.find("title")) or _text(node.find("rss1:title", NS))),
            "body": _html_text(body), "link": link, "author": _text(node.find("dc:creator", NS)) or _text(node.find("author")),
            "published": _date(when, tz), "comments": _int(_text(node.find("slash:comments", NS)))}


def _atom(node: ET.Element, tz: ZoneInfo) -> dict[str, Any]:
    link = None
    for candidate in node.findall("atom:link", NS):
        if candidate.get("rel", "alternate") == "alternate":
            link = candidate.get("href")
            break
    body = _text(node.find("atom:content", NS)) or _text(node.find("atom:summary", NS))
    when = _text(node.find("atom:published", NS)) or _text(node.find("atom:updated", NS))
    author = node.find("atom:author/atom:name", NS)
    return {"id": _text(node.find("atom:id", NS)) or link, "title": _html_text(_text(node.find("atom:title", NS))),
            "body": _html_text(body), "link": link, "author": _text(author), "published": _date(when, tz),
            "comments": _int(_text(node.find("slash:comments", NS)))}


def _text(node: ET.Element | None) -> str | None:
    if node is None:
        return None
    value = "".join(node.itertext()).strip()
    return value or None


def _html_text(value: str | None) -> str | None:
    if not value:
        return value
    if "<" not in value and "&" not in value:
        return value
    return node_text(BeautifulSoup(f"<div>{value}</div>", "html.parser").div) or None


def _date(value: str | None, tz: ZoneInfo) -> datetime | None:
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)  # RFC 822, as RSS 2.0 writes it
        return when if when.tzinfo else when.replace(tzinfo=tz)
    except (TypeError, ValueError):
        return parse_when(value, tz)


def _int(value: str | None) -> int | None:
    # isdecimal, not isdigit: «²» is a digit int() refuses; 18 digits keep it a 64-bit counter.
    value = (value or "").strip()
    return int(value) if value.isdecimal() and len(value) <= 18 else None
