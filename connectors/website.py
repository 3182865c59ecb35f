"""Any website's comments, driven by CSS selectors in the config.

    [[sources]]
    name = "shop-reviews"
    kind = "website"
    start_urls = ["https://shop.example/product/12/reviews"]
    container = "section#reviews"          # must exist on every page (may hold no comments)
    item = "div.review"                    # one comment
    text = ".review-body"                  # inside the item
    author = ".review-author"
    date = "time"                          # `datetime` attribute if present, else the text
    permalink = "a.review-link"
    id_attr = "data-review-id"
    next_page = "a.pagination-next"

Pages newest-first stop at the first comment already collected; for threads
that grow at the end (``order = "oldest_first"``) the last page read is
remembered and reading resumes there. robots.txt is obeyed, unchanged pages
are skipped with ETag / Last-Modified, and a page that lacks the configured
elements raises LayoutChanged naming the page and the selector.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Any, Iterator, Literal
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import soupsieve
from bs4 import BeautifulSoup, Tag
from pydantic import Field, field_validator

from shenava.connectors.base import ConnectorOptions, HttpConnector, http_url
from shenava.connectors.parsing import node_text, parse_relative, parse_when
from shenava.connectors.registry import register
from shenava.errors import LayoutChanged
from shenava.mention import Mention

SEEN_LIMIT = 5000


def seen_key(external_id: str) -> str:
    """Short fingerprint of an id, so the cursor can remember thousands of long permalinks."""
    return hashlib.sha1(external_id.encode("utf-8")).hexdigest()[:16]


class WebsiteOptions(ConnectorOptions):
    start_urls: list[str] = Field(min_length=1)
    item: str
    text: str
    container: str | None = None
    author: str | None = None
    date: str | None = None
    date_attr: str | None = Field(default=None, description="attribute holding the date; default datetime, then text")
    date_format: str | None = Field(default=None, description="strptime format when the date is neither ISO nor Jalali")
    permalink: str | None = None
    id_attr: str | None = None
    next_page: str | None = None
    order: Literal["newest_first", "oldest_first"] = "newest_first"
    max_pages: int = Field(default=10, ge=1, le=1000)
    timezone: str = "Asia/Tehran"

    @field_validator("item", "text", "container", "author", "date", "permalink", "next_page")
    @classmethod
    def _selector(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                soupsieve.compile(value)
            except soupsieve.SelectorSyntaxError as exc:
                raise ValueError(f"not a valid CSS selector: {exc}") from None
        return value

    @field_validator("start_urls")
    @classmethod
    def _http_urls(cls, urls: list[str]) -> list[str]:
        return [http_url(url) for url in urls]


@register
class WebsiteConnector(HttpConnector):
    kind = "website"
    Options = WebsiteOptions
    options: WebsiteOptions

    follows_robots = True

    def collect(self, cursor: dict[str, Any]) -> Iterator[Mention]:
        self._seen = list(cursor.get("seen", []))
        self._seen_set = set(self._seen)
        self._pages = {k: dict(v) for k, v in cursor.get("pages", {}).items()}
        self._save()
        for start in self.options.start_urls:
            yield from self._crawl(start)

    def _crawl(self, start: str) -> Iterator[Mention]:
        state = self._pages.setdefault(start, {})
        budget = self.options.max_pages
        if self.options.order == "oldest_first":
            yield from self._walk(start, state.get("resume", start), budget, "resume", None)
            return
        # From the start page down to the comments already collected (a first run: to the end).
        top = {"url": start, "until_known": bool(state)}
        budget = yield from self._walk(start, start, budget, "top", top)
        # Then stretches earlier runs ran out of pages for.
        for pending in list(state.get("backfill", [])):
            if budget <= 0:
                break
            budget = yield from self._walk(start, pending["url"], budget, "backfill", pending)

    def _walk(self, start: str, url: str, budget: int, role: str,
              pointer: dict[str, Any] | None) -> Iterator[Mention]:
        """Read pages from `url` along next_page; returns the pages left in the budget.

        While the walk is unfinished the cursor holds a pointer to its next page,
        so stopping at any point (page cap, error) leaves nothing unreachable.
        """
        state = self._pages[start]
        while budget > 0:
            budget -= 1
            self.robots.check(url)
            conditional = state.get("validators") if role != "backfill" and url == state.get("validated_url") else None
            page = self.client.get(url, validators=conditional)
            if page.not_modified:
                return budget
            soup = BeautifulSoup(page.text, "html.parser")
            items = self._items(soup, page.url)
            fresh = [m for m in items if seen_key(m.external_id) not in self._seen_set]
            for mention in fresh:
                yield mention
            self._remember([seen_key(m.external_id) for m in fresh])
            next_url = self._next(soup, page.url)
            next_url = None if next_url == url else next_url
            if role == "resume":
                # Threads that grow at the end change on their last page: come back to it.
                state.update(validators=page.validators(), validated_url=url, resume=url)
                done = next_url is None
            else:
                if url == start:
                    state.update(validators=page.validators(), validated_url=url)
                reached_known = len(fresh) < len(items)
                done = next_url is None or (reached_known and pointer["until_known"])
                backfill = [b for b in state.get("backfill", []) if b is not pointer]
                if not done:
                    pointer = {"url": next_url, "until_known": pointer["until_known"]}
                    backfill.insert(0 if role == "top" else len(backfill), pointer)
                if backfill:
                    state["backfill"] = backfill
                else:
                    state.pop("backfill", None)
            self._save()
            if done:
                return budget
            url = next_url
        return budget

    def _items(self, soup: BeautifulSoup, url: str) -> list[Mention]:
        o = self.options
        scope: Tag = soup
        if o.container:
            found = soup.select_one(o.container)
            if found is None:
                raise LayoutChanged(f"{url}: no element matches container {o.container!r}; the page layout changed")
            scope = found
        nodes = scope.select(o.item)
        if not nodes and not o.container:
            raise LayoutChanged(f"{url}: no element matches item {o.item!r} (set `container` to tell an empty "
                                "page from a changed layout)")
        return [m for m in (self._mention(node, url, n) for n, node in enumerate(nodes)) if m is not None]

    def _mention(self, node: Tag, url: str, n: int) -> Mention | None:
        o = self.options
        where = f"{url}: item {n + 1} ({o.item!r})"
        text_node = node.select_one(o.text)
        if text_node is None:
            raise LayoutChanged(f"{where} has no {o.text!r} text element")
        text = node_text(text_node)
        if not text:
            return None
        author = node.select_one(o.author) if o.author else None
        link = node.select_one(o.permalink) if o.permalink else None
        permalink = urljoin(url, link["href"]) if link is not None and link.get("href") else None
        if permalink and (urlsplit(permalink).scheme not in ("http", "https") or permalink.rstrip("#") == url):
            # javascript:void(0) or "#" on every comment identifies none of them (and would merge them all).
            permalink = None
        published, extra = self._date(node, where)
        if o.id_attr:
            ext_id = node.get(o.id_attr)
            if not ext_id:
                raise LayoutChanged(f"{where} has no {o.id_attr!r} attribute")
        elif permalink:
            ext_id = permalink
        else:
            key = "\x1f".join([url, node_text(author) if author else "", text])
            ext_id = "sha1:" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:20]
        return Mention(external_id=str(ext_id), text=text, published_at=published, permalink=permalink or url,
                       author=node_text(author) or None if author is not None else None,
                       channel=self.source.name, extra={"page": url, **extra})

    def _date(self, node: Tag, where: str) -> tuple[datetime, dict[str, Any]]:
        o = self.options
        now = datetime.now(timezone.utc)
        if not o.date:
            return now, {"date_estimated": True}
        found = node.select_one(o.date)
        if found is None:
            raise LayoutChanged(f"{where} has no {o.date!r} date element")
        raw = found.get(o.date_attr) if o.date_attr else (found.get("datetime") or node_text(found))
        raw = str(raw or "").strip()
        tz = ZoneInfo(o.timezone)
        when = None
        if o.date_format:
            try:
                when = datetime.strptime(raw, o.date_format).replace(tzinfo=tz)
            except ValueError:
                when = None
        when = when or parse_when(raw, tz)
        if when is not None:
            return when, {}
        when = parse_relative(raw, now)
        if when is not None:
            return when, {"date_relative": raw}
        raise LayoutChanged(f"{where}: cannot read the date {raw!r} (set date_format or date_attr)")

    def _next(self, soup: BeautifulSoup, url: str) -> str | None:
        if not self.options.next_page:
            return None
        link = soup.select_one(self.options.next_page)
        href = link.get("href") if link is not None else None
        return urljoin(url, href) if href else None

    def _remember(self, keys: list[str]) -> None:
        self._seen += [k for k in keys if k not in self._seen_set]
        self._seen_set.update(keys)
        if len(self._seen) > SEEN_LIMIT:
            self._seen = self._seen[-SEEN_LIMIT:]
            self._seen_set = set(self._seen)

    def _save(self) -> None:
        self.cursor = {"seen": list(self._seen), "pages": {k: dict(v) for k, v in self._pages.items()}}
