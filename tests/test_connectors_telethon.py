"""The optional Telethon connector, tested up to the MTProto boundary.

Telethon is not needed here: a small stand-in module with Telethon's names
(TelegramClient, errors.FloodWaitError, sessions.StringSession) plays the
server side, so what is tested is shenava's part: credentials, cursor,
FloodWait handling and the message -> mention mapping.
"""
from __future__ import annotations

import logging
import sys
import types
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest

from shenava.connectors.base import build_connector
from shenava.connectors.replay import replay_config
from shenava.connectors.telethon_source import INSTALL_HINT, Secret
from shenava.errors import ConnectorError, FetchError, SourceUnavailable

API_HASH = "0123456789abcdef0123456789abcdef"
SESSION = "1BVtsOK8Bu3secret-session-string"


class MessageMediaPhoto:
    pass


def message(i, text, **kw):
    base = dict(id=i, message=text, date=datetime(2025, 11, 20, 8, i, tzinfo=timezone.utc), views=100 * i,
                forwards=i, replies=None, reactions=None, edit_date=None, post_author=None, fwd_from=None,
                reply_to=None, media=None)
    base.update(kw)
    return SimpleNamespace(**base)


MESSAGES = [
    message(1, "سلام، کانال رسمی پشتیبانی فروشگاه"),
    message(2, "ارسال‌ها امروز با تاخیر انجام میشه 🙏", reactions=SimpleNamespace(
        results=[SimpleNamespace(count=12), SimpleNamespace(count=3)]), replies=SimpleNamespace(replies=7)),
    message(3, "", media=MessageMediaPhoto()),  # a photo without caption
    message(4, "عکس سفارش‌های امروز 📦", media=MessageMediaPhoto(), post_author="مدیر کانال",
            edit_date=datetime(2025, 11, 20, 9, 0, tzinfo=timezone.utc)),
    message(5, "جواب: بله ارسال رایگان هنوز هست", reply_to=SimpleNamespace(reply_to_msg_id=2),
            fwd_from=SimpleNamespace(from_name="پشتیبانی")),
]


def install_fake_telethon(monkeypatch):
    """Installs a stand-in `telethon` package and credentials; returns its knobs (also used by the CLI test)."""
    state = SimpleNamespace(messages=list(MESSAGES), flood=None, authorized=True, clients=[], disconnected=0)

    class FloodWaitError(Exception):
        def __init__(self, seconds):
            super().__init__(f"A wait of {seconds} seconds is required")
            self.seconds = seconds

    class RPCError(Exception):
        pass

    class StringSession:
        def __init__(self, string):
            self.string = string

    class TelegramClient:
        def __init__(self, session, api_id, api_hash):
            self.session, self.api_id, self.api_hash = session, api_id, api_hash
            state.clients.append(self)

        async def connect(self):
            return None

        async def is_user_authorized(self):
            return state.authorized

        async def get_entity(self, target):
            if target != "shop_support":
                raise ValueError(f'No user has "{target}" as username')
            return SimpleNamespace(title="پشتیبانی فروشگاه", username="shop_support")

        async def iter_messages(self, entity, min_id=0, reverse=False, limit=None):
            sent = 0
            for m in sorted(state.messages, key=lambda m: m.id):
                if m.id <= min_id or (limit is not None and sent >= limit):
                    continue
                if state.flood and state.flood[0] == m.id:
                    seconds = state.flood[1]
                    state.flood = None
                    raise FloodWaitError(seconds)
                sent += 1
                yield m

        def disconnect(self):
            state.disconnected += 1

    module = types.ModuleType("telethon")
    module.TelegramClient = TelegramClient
    module.errors = types.ModuleType("telethon.errors")
    module.errors.FloodWaitError, module.errors.RPCError = FloodWaitError, RPCError
    module.sessions = types.ModuleType("telethon.sessions")
    module.sessions.StringSession = StringSession
    for name, mod in (("telethon", module), ("telethon.errors", module.errors), ("telethon.sessions", module.sessions)):
        monkeypatch.setitem(sys.modules, name, mod)
    monkeypatch.setenv("TELEGRAM_API_ID", "123456")
    monkeypatch.setenv("TELEGRAM_API_HASH", API_HASH)
    monkeypatch.setenv("TELEGRAM_SESSION", SESSION)
    return state


@pytest.fixture
def telethon(monkeypatch):
    return install_fake_telethon(monkeypatch)


def connector(**options):
    config = replay_config({"name": "mt", "kind": "telethon", "channel": "shop_support", **options})
    conn = build_connector(config, config.sources[0])
    conn.slept = []
    conn.sleep = conn.slept.append
    return conn


def run(conn, cursor=None):
    return {int(m.external_id.split("/")[1]): m for m in conn.collect(cursor or {})}, conn.cursor


def test_without_telethon_the_error_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "telethon", None)
    with pytest.raises(ConnectorError, match=r"needs Telethon, which is optional: pip install 'shenava\[telegram\]'"):
        run(connector())
    assert "shenava[telegram]" in INSTALL_HINT


