"""Comments under a public channel's posts, from Telegram's discussion embed (no login).

For each watched post it fetches ``t.me/<channel>/<post>?embed=1&discussion=1
&comments_limit=N`` and keeps ``{"count", "last", "state"}`` per post in the
cursor: a thread whose count has not moved is skipped (not even fetched when
the channel page already shows the count), and only comments newer than
``last`` are yielded. Each comment is a mention whose parent is the post.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator

from pydantic import Field, field_validator

from shenava.connectors.registry import register
from shenava.connectors.telegram import TelegramOptions, _TelegramWeb
from shenava.connectors.telegram_html import Discussion, TelegramComment, parse_discussion
from shenava.errors import LayoutChanged
from shenava.mention import Mention

log = logging.getLogger("shenava.connectors.telegram")


class TelegramCommentsOptions(TelegramOptions):
    posts: list[int] = Field(default=[], description="post ids to always watch")
    recent_posts: int = Field(default=20, ge=0, le=500, description="also watch the channel's newest N posts")
    watch_days: int = Field(default=14, ge=1, le=3650, description="stop re-reading posts older than this")
    comments_limit: int = Field(default=50, ge=1, le=100, description="comments the embed shows per post")
    max_pages: int = Field(default=3, ge=1, le=50, description="channel pages read to find recent posts")

    @field_validator("posts")
    @classmethod
    def _unique_posts(cls, value: list[int]) -> list[int]:
        return sorted(set(value), reverse=True)


@register
class TelegramCommentsConnector(_TelegramWeb):
    kind = "telegram_comments"
    Options = TelegramCommentsOptions
    options: TelegramCommentsOptions

    def collect(self, cursor: dict[str, Any]) -> Iterator[Mention]:
        known: dict[str, dict[str, Any]] = {k: dict(v) for k, v in cursor.get("posts", {}).items()}
        targets = self._targets()
        # Threads found on earlier runs stay watched while inside the window, even once newer posts push
        # them out of the channel's first page.
        horizon = self._horizon()
        for post, state in known.items():
            published = state.get("published")
            if state.get("state") == "open" and published and datetime.fromisoformat(published) >= horizon:
                targets.setdefault(int(post), (datetime.fromisoformat(published), None))
        self.cursor = {"posts": self._pruned(known, targets)}
        for post, (published, shown_count) in sorted(targets.items(), reverse=True):
            state = known.get(str(post), {})
            if state.get("state") == "deleted" or (state.get("state") == "unavailable" and
                                                   post not in self.options.posts):
                continue  # a deleted post never comes back; a listed post may get a discussion later
            if shown_count is not None and shown_count == state.get("count"):
                continue  # the channel page already says nothing was added
            discussion = self._read(post)
            new_state = dict(state, published=published.isoformat() if published else state.get("published"))
            if discussion.state != "open":
                log.warning("@%s/%d: %s", self.options.channel, post,
                            "post was deleted" if discussion.state == "not_found" else "has no public discussion")
                new_state.update(state="deleted" if discussion.state == "not_found" else "unavailable")
            else:
                yield from self._new_comments(post, discussion, state)
                newest = max((c.id for c in discussion.comments), default=0)
                new_state.update(state="open", count=discussion.total,
                                 last=max(int(state.get("last", 0)), newest))
            known[str(post)] = new_state
            self.cursor = {"posts": self._pruned(known, targets)}

    def _targets(self) -> dict[int, tuple[datetime | None, int | None]]:
        """Post id -> (published, comment count shown on the channel page, if any)."""
        targets: dict[int, tuple[datetime | None, int | None]] = {p: (None, None) for p in self.options.posts}
        wanted, before, horizon = self.options.recent_posts, None, self._horizon()
        for _ in range(self.options.max_pages if wanted else 0):
            page = self.read_channel_page(before)
            posts = [p for p in page.posts if not p.service]
            for p in sorted(posts, key=lambda p: p.id, reverse=True):
                if len([t for t in targets if t not in self.options.posts]) >= wanted:
                    break
                if p.published_at >= horizon:
                    targets[p.id] = (p.published_at, p.replies)
            if page.older_before is None or not posts or min(p.published_at for p in posts) < horizon or \
                    len([t for t in targets if t not in self.options.posts]) >= wanted:
                break
            before = page.older_before
        return targets

    def _horizon(self) -> datetime:
        return datetime.now(timezone.utc) - timedelta(days=self.options.watch_days)

    def _pruned(self, known: dict[str, dict], targets: dict[int, Any]) -> dict[str, dict]:
        # Forget threads that left the watch window, so the cursor stays small.
        horizon = self._horizon()

        def keep(post: str, state: dict) -> bool:
            if int(post) in targets:
                return True
            published = state.get("published")
            return bool(published) and datetime.fromisoformat(published) >= horizon

        return {k: dict(v) for k, v in known.items() if keep(k, v)}

    def _read(self, post: int) -> Discussion:
        url = f"{self.options.base_url}/{self.options.channel}/{post}"
        page = self.client.get(url, params={"embed": 1, "discussion": 1,
                                            "comments_limit": self.options.comments_limit})
        return parse_discussion(page.text, page.url)

    def _new_comments(self, post: int, discussion: Discussion, state: dict[str, Any]) -> Iterator[Mention]:
        last, count = int(state.get("last", 0)), state.get("count")
        fresh = [c for c in discussion.comments if c.id > last]
        if discussion.total is not None and count is not None and discussion.total == count and not fresh:
            return
        if discussion.total and count is not None and discussion.comments and \
                discussion.total - count > len(fresh) and min(c.id for c in discussion.comments) > last:
            log.warning("@%s/%d gained %d comments, the embed shows %d; raise comments_limit (now %d) to get all",
                        self.options.channel, post, discussion.total - count, len(fresh), self.options.comments_limit)
        for comment in sorted(fresh, key=lambda c: c.id, reverse=True):
            if comment.text:
                yield self._mention(post, comment)

    def _mention(self, post: int, c: TelegramComment) -> Mention:
        if c.published_at is None:
            raise LayoutChanged(f"@{self.options.channel}/{post}: comment {c.id} has no date")
        extra = {"author_username": c.author_username, "reply_to_comment": c.reply_to, "media": c.media or None}
        return Mention(
            external_id=f"{self.post_id(post)}?comment={c.id}", text=c.text, published_at=c.published_at,
            permalink=c.permalink or f"https://t.me/{self.options.channel}/{post}?comment={c.id}",
            author=c.author, channel=self.options.channel, parent_external_id=self.post_id(post),
            reactions=c.reactions, edited=c.edited, extra={k: v for k, v in extra.items() if v is not None},
        )
