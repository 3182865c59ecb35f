"""Parsers for Telegram's public web pages (no login): channel previews and comment embeds.

``https://t.me/s/<channel>`` lists a channel's latest posts, each a
``.tgme_widget_message[data-post="channel/123"]``; ``?before=<id>`` pages back.
``https://t.me/<channel>/<post>?embed=1&discussion=1`` renders a post's comment
thread. These functions only read HTML; fetching and cursors live in
``telegram.py``. A page without the elements we rely on raises LayoutChanged
naming the URL and the missing piece, never returns a silent empty list.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup, Tag

from shenava.connectors.parsing import node_text, parse_count
from shenava.errors import LayoutChanged

# Blocks inside a message that quote or describe something else than what was written.
_NOT_BODY = ("tgme_widget_message_reply", "tgme_widget_message_link_preview", "tgme_widget_message_poll",
             "tgme_widget_message_forwarded_from")
_PROFILE = re.compile(r'class="tgme_page(?:_extra)?["\s]')
_MEDIA = (
    ("tgme_widget_message_grouped_wrap", "album"),
    ("tgme_widget_message_photo_wrap", "photo"),
    ("tgme_widget_message_video_player", "video"),
    ("tgme_widget_message_roundvideo_player", "round_video"),
    ("tgme_widget_message_voice_player", "voice"),
    ("tgme_widget_message_document_wrap", "document"),
    ("tgme_widget_message_sticker_wrap", "sticker"),
    ("tgme_widget_message_poll", "poll"),
    ("tgme_widget_message_location_wrap", "location"),
)


@dataclass
class TelegramPost:
    channel: str
    id: int
    published_at: datetime
    text: str
    permalink: str | None = None
    author: str | None = None
    views: int | None = None
    reactions: int | None = None
    reaction_counts: dict[str, int] = field(default_factory=dict)
    paid_reactions: int | None = None
    forwarded_from: dict[str, str] | None = None
    reply_to: int | None = None
    link_preview: dict[str, str] | None = None
    media: list[str] = field(default_factory=list)
    edited: bool = False
    service: bool = False
    replies: int | None = None


@dataclass
class ChannelPage:
    posts: list[TelegramPost]
    title: str | None
    # The id to pass as ?before= for the next older page; None on the channel's first page.
    older_before: int | None


@dataclass
class TelegramComment:
    id: int
    published_at: datetime
    text: str
    author: str | None
    author_username: str | None
    permalink: str | None
    reply_to: int | None
    reactions: int | None
    media: list[str] = field(default_factory=list)
    edited: bool = False


@dataclass
class Discussion:
    """A post's comment thread as the embed shows it (the newest `comments_limit` comments)."""

    state: str  # "open" | "unavailable" (no discussion group) | "not_found" (post deleted)
    total: int | None = None
    comments: list[TelegramComment] = field(default_factory=list)
    older_before: int | None = None


def soup_of(html: str, url: str) -> BeautifulSoup:
    if "</html>" not in html[-4096:].lower():
        raise LayoutChanged(f"{url}: page ends before </html> ({len(html):,} characters); "
                            "the response was cut short")
    return BeautifulSoup(html, "html.parser")


def parse_channel_page(html: str, url: str, channel: str) -> ChannelPage:
    soup = soup_of(html, url)
    history = soup.find(class_="tgme_channel_history")
    if history is None:
        raise LayoutChanged(f"{url}: no .tgme_channel_history section; the t.me/s layout changed "
                            "or this is not a channel preview page")
    posts = []
    for node in history.find_all(class_="tgme_widget_message"):
        if node.find_parent(class_="tgme_widget_message_reply"):
            continue
        posts.append(_post(node, url, channel))
    title_node = soup.find(class_="tgme_channel_info_header_title")
    more = soup.find(class_="tme_messages_more", attrs={"data-before": True})
    older = _int(more.get("data-before")) if more else None
    return ChannelPage(posts, title_node.get_text(" ", strip=True) if title_node else None, older)


def is_profile_page(html: str) -> bool:
    """t.me/<channel> (no /s/): what t.me shows for private, group-only or unknown names."""
    return bool(_PROFILE.search(html)) and "tgme_channel_history" not in html


