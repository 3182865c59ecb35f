"""The record that travels from a connector into the store."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any


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

    def to_row(self) -> dict[str, Any]:
        row = asdict(self)
        row["published_at"] = self.published_at.astimezone(timezone.utc).isoformat()
        return row
