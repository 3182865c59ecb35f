"""Telegram through MTProto with Telethon, for teams that have an api_id/api_hash (optional).

Install with ``pip install 'shenava[telegram]'``. Credentials come from the
environment (TELEGRAM_API_ID, TELEGRAM_API_HASH, TELEGRAM_SESSION by default)
or from Prefect Secret blocks; they are never logged or put in an error
message. The session must already be authorised: create a StringSession once
with Telethon's interactive login and store it as TELEGRAM_SESSION.

Messages are read oldest-first above the cursor's ``last_id``, so the cursor
can move after every message. A FloodWait shorter than ``max_flood_wait`` is
slept out and reading resumes where it stopped; a longer one ends the run
with a FetchError saying when to come back.
"""
from __future__ import annotations

import asyncio
import logging
import os
import time
from datetime import date, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

from pydantic import Field

from shenava.connectors.base import Connector, ConnectorOptions
from shenava.connectors.registry import register
from shenava.errors import ConnectorError, FetchError, SourceUnavailable
from shenava.mention import Mention

log = logging.getLogger("shenava.connectors.telethon")
INSTALL_HINT = "pip install 'shenava[telegram]'"


class TelethonOptions(ConnectorOptions):
    channel: str = Field(description="username, t.me link or numeric id of a channel or group")
    api_id_env: str = "TELEGRAM_API_ID"
    api_hash_env: str = "TELEGRAM_API_HASH"
    session_env: str = "TELEGRAM_SESSION"
    session_file: str | None = Field(default=None, description="a Telethon .session file instead of a string")
    api_id_secret: str | None = Field(default=None, description="Prefect Secret block holding api_id")
    api_hash_secret: str | None = Field(default=None, description="Prefect Secret block holding api_hash")
    session_secret: str | None = Field(default=None, description="Prefect Secret block holding the session")
    limit_per_run: int = Field(default=2000, ge=1, le=100_000)
    since: date | None = None
    max_flood_wait: int = Field(default=300, ge=0, le=86_400, description="seconds of FloodWait to sleep out")


class Secret(str):
    """A credential that prints as *** wherever it ends up (logs, reprs, tracebacks)."""

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    def reveal(self) -> str:
        return str.__str__(self)