class _Classes:
    """A message's elements by class name, in document order.

    One walk over the message instead of a CSS query per field: with soupsieve
    queries the parser managed 42 pages/s, with this 108 (bench/bench_connectors.py).
    """

    def __init__(self, node: Tag):
        self.by: dict[str, list[Tag]] = {}
        for el in node.find_all(True):
            for cls in el.get("class") or ():
                self.by.setdefault(cls, []).append(el)

    def first(self, cls: str, tag: str | None = None) -> Tag | None:
        for el in self.by.get(cls, ()):
            if tag is None or el.name == tag:
                return el
        return None

    def all(self, cls: str) -> list[Tag]:
        return self.by.get(cls, [])


def _post(node: Tag, url: str, channel: str) -> TelegramPost:
    data_post = node.get("data-post")
    if not data_post or "/" not in data_post:
        raise LayoutChanged(f"{url}: a .tgme_widget_message has no data-post=\"channel/id\" attribute")
    post_id = _int(data_post.rsplit("/", 1)[1])
    if post_id is None:
        raise LayoutChanged(f"{url}: data-post={data_post!r} does not end in a message id")
    ix = _Classes(node)
    date_link = ix.first("tgme_widget_message_date")
    author = ix.first("tgme_widget_message_from_author") or ix.first("tgme_widget_message_owner_name")
    views = ix.first("tgme_widget_message_views")
    reactions, paid, per_emoji = _reactions(ix)
    reply = ix.first("tgme_widget_message_reply", "a")
    replies = ix.first("tgme_widget_message_replies")
    return TelegramPost(
        channel=channel, id=post_id, published_at=_time(ix, f"{url}: post {data_post}"), text=_body_text(ix),
        permalink=date_link.get("href") if date_link else None,
        author=author.get_text(" ", strip=True) if author else None,
        views=parse_count(views.get_text()) if views else None,
        reactions=reactions, reaction_counts=per_emoji, paid_reactions=paid,
        forwarded_from=_forwarded(ix), reply_to=_message_id(reply.get("href")) if reply else None,
        link_preview=_link_preview(ix), media=_media(ix), edited=_edited(ix),
        service="service_message" in (node.get("class") or []),
        replies=parse_count(replies.get_text()) if replies else None,
    )


def _time(ix: _Classes, where: str) -> datetime:
    stamp = None
    for holder in (*ix.all("tgme_widget_message_date"), *ix.all("tgme_widget_message_footer")):
        stamp = holder.find("time", attrs={"datetime": True})
        if stamp is not None:
            break
    if stamp is None:
        raise LayoutChanged(f"{where} has no <time datetime> in its footer")
    try:
        when = datetime.fromisoformat(stamp["datetime"].replace("Z", "+00:00"))
    except ValueError:
        raise LayoutChanged(f"{where}: time datetime={stamp['datetime']!r} is not ISO 8601") from None
    if when.tzinfo is None:
        raise LayoutChanged(f"{where}: time datetime={stamp['datetime']!r} has no UTC offset")
    return when


def _body_text(ix: _Classes) -> str:
    for text in ix.all("tgme_widget_message_text"):
        if "js-message_reply_text" in (text.get("class") or []) or any(text.find_parent(class_=c) for c in _NOT_BODY):
            continue
        return node_text(text)
    return ""


def _edited(ix: _Classes) -> bool:
    meta = ix.first("tgme_widget_message_meta")
    return bool(meta and "edited" in meta.get_text(" ", strip=True).lower())


def _reactions(ix: _Classes) -> tuple[int | None, int | None, dict[str, int]]:
    if ix.first("tgme_widget_message_reactions") is None:
        return None, None, {}
    total, paid, per_emoji = 0, None, {}
    for chip in ix.all("tgme_reaction"):
        # The count is the chip's own text after the emoji, e.g. <i class="emoji"><b>❤</b></i>1.2K
        count = parse_count("".join(s for s in chip.find_all(string=True, recursive=False)))
        if count is None:
            continue
        if "tgme_reaction_paid" in (chip.get("class") or []):
            paid = (paid or 0) + count
            continue
        emoji = chip.find("b") or chip.find("tg-emoji")
        key = emoji.get_text(strip=True) if emoji and emoji.get_text(strip=True) else (
            f"custom:{emoji.get('emoji-id')}" if emoji is not None and emoji.get("emoji-id") else "other")
        per_emoji[key] = per_emoji.get(key, 0) + count
        total += count
    return total, paid, per_emoji