def test_reads_messages_above_the_cursor(telethon):
    mentions, cursor = run(connector())
    assert sorted(mentions) == [1, 2, 4, 5] and cursor == {"last_id": 5}
    client = telethon.clients[0]
    assert client.api_id == 123456 and client.api_hash == API_HASH and client.session.string == SESSION
    assert telethon.disconnected == 1
    telethon.messages.append(message(6, "سفارش جدید ثبت شد"))
    mentions, cursor = run(connector(), cursor)
    assert sorted(mentions) == [6] and cursor == {"last_id": 6}


@pytest.mark.parametrize("mid, field, expected", [
    (2, "reactions", 15), (2, "replies", 7), (2, "views", 200), (2, "forwards", 2),
    (4, "author", "مدیر کانال"), (4, "edited", True), (2, "edited", False),
    (5, "parent_external_id", "shop_support/2"), (5, "permalink", "https://t.me/shop_support/5"),
    (1, "published_at", datetime(2025, 11, 20, 8, 1, tzinfo=timezone.utc)),
    (4, "extra", {"media": ["photo"], "channel_title": "پشتیبانی فروشگاه"}),
    (5, "extra", {"forwarded_from": "پشتیبانی", "channel_title": "پشتیبانی فروشگاه"}),
])
def test_message_fields(telethon, mid, field, expected):
    mentions, _ = run(connector())
    assert getattr(mentions[mid], field) == expected


def test_short_flood_wait_is_slept_out_and_reading_resumes(telethon):
    telethon.flood = (4, 7)
    conn = connector()
    mentions, cursor = run(conn)
    assert sorted(mentions) == [1, 2, 4, 5] and cursor == {"last_id": 5}
    assert conn.slept == [7]


def test_long_flood_wait_stops_with_the_cursor_at_the_last_message(telethon):
    telethon.flood = (4, 3600)
    conn = connector(max_flood_wait=60)
    got = []
    with pytest.raises(FetchError, match="wait 3600s .* more than max_flood_wait=60s"):
        for m in conn.collect({}):
            got.append(m.external_id)
    assert got == ["shop_support/1", "shop_support/2"] and conn.cursor == {"last_id": 3}
    assert conn.slept == []


def test_limit_per_run(telethon):
    mentions, cursor = run(connector(limit_per_run=2))
    assert sorted(mentions) == [1, 2] and cursor == {"last_id": 2}


def test_missing_credentials_are_named_not_shown(telethon, monkeypatch):
    monkeypatch.delenv("TELEGRAM_API_HASH")
    with pytest.raises(ConnectorError, match=r"no Telegram api_hash: set \$TELEGRAM_API_HASH"):
        run(connector())
    monkeypatch.setenv("TELEGRAM_API_HASH", API_HASH)
    monkeypatch.setenv("TELEGRAM_API_ID", "not-a-number-" + API_HASH)
    with pytest.raises(ConnectorError) as err:
        run(connector())
    assert "api_id (from $TELEGRAM_API_ID) is not a number" in str(err.value)
    assert API_HASH not in str(err.value)


def test_credentials_never_reach_the_logs(telethon, caplog):
    telethon.flood = (2, 1)
    with caplog.at_level(logging.DEBUG):
        conn = connector()
        run(conn)
    assert caplog.text and "FloodWait" in caplog.text
    assert API_HASH not in caplog.text and SESSION not in caplog.text
    assert API_HASH not in repr(vars(conn)) and SESSION not in repr(vars(conn))


def test_secret_hides_itself():
    s = Secret(API_HASH)
    assert repr(s) == "Secret('***')" and str(s) == "***" and f"{s!s}" == "***" and s.reveal() == API_HASH


def test_credentials_from_prefect_secret_blocks(telethon, monkeypatch):
    import prefect.blocks.system

    blocks = {"tg-hash": "fedcba9876543210fedcba9876543210", "tg-session": "1Bprefect-session"}
    monkeypatch.setattr(prefect.blocks.system.Secret, "load",
                        classmethod(lambda cls, name: SimpleNamespace(get=lambda: blocks[name])))
    monkeypatch.delenv("TELEGRAM_API_HASH")
    run(connector(api_hash_secret="tg-hash", session_secret="tg-session"))
    client = telethon.clients[-1]
    assert client.api_hash == blocks["tg-hash"] and client.session.string == "1Bprefect-session"
    with pytest.raises(ConnectorError, match=r"cannot load Prefect Secret block 'nope' \(KeyError\)"):
        run(connector(api_hash_secret="nope"))


def test_unauthorised_session_and_unknown_chat(telethon):
    with pytest.raises(SourceUnavailable, match="no chat 'someone_else' visible to this account"):
        run(connector(channel="someone_else"))
    telethon.authorized = False
    with pytest.raises(ConnectorError, match=r"session is not authorised.*\$TELEGRAM_SESSION"):
        run(connector())
    assert telethon.disconnected == 2
