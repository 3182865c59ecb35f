"""Persian review sites with public JSON APIs: Digikala product comments, SnappFood vendor comments.

Both page through one item's comments (newest first). The cursor keeps, per
item, the highest and lowest comment id collected, the total the site
reported, and the page to resume at when a first collection was cut by the
page cap. A run stops paging once a page holds nothing new and the site's
total says nothing else arrived, so a scheduled run costs one request per item
when nobody has written anything.
"""
from __future__ import annotations

import logging
from abc import abstractmethod
from dataclasses import dataclass
from typing import Any, Iterator

from pydantic import Field, field_validator

from shenava.connectors.base import ConnectorOptions, HttpConnector, http_url
from shenava.connectors.http import HttpStatusError
from shenava.connectors.parsing import TEHRAN, parse_when
from shenava.connectors.registry import register
from shenava.errors import LayoutChanged, SourceUnavailable
from shenava.mention import Mention

log = logging.getLogger("shenava.connectors.reviews")


@dataclass
class ReviewPage:
    url: str
    comments: list[dict[str, Any]]
    total: int | None
    last: bool


class _PagedReviews(HttpConnector):
    """One cursor entry per item: {"last", "oldest", "total", "resume"}."""

    first_page = 1
    options: Any


    @abstractmethod
    def items(self) -> list[str]: ...

    @abstractmethod
    def fetch(self, item: str, page: int) -> ReviewPage: ...

    id_key: str

    @abstractmethod
    def mention(self, item: str, comment: dict[str, Any], url: str) -> Mention | None:
        """None for a comment with no words (a bare star rating)."""

    def collect(self, cursor: dict[str, Any]) -> Iterator[Mention]:
        states = {k: dict(v) for k, v in cursor.get("items", {}).items()}
        self._previous: dict[str, list] = {}
        self.cursor = {"items": {k: dict(v) for k, v in states.items()}}
        for item in self.items():
            yield from self._collect_item(item, states.get(item, {}))

    def _collect_item(self, item: str, state: dict[str, Any]) -> Iterator[Mention]:
        budget = self.options.max_pages
        last, oldest, total = state.get("last"), state.get("oldest"), state.get("total")
        seen_ids: list[int] = []
        new_found, page_no, page_size = 0, self.first_page, 0
        # Newest first, until a page has nothing newer than `last` and the site's total agrees.
        while budget > 0:
            budget -= 1
            page = self._page(item, page_no)
            ids = [_int_id(c, self.id_key, page.url) for c in page.comments]
            fresh = [c for c, i in zip(page.comments, ids) if last is None or i > last]
            for comment in fresh:
                mention = self.mention(item, comment, page.url)
                if mention is not None:
                    yield mention
            new_found += len(fresh)
            page_size = max(page_size, len(ids))
            seen_ids += ids
            self._save(item, state, seen_ids, page.total, resume=None if page.last else page_no + 1,
                       first_run=last is None)
            expected_new = (page.total - total) if (page.total is not None and total is not None) else 0
            if page.last or (last is not None and len(fresh) < len(ids) and new_found >= expected_new):
                break
            page_no += 1
        # Then older comments a capped first run did not reach.
        resume = state.get("resume")
        if resume is None or budget <= 0 or oldest is None:
            return
        # The first unread comment sat at `start`; the new ones pushed it down. Start one comment early.
        size = max(page_size, 1)
        start = (resume - self.first_page) * size + new_found - 1
        page_no = self.first_page + max(start, 0) // size
        while budget > 0:
            budget -= 1
            page = self._page(item, page_no)
            ids = [_int_id(c, self.id_key, page.url) for c in page.comments]
            for comment, i in zip(page.comments, ids):
                mention = self.mention(item, comment, page.url) if i < oldest else None
                if mention is not None:
                    yield mention
            seen_ids += ids
            self._save(item, self.cursor["items"].get(item, state), seen_ids, page.total,
                       resume=None if page.last else page_no + 1, first_run=False, backfill=True)
            if page.last:
                return
            page_no += 1

    def _save(self, item: str, state: dict[str, Any], ids: list[int], total: int | None,
              resume: int | None, first_run: bool, backfill: bool = False) -> None:
        new = dict(state)
        if ids:
            new["last"] = max([*ids, state.get("last") or 0])
            new["oldest"] = min([*ids, state["oldest"]]) if state.get("oldest") is not None else min(ids)
        if total is not None:
            new["total"] = total
        if first_run or backfill:
            if resume is None:
                new.pop("resume", None)
            else:
                new["resume"] = resume
        self.cursor["items"][item] = new

    def _page(self, item: str, page_no: int) -> ReviewPage:
        page = self.fetch(item, page_no)
        for n, comment in enumerate(page.comments):
            if not isinstance(comment, dict):
                raise LayoutChanged(f"{page.url}: comments[{n}] is not an object")
        ids = [c.get(self.id_key) for c in page.comments]
        if ids and ids == self._previous.get(item):
            raise LayoutChanged(f"{page.url}: page {page_no} holds the same comments as the page before; "
                                "the API ignores the page number, stopping rather than looping")
        self._previous[item] = ids
        return page