def _forwarded(ix: _Classes) -> dict[str, str] | None:
    name = ix.first("tgme_widget_message_forwarded_from_name")
    if name is None:
        return None
    found = {"name": name.get_text(" ", strip=True)}
    if name.get("href"):
        found["url"] = name["href"]
    return found


def _link_preview(ix: _Classes) -> dict[str, str] | None:
    box = ix.first("tgme_widget_message_link_preview", "a")
    if box is None:
        return None
    found = {"url": box.get("href", "")}
    for key, cls in (("site", "link_preview_site_name"), ("title", "link_preview_title"),
                     ("description", "link_preview_description")):
        part = box.find(class_=cls)
        if part is not None:
            found[key] = part.get_text(" ", strip=True)
    return found


def _media(ix: _Classes) -> list[str]:
    kinds = [kind for cls, kind in _MEDIA if ix.all(cls)]
    return ["album"] if "album" in kinds else list(dict.fromkeys(kinds))


def _message_id(href: str | None) -> int | None:
    if not href:
        return None
    parts = urlsplit(href)
    comment = parse_qs(parts.query).get("comment")
    if comment:
        return _int(comment[0])
    return _int(parts.path.rstrip("/").rsplit("/", 1)[-1])


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


# -- comment threads -------------------------------------------------------------
def parse_discussion(html: str, url: str) -> Discussion:
    soup = soup_of(html, url)
    error = soup.find(class_="tgme_widget_message_error")
    if error is not None and "not found" in error.get_text(" ", strip=True).lower():
        return Discussion("not_found")
    thread = soup.find(class_="tgme_post_discussion")
    if thread is None:
        raise LayoutChanged(f"{url}: no .tgme_post_discussion block; the comment embed layout changed")
    nodes = thread.find_all(class_="tgme_widget_message", attrs={"data-post-id": True})
    empty = thread.find(class_="tme_no_messages_found")
    if empty is not None and not nodes:
        message = empty.get_text(" ", strip=True).lower()
        return Discussion("unavailable" if "not available" in message or "open telegram" in message else "open", 0)
    header_box = soup.find(class_="tgme_post_discussion_header")
    header = (header_box.find(class_="js-header") if header_box else None) or soup.find(class_="js-header")
    total = parse_count(header.get_text()) if header else None
    comments = [_comment(node, url) for node in nodes]
    more = thread.find(class_="tme_messages_more", attrs={"data-before": True})
    if total is None:
        total = 0 if not comments else None
    return Discussion("open", total, comments, _int(more.get("data-before")) if more else None)


def _comment(node: Tag, url: str) -> TelegramComment:
    comment_id = _int(node.get("data-post-id"))
    if comment_id is None:
        raise LayoutChanged(f"{url}: a comment has data-post-id={node.get('data-post-id')!r}, not a number")
    ix = _Classes(node)
    author = next((a for a in ix.all("tgme_widget_message_author_name")
                   if not a.find_parent(class_="tgme_widget_message_reply")), None)
    username = urlsplit(author["href"]).path.strip("/") or None if author is not None and author.get("href") else None
    reply = ix.first("tgme_widget_message_reply")
    reply_to = (_int(reply.get("data-reply-to")) or _message_id(reply.get("href"))) if reply is not None else None
    date_link = ix.first("tgme_widget_message_date")
    return TelegramComment(
        id=comment_id, published_at=_time(ix, f"{url}: comment {comment_id}"), text=_body_text(ix),
        author=author.get_text(" ", strip=True) if author else None, author_username=username,
        permalink=date_link.get("href") if date_link else None, reply_to=reply_to, reactions=_reactions(ix)[0],
        media=_media(ix), edited=_edited(ix),
    )
