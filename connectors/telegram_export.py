"""Telegram Desktop exports (Settings -> Export chat history -> JSON): result.json of a chat.

Reads a single chat's export or picks one chat out of a whole-account export.
Formatted text (bold, links, mentions, custom emoji) is flattened to plain
text; replies point at the message they answer. The cursor keeps, per chat,
the highest message id and the latest edit time imported, so importing a newer
export of the same chat adds only what is new or was edited since.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator
from zoneinfo import ZoneInfo

from pydantic import Field

from shenava.connectors.base import Connector, ConnectorOptions
from shenava.connectors.files import resolve_files
from shenava.connectors.registry import register
from shenava.errors import ConnectorError, LayoutChanged
from shenava.mention import Mention

_MEDIA_KEYS = (("photo", "photo"), ("file", "file"), ("poll", "poll"), ("location_information", "location"),
               ("contact_information", "contact"))


class TelegramExportOptions(ConnectorOptions):
    path: str = Field(description="result.json, its folder, or a glob of either, relative to the config")
    chat: str | None = Field(default=None, description="chat name or id, for a whole-account export")
    channel: str | None = Field(default=None, description="public username, for t.me permalinks")
    timezone: str = Field(default="Asia/Tehran", description="of `date` in exports without date_unixtime")


@register
class TelegramExportConnector(Connector):
    kind = "telegram_export"
    Options = TelegramExportOptions
    options: TelegramExportOptions

    def collect(self, cursor: dict[str, Any]) -> Iterator[Mention]:
        chats: dict[str, dict[str, Any]] = {k: dict(v) for k, v in cursor.get("chats", {}).items()}
        self.cursor = {"chats": {k: dict(v) for k, v in chats.items()}}
        for path in resolve_files(self.base_dir, self.options.path, self.source.name, folders=True):
            if path.is_dir():  # its result.json must be in it, not a link to a file elsewhere
                path = resolve_files(path, "result.json", self.source.name)[0]
            chat = self._chat(path)
            key = str(chat.get("id") or hashlib.sha1(str(chat.get("name")).encode()).hexdigest()[:12])
            state = chats.get(key, {})
            last_id, last_edit = int(state.get("last_id", 0)), int(state.get("last_edit", 0))
            top_id, top_edit = last_id, last_edit
            if not isinstance(chat.get("messages"), list):
                raise LayoutChanged(f"{path}: 'messages' is not a list; not a Telegram Desktop export")
            for n, message in enumerate(chat["messages"]):
                if not isinstance(message, dict) or type(message.get("id")) is not int:
                    raise LayoutChanged(f"{path}: messages[{n}] has no numeric id; not a Telegram Desktop export")
                edit = _epoch(message.get("edited_unixtime"))
                if message["id"] > last_id or (edit and edit > last_edit):
                    mention = self._mention(path, chat, message)
                    if mention is not None:
                        yield mention
                top_id, top_edit = max(top_id, int(message["id"])), max(top_edit, edit or 0)
            # Messages are in id order in an export; the whole chat is yielded before the cursor moves.
            self.cursor["chats"][key] = {"last_id": top_id, "last_edit": top_edit, "name": chat.get("name")}

    def _chat(self, path: Path) -> dict[str, Any]:
        if not path.is_file():
            raise ConnectorError(f"source {self.source.name}: no result.json at {path}")
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except UnicodeDecodeError as exc:
            raise ConnectorError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
        except json.JSONDecodeError as exc:
            raise LayoutChanged(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}); "
                                "export again with format JSON") from None
        if not isinstance(data, dict):
            raise LayoutChanged(f"{path}: expected a JSON object at the top")
        if "messages" in data:
            return data
        chats = data.get("chats")
        chats = chats.get("list") if isinstance(chats, dict) else None
        if not isinstance(chats, list) or not all(isinstance(c, dict) for c in chats):
            raise LayoutChanged(f"{path}: neither 'messages' (one chat) nor 'chats.list' (account export) found")
        wanted = self.options.chat
        names = [str(c.get("name")) for c in chats]
        if wanted is None:
            raise ConnectorError(f"{path} is a whole-account export with {len(chats)} chats; set chat = one of "
                                 f"{names[:10]}")
        for chat in chats:
            if wanted in (str(chat.get("name")), str(chat.get("id"))):
                return chat
        raise ConnectorError(f"{path}: no chat named {wanted!r} (chats: {names[:10]})")

    def _mention(self, path: Path, chat: dict[str, Any], m: dict[str, Any]) -> Mention | None:
        if m.get("type", "message") != "message":
            return None  # joins, pins, title changes
        text = flatten_text(m.get("text_entities") if "text_entities" in m else m.get("text"))
        if not text.strip():
            return None  # stickers, voice notes and photos without a caption
        chat_key = self.options.channel or str(chat.get("id", "chat"))
        extra = {
            "from_id": m.get("from_id"), "forwarded_from": m.get("forwarded_from"),
            "media": _media(m), "links": _links(m.get("text_entities") or m.get("text")),
            "reaction_counts": _reaction_counts(m.get("reactions")), "chat_type": chat.get("type"),
        }
        reactions = sum(extra["reaction_counts"].values()) if extra["reaction_counts"] else None
        reply = m.get("reply_to_message_id")
        return Mention(
            external_id=f"{chat_key}/{m['id']}", text=text, published_at=self._when(path, m),
            permalink=self._permalink(chat, m["id"]), author=m.get("from") or m.get("author"),
            channel=chat.get("name"), parent_external_id=f"{chat_key}/{reply}" if reply else None,
            reactions=reactions, edited=bool(m.get("edited") or m.get("edited_unixtime")),
            extra={k: v for k, v in extra.items() if v},
        )

    def _when(self, path: Path, m: dict[str, Any]) -> datetime:
        epoch = _epoch(m.get("date_unixtime"))
        if epoch:
            return datetime.fromtimestamp(epoch, timezone.utc)
        try:
            when = datetime.fromisoformat(str(m.get("date")))
        except ValueError:
            raise LayoutChanged(f"{path}: message {m.get('id')} has no readable date ({m.get('date')!r})") from None
        # Desktop writes `date` in the exporting computer's local time, without an offset.
        return when if when.tzinfo else when.replace(tzinfo=ZoneInfo(self.options.timezone))

    def _permalink(self, chat: dict[str, Any], message_id: int) -> str | None:
        if self.options.channel:
            return f"https://t.me/{self.options.channel}/{message_id}"
        if chat.get("type") in ("public_channel", "private_channel", "public_supergroup", "private_supergroup"):
            return f"https://t.me/c/{chat.get('id')}/{message_id}"  # opens for members only
        return None


def flatten_text(value: Any) -> str:
    """Export text is a string or a list of strings and {"type", "text"} entities."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return str(value.get("text", ""))
    if isinstance(value, list):
        return "".join(flatten_text(part) for part in value)
    return str(value)


def _links(value: Any) -> list[str] | None:
    if not isinstance(value, list):
        return None
    links = [p.get("href") or p.get("text") for p in value
             if isinstance(p, dict) and p.get("type") in ("link", "text_link")]
    return [link for link in links if link] or None


def _reaction_counts(reactions: Any) -> dict[str, int] | None:
    if not isinstance(reactions, list):
        return None
    counts: dict[str, int] = {}
    for r in reactions:
        if isinstance(r, dict) and isinstance(r.get("count"), int):
            key = r.get("emoji") or (f"custom:{r.get('document_id')}" if r.get("document_id") else r.get("type", "other"))
            key = key if isinstance(key, str) else "other"
            counts[key] = counts.get(key, 0) + r["count"]
    return counts or None


def _media(m: dict[str, Any]) -> list[str] | None:
    kinds = [m["media_type"]] if m.get("media_type") else []
    kinds += [kind for key, kind in _MEDIA_KEYS if key in m and kind not in kinds and not m.get("media_type")]
    return kinds or None


def _epoch(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