def _get_json(client: HttpClient, url: str, params: dict[str, Any], what: str) -> tuple[str, Any]:
    try:
        page = client.get(url, params=params, headers={"Accept": "application/json"})
    except HttpStatusError as exc:
        if exc.status in (404, 410):
            raise SourceUnavailable(f"{what} not found ({exc})") from None
        raise
    return page.url, page.json()


def _need(data: Any, path: str, url: str) -> Any:
    """data["a"]["b"] for path "a.b", or LayoutChanged naming what is missing."""
    node = data
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            raise LayoutChanged(f"{url}: JSON has no {path!r} (missing {key!r}); the API changed")
        node = node[key]
    return node


def _int_id(comment: dict[str, Any], key: str, url: str) -> int:
    try:
        return int(comment[key])
    except (KeyError, TypeError, ValueError):
        raise LayoutChanged(f"{url}: a comment has no numeric {key!r} (keys: {sorted(comment)[:12]})") from None


# A comment's fields as the types we read them in; anything else counts as absent.
def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _seq(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


class DigikalaOptions(ConnectorOptions):
    product_ids: list[int] = Field(min_length=1, description="dkp- numbers from product URLs")
    base_url: str = "https://api.digikala.com"
    site_url: str = "https://www.digikala.com"
    sort: str = Field(default="created_at", description="newest first; the API's sort option id")
    max_pages: int = Field(default=20, ge=1, le=500, description="per product per run")

    @field_validator("base_url", "site_url")
    @classmethod
    def _strip(cls, value: str) -> str:
        return http_url(value).rstrip("/")


@register
class DigikalaConnector(_PagedReviews):
    kind = "digikala"
    Options = DigikalaOptions
    options: DigikalaOptions
    id_key = "id"

    def items(self) -> list[str]:
        return [str(p) for p in self.options.product_ids]

    def fetch(self, item: str, page: int) -> ReviewPage:
        url, data = _get_json(self.client, f"{self.options.base_url}/v1/product/{item}/comments/",
                              {"page": page, "sort": self.options.sort}, f"Digikala product {item}")
        if isinstance(data, dict) and data.get("status") in (404, 410):
            raise SourceUnavailable(f"Digikala product {item} not found ({url})")
        comments = _need(data, "data.comments", url)
        pager = _need(data, "data.pager", url)
        if not isinstance(comments, list) or not isinstance(pager, dict):
            raise LayoutChanged(f"{url}: data.comments is not a list or data.pager not an object")
        total_pages = pager.get("total_pages")
        last = not comments or (isinstance(total_pages, int) and page >= total_pages)
        return ReviewPage(url, comments, pager.get("total_items"), last)

    def mention(self, item: str, c: dict[str, Any], url: str) -> Mention | None:
        cid = _int_id(c, self.id_key, url)
        when = parse_when(c.get("created_at"), TEHRAN)
        if when is None:
            raise LayoutChanged(f"{url}: comment {cid} has an unreadable created_at {c.get('created_at')!r}")
        title, body = _text(c.get("title")), _text(c.get("body"))
        text = f"{title}\n{body}" if title and body and not body.startswith(title) else (body or title)
        if not text:
            return None
        reactions, purchased = _obj(c.get("reactions")), _obj(c.get("purchased_item"))
        extra = {
            "product_id": int(item), "title": title or None, "rating": c.get("rate"),
            "verified_buyer": c.get("is_buyer"), "recommendation": c.get("recommendation_status"),
            "advantages": c.get("advantages") or None, "disadvantages": c.get("disadvantages") or None,
            "dislikes": reactions.get("dislikes"), "seller": _obj(purchased.get("seller")).get("title"),
            "variant": _obj(purchased.get("color") or purchased.get("size")).get("title"),
        }
        return Mention(
            external_id=f"dkp-{item}/{cid}", text=text, published_at=when,
            permalink=f"{self.options.site_url}/product/dkp-{item}/#comments",
            author=None if c.get("is_anonymous") else c.get("user_name"), channel=f"dkp-{item}",
            reactions=reactions.get("likes"), extra={k: v for k, v in extra.items() if v is not None},
        )


class SnappFoodOptions(ConnectorOptions):
    vendor_codes: list[str] = Field(min_length=1, description="codes from vendor URLs, e.g. 'r-0qqwd9'")
    base_url: str = "https://snappfood.ir"
    site_url: str = "https://snappfood.ir"
    sort: str | None = Field(default=None, description="sortType; leave empty for the site's newest-first")
    max_pages: int = Field(default=20, ge=1, le=500, description="per vendor per run")

    @field_validator("base_url", "site_url")
    @classmethod
    def _strip(cls, value: str) -> str:
        return http_url(value).rstrip("/")


@register
class SnappFoodConnector(_PagedReviews):
    kind = "snappfood"
    Options = SnappFoodOptions
    options: SnappFoodOptions
    first_page = 0
    id_key = "commentId"

    def items(self) -> list[str]:
        return list(self.options.vendor_codes)

    def fetch(self, item: str, page: int) -> ReviewPage:
        url, data = _get_json(self.client, f"{self.options.base_url}/mobile/v1/restaurant/vendor-comment",
                              {"vendorCode": item, "page": page, "sortType": self.options.sort,
                               "optionalClient": "WEBSITE", "client": "WEBSITE", "deviceType": "WEBSITE",
                               "locale": "fa"}, f"SnappFood vendor {item}")
        if isinstance(data, dict) and data.get("status") is False:
            raise SourceUnavailable(f"SnappFood vendor {item}: API said status false "
                                    f"({data.get('error') or data.get('message') or url})")
        comments = _need(data, "data.comments", url)
        if not isinstance(comments, list):
            raise LayoutChanged(f"{url}: data.comments is not a list")
        total, size = data["data"].get("count"), data["data"].get("pageSize") or 10
        last = not comments or len(comments) < size or (isinstance(total, int) and (page + 1) * size >= total)
        return ReviewPage(url, comments, total, last)

    def mention(self, item: str, c: dict[str, Any], url: str) -> Mention | None:
        cid = _int_id(c, self.id_key, url)
        when = parse_when(c.get("createdDate") or c.get("date"), TEHRAN)
        if when is None:
            raise LayoutChanged(f"{url}: comment {cid} has an unreadable date "
                                f"{c.get('createdDate') or c.get('date')!r}")
        text = _text(c.get("commentText"))
        if not text:
            return None
        replies = [r for r in _seq(c.get("replies")) if isinstance(r, dict) and r.get("commentText")]
        rating = c.get("rating")
        extra = {
            "vendor_code": item, "rating": rating / 2 if isinstance(rating, (int, float)) else c.get("rate"),
            "rating_10": rating, "feeling": c.get("feeling"), "delivery": c.get("expeditionType"),
            "foods": [f.get("title") for f in _seq(c.get("foods")) if isinstance(f, dict) and f.get("title")] or None,
            "seller_reply": {"text": replies[0]["commentText"], "author": replies[0].get("sender"),
                             "date": replies[0].get("createdDate") or replies[0].get("date")} if replies else None,
            # Every SnappFood review comes from a delivered order.
            "verified_buyer": True,
        }
        return Mention(
            external_id=f"{item}/{cid}", text=text, published_at=when,
            permalink=f"{self.options.site_url}/restaurant/menu/{item}", author=c.get("sender") or None,
            channel=item, replies=len(replies) or None, extra={k: v for k, v in extra.items() if v is not None},
        )
