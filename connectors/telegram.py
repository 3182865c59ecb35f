"""Telegram public channels, read without login from ``t.me/s/<channel>``.

The connector pages back through ``?before=<id>`` until it reaches the saved
cursor. A run that hits its page cap first remembers the unread stretch as a
gap and fills it on later runs, so a busy channel is never silently skipped.
(Comment threads: ``telegram_comments.py``.)
"""
from __future__ import annotations

import logging
import re
from datetime import date
from typing import Any, Iterator
from urllib.parse import urlsplit

from pydantic import Field, field_validator

from shenava.connectors.base import ConnectorOptions, HttpConnector, http_url
from shenava.connectors.http import HttpStatusError
from shenava.connectors.registry import register
from shenava.connectors.telegram_html import ChannelPage, TelegramPost, is_profile_page, parse_channel_page
from shenava.errors import LayoutChanged, SourceUnavailable
from shenava.mention import Mention

log = logging.getLogger("shenava.connectors.telegram")
_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")


def channel_name(value: str) -> str:
    """'@Name', 'https://t.me/s/Name', 't.me/Name/12' -> 'name' (usernames are case-insensitive)."""
    value = value.strip()
    if "t.me/" in value:
        path = urlsplit(value if "://" in value else "https://" + value).path.strip("/").split("/")
        value = path[1] if path and path[0] == "s" and len(path) > 1 else (path[0] if path else "")
    value = value.lstrip("@")
    if not _USERNAME.match(value):
        raise ValueError(f"{value!r} is not a public Telegram username (5-32 letters, digits or _)")
    return value.lower()


class TelegramOptions(ConnectorOptions):
    channel: str = Field(description="public channel username, @name or t.me link")
    base_url: str = "https://t.me"
    max_pages: int = Field(default=20, ge=1, le=1000, description="pages of ~20 posts read per run")
    since: date | None = Field(default=None, description="never collect posts published before this day")

    @field_validator("channel")
    @classmethod
    def _channel(cls, value: str) -> str:
        return channel_name(value)

    @field_validator("base_url")
    @classmethod
    def _base(cls, value: str) -> str:
        return http_url(value).rstrip("/")


class _TelegramWeb(HttpConnector):
    options: TelegramOptions


    def read_channel_page(self, before: int | None) -> ChannelPage:
        channel = self.options.channel
        url = f"{self.options.base_url}/s/{channel}"
        try:
            page = self.client.get(url, params={"before": before})
        except HttpStatusError as exc:
            if exc.status in (404, 410):
                raise SourceUnavailable(f"Telegram channel @{channel} does not exist ({exc})") from None
            raise
        if "/s/" not in urlsplit(page.url).path or is_profile_page(page.text):
            raise SourceUnavailable(f"Telegram channel @{channel} has no public preview (t.me/s/{channel} "
                                    f"led to {page.url}); it is private, a group, or the name is wrong")
        return parse_channel_page(page.text, page.url, channel)

    def post_id(self, post: int) -> str:
        return f"{self.options.channel}/{post}"


@register
class TelegramChannelConnector(_TelegramWeb):
    """Cursor: {"last_id": newest id read, "gaps": [[lo, hi], ...]}, ids strictly between lo and hi unread."""

    kind = "telegram"
    Options = TelegramOptions

    def collect(self, cursor: dict[str, Any]) -> Iterator[Mention]:
        self._last_id = int(cursor.get("last_id", 0))
        self._gaps = [[int(lo), int(hi)] for lo, hi in cursor.get("gaps", [])]
        self._new_gap: list[int] | None = None
        self._budget = self.options.max_pages
        self._save_cursor()
        # Newest first: everything above last_id, then older stretches left by earlier runs.
        yield from self._walk([self._last_id, None], top=True)
        for gap in list(self._gaps):
            if self._budget <= 0:
                break
            yield from self._walk(gap, top=False)
        if self.cursor["gaps"]:
            log.info("@%s: %d stretch(es) of older posts left for the next run (page cap %d)",
                     self.options.channel, len(self.cursor["gaps"]), self.options.max_pages)

    def _walk(self, gap: list, top: bool) -> Iterator[Mention]:
        """Read posts with lo < id < hi (hi None: from the newest page) going back page by page."""
        lo, before = gap
        highest = oldest = None
        while self._budget > 0:
            self._budget -= 1
            page = self.read_channel_page(before)
            ids = [p.id for p in page.posts]
            if before is not None and (any(i >= before for i in ids) or
                                       (page.older_before is not None and page.older_before >= before)):
                raise LayoutChanged(f"t.me/s/{self.options.channel}?before={before} returned posts "
                                    f"{min(ids, default=0)}..{max(ids, default=0)} (next before="
                                    f"{page.older_before}): paging does not move back; stopping, not looping")
            for post in sorted(page.posts, key=lambda p: p.id, reverse=True):
                if post.id > lo:
                    mention = self._mention(post, page.title)
                    if mention is not None:
                        yield mention
            if ids:
                highest = max(highest or 0, max(ids))
                oldest = min(ids) if oldest is None else min(oldest, min(ids))
            done = page.older_before is None or (oldest is not None and oldest <= lo + 1) or \
                self._past_since(page.posts)
            self._progress(gap, top, highest, oldest, done)
            if done:
                return
            before = page.older_before

    def _progress(self, gap: list, top: bool, highest: int | None, oldest: int | None, done: bool) -> None:
        """Move the cursor to what is true once the page just read is stored."""
        if top:
            self._last_id = max(self._last_id, highest or 0)
            self._new_gap = None if done or oldest is None or oldest <= gap[0] + 1 else [gap[0], oldest]
        elif done:
            self._gaps.remove(gap)
        elif oldest is not None:
            gap[1] = oldest
        self._save_cursor()

    def _save_cursor(self) -> None:
        gaps = ([self._new_gap] if self._new_gap else []) + self._gaps
        self.cursor = {"last_id": self._last_id, "gaps": [list(g) for g in gaps]}

    def _past_since(self, posts: list[TelegramPost]) -> bool:
        since = self.options.since
        return bool(since and posts and min(p.published_at for p in posts).date() < since)

    def _mention(self, post: TelegramPost, title: str | None) -> Mention | None:
        if post.service or not post.text:
            return None  # "channel created", pins, stickers and voice notes carry nothing to read
        if self.options.since and post.published_at.date() < self.options.since:
            return None
        extra: dict[str, Any] = {"channel_title": title, "media": post.media or None,
                                 "forwarded_from": post.forwarded_from, "link_preview": post.link_preview,
                                 "reaction_counts": post.reaction_counts or None, "paid_reactions": post.paid_reactions}
        return Mention(
            external_id=self.post_id(post.id), text=post.text, published_at=post.published_at,
            permalink=post.permalink or f"https://t.me/{self.options.channel}/{post.id}", author=post.author,
            channel=self.options.channel, views=post.views, reactions=post.reactions, replies=post.replies,
            parent_external_id=self.post_id(post.reply_to) if post.reply_to else None, edited=post.edited,
            extra={k: v for k, v in extra.items() if v is not None},
        )
