"""The record that travels from a connector into the store."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

# Half of a surrogate pair (JSON "\\ud83d", a comment cut mid-emoji) is not storable UTF-8.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_MAX_COUNT = 2 ** 63 - 1  # SQLite's INTEGER
_OPTIONAL_TEXT = ("permalink", "author", "channel", "parent_external_id", "brand")
_TEXT_FIELDS = ("external_id", "text", *_OPTIONAL_TEXT)


@dataclass
class Mention:
    """One comment, review, post or reply written by one person.

    `external_id` is the source's own stable id (Telegram message id, review id,
    URL fragment); together with the source name it identifies the mention, so
    collecting the same item twice updates it instead of storing it twice.
    """

    external_id: str
    text: str
    published_at: datetime
    permalink: str | None = None
    author: str | None = None
    channel: str | None = None
    parent_external_id: str | None = None
    views: int | None = None
    reactions: int | None = None
    forwards: int | None = None
    replies: int | None = None
    brand: str | None = None
    edited: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.external_id:
            raise ValueError("mention has an empty external_id")
        if self.published_at.tzinfo is None:
            raise ValueError(f"mention {self.external_id}: published_at has no timezone")
        self.external_id = str(self.external_id)
        # Whatever a source sends (a JSON API can put anything anywhere), the mention
        # must be storable and safe to show.
        for name in _OPTIONAL_TEXT:
            setattr(self, name, _optional_text(getattr(self, name)))
        for name in _TEXT_FIELDS:
            value = getattr(self, name)
            if isinstance(value, str) and _SURROGATE.search(value):
                setattr(self, name, _SURROGATE.sub("\ufffd", value))
        self.extra = _storable(self.extra) if isinstance(self.extra, dict) else {}
        if self.permalink and not _is_web_url(self.permalink):
            self.permalink = None  # javascript:, data:, file: links never reach a digest
        for name in ("views", "reactions", "forwards", "replies"):
            value = getattr(self, name)
            if value is not None and not (type(value) is int and 0 <= value <= _MAX_COUNT):
                setattr(self, name, None)

    def to_row(self) -> dict[str, Any]:
        row = asdict(self)
        row["published_at"] = self.published_at.astimezone(timezone.utc).isoformat()
        return row


def _optional_text(value: Any) -> str | None:
    """A name or link as text: numbers become text, objects and lists (no name) become None."""
    if value is None or isinstance(value, str):
        return value
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _is_web_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def _storable(value: Any) -> Any:
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_storable(k) if isinstance(k, str) else str(k): _storable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_storable(v) for v in value]
    return value