@register
class TelethonConnector(Connector):
    kind = "telethon"
    Options = TelethonOptions
    options: TelethonOptions
    sleep: Callable[[float], None] = staticmethod(time.sleep)

    def collect(self, cursor: dict[str, Any]) -> Iterator[Mention]:
        telethon = _import_telethon(self.source.name)
        last_id = int(cursor.get("last_id", 0))
        self.cursor = {"last_id": last_id}
        client = self._client(telethon)
        loop = asyncio.new_event_loop()
        try:
            try:
                loop.run_until_complete(client.connect())
            except (OSError, ConnectionError, asyncio.TimeoutError) as exc:
                raise FetchError(f"source {self.source.name}: cannot reach Telegram ({type(exc).__name__})") from None
            if not loop.run_until_complete(client.is_user_authorized()):
                raise ConnectorError(f"source {self.source.name}: the Telegram session is not authorised; log in "
                                     f"once with Telethon and store the StringSession in ${self.options.session_env}")
            entity = self._entity(loop, client, telethon)
            title = getattr(entity, "title", None) or getattr(entity, "username", None)
            read = 0
            while read < self.options.limit_per_run:
                messages = client.iter_messages(entity, min_id=last_id, reverse=True,
                                                limit=self.options.limit_per_run - read)
                try:
                    while True:
                        try:
                            message = loop.run_until_complete(messages.__anext__())
                        except StopAsyncIteration:
                            return
                        except telethon.errors.FloodWaitError as exc:
                            self._flood_wait(exc.seconds)
                            break  # read on from last_id with a fresh iterator
                        read += 1
                        mention = self._mention(message, title)
                        if mention is not None:
                            yield mention
                        last_id = max(last_id, int(message.id))
                        self.cursor = {"last_id": last_id}
                finally:
                    loop.run_until_complete(_aclose(messages))
        finally:
            loop.run_until_complete(_maybe_await(client.disconnect()))
            loop.close()

    def _flood_wait(self, seconds: int) -> None:
        if seconds > self.options.max_flood_wait:
            raise FetchError(f"source {self.source.name}: Telegram asks to wait {seconds}s (FloodWait), more than "
                             f"max_flood_wait={self.options.max_flood_wait}s; run again later")
        log.warning("source %s: Telegram FloodWait, sleeping %ss as asked", self.source.name, seconds)
        self.sleep(seconds)

    def _entity(self, loop: asyncio.AbstractEventLoop, client: Any, telethon: Any) -> Any:
        target: Any = self.options.channel.strip()
        if target.lstrip("-").isdigit():
            target = int(target)
        try:
            return loop.run_until_complete(client.get_entity(target))
        except (ValueError, telethon.errors.RPCError) as exc:
            raise SourceUnavailable(f"source {self.source.name}: Telegram has no chat {self.options.channel!r} "
                                    f"visible to this account ({type(exc).__name__})") from None

    def _client(self, telethon: Any) -> Any:
        api_id = self._credential("api_id", self.options.api_id_env, self.options.api_id_secret)
        api_hash = self._credential("api_hash", self.options.api_hash_env, self.options.api_hash_secret)
        try:
            numeric_id = int(api_id.reveal())
        except ValueError:
            raise ConnectorError(f"source {self.source.name}: api_id (from {self._where('api_id')}) is not a "
                                 "number") from None
        if self.options.session_file:
            session: Any = str(Path(self.base_dir) / self.options.session_file)
        else:
            session = telethon.sessions.StringSession(
                self._credential("session", self.options.session_env, self.options.session_secret).reveal())
        client = telethon.TelegramClient(session, numeric_id, api_hash.reveal())
        # Telethon sleeps out FloodWaits below this threshold itself and raises above it.
        client.flood_sleep_threshold = self.options.max_flood_wait
        return client

    def _credential(self, what: str, env: str, secret_block: str | None) -> Secret:
        value = _prefect_secret(secret_block, self.source.name) if secret_block else os.environ.get(env)
        if not value:
            raise ConnectorError(f"source {self.source.name}: no Telegram {what}: set ${env} or "
                                 f"{what}_secret (a Prefect Secret block name)")
        return Secret(value)

    def _where(self, what: str) -> str:
        secret = getattr(self.options, f"{what}_secret")
        return f"Prefect Secret {secret!r}" if secret else f"${getattr(self.options, what + '_env')}"

    def _mention(self, m: Any, title: str | None) -> Mention | None:
        text = getattr(m, "message", None) or ""
        when = getattr(m, "date", None)
        if not text.strip() or when is None:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        if self.options.since and when.date() < self.options.since:
            return None
        reply_to = getattr(getattr(m, "reply_to", None), "reply_to_msg_id", None)
        replies = getattr(getattr(m, "replies", None), "replies", None)
        results = getattr(getattr(m, "reactions", None), "results", None) or []
        reactions = sum(int(getattr(r, "count", 0)) for r in results) if results else None
        fwd = getattr(m, "fwd_from", None)
        media = getattr(m, "media", None)
        chat = self.options.channel.lstrip("@").lower()
        extra = {"media": [_media_kind(media)] if media is not None else None,
                 "forwarded_from": getattr(fwd, "from_name", None) or (True if fwd else None),
                 "channel_title": title}
        return Mention(
            external_id=f"{chat}/{m.id}", text=text, published_at=when,
            permalink=f"https://t.me/{chat}/{m.id}" if not chat.lstrip("-").isdigit() else None,
            author=getattr(m, "post_author", None), channel=chat, views=getattr(m, "views", None),
            forwards=getattr(m, "forwards", None), replies=replies, reactions=reactions,
            parent_external_id=f"{chat}/{reply_to}" if reply_to else None,
            edited=getattr(m, "edit_date", None) is not None,
            extra={k: v for k, v in extra.items() if v is not None},
        )


def _import_telethon(source: str) -> Any:
    try:
        import telethon
        import telethon.errors
        import telethon.sessions
    except ImportError:
        raise ConnectorError(f"source {source}: kind 'telethon' needs Telethon, which is optional: "
                             f"{INSTALL_HINT}") from None
    return telethon


def _prefect_secret(name: str, source: str) -> str:
    try:
        from prefect.blocks.system import Secret as PrefectSecret

        return PrefectSecret.load(name).get()
    except Exception as exc:  # Prefect raises several kinds; none may leak the value
        raise ConnectorError(f"source {source}: cannot load Prefect Secret block {name!r} "
                             f"({type(exc).__name__})") from None


def _media_kind(media: Any) -> str:
    name = type(media).__name__
    return name.removeprefix("MessageMedia").lower() or "media"


async def _aclose(agen: Any) -> None:
    close = getattr(agen, "aclose", None)
    if close is not None:
        await close()


async def _maybe_await(value: Any) -> None:
    if asyncio.iscoroutine(value):
        await value
