"""Telegram Desktop result.json imports: flattened entities, replies, re-exports add only what is new."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from shenava.connectors.base import build_connector
from shenava.connectors.replay import replay_config
from shenava.connectors.telegram_export import flatten_text
from shenava.errors import ConnectorError, LayoutChanged

EXPORTS = Path(__file__).parent / "fixtures" / "telegram_export"
GROUP = "1987654321"


def run(path, cursor=None, base_dir=EXPORTS, **options):
    config = replay_config({"name": "grp", "kind": "telegram_export", "path": path, **options}, base_dir=base_dir)
    conn = build_connector(config, config.sources[0])
    mentions = list(conn.collect(cursor or {}))
    return {int(m.external_id.rsplit("/", 1)[1]): m for m in mentions}, conn.cursor


def test_first_import_skips_service_messages_and_captionless_media():
    mentions, cursor = run("group_v1/result.json")
    assert sorted(mentions) == [2, 3, 4, 5, 7, 8, 10]
    assert cursor == {"chats": {GROUP: {"last_id": 10, "last_edit": 0, "name": "خریداران گوشی تهران"}}}


@pytest.mark.parametrize("message, field, expected", [
    (3, "text", "آره من خریدم، فقط کارت ملی و یه چک صیادی خواستن. اینجا رو بخون: شرایط اقساط"),
    (3, "parent_external_id", f"{GROUP}/2"),
    (3, "author", "Negar"),
    (3, "permalink", f"https://t.me/c/{GROUP}/3"),
    (8, "text", "@samira_shop kheili geroone vaghean, man az #torob gheymat ro check kardam arzoontar bood"),
    (4, "text", "كسي ميدونه چرا سايت اسنپ‌فود از ديشب بالا نمياد؟"),
    (4, "reactions", 6),
    (2, "channel", "خریداران گوشی تهران"),
    (2, "published_at", datetime(2025, 11, 1, 10, 5, tzinfo=timezone(timedelta(hours=3, minutes=30)))),
    (2, "edited", False),
])
def test_message_fields(message, field, expected):
    mentions, _ = run("group_v1/result.json")
    assert getattr(mentions[message], field) == expected


@pytest.mark.parametrize("message, key, expected", [
    (3, "links", ["https://example-shop.ir/installments"]),
    (4, "reaction_counts", {"😢": 4, "👍": 2}),
    (7, "media", ["photo"]),
    (10, "forwarded_from", "کانال بررسی موبایل"),
    (2, "from_id", "user7002"),
    (2, "chat_type", "private_supergroup"),
])
def test_message_extras(message, key, expected):
    mentions, _ = run("group_v1/result.json")
    assert mentions[message].extra[key] == expected


def test_a_newer_export_adds_new_and_edited_messages_only():
    _, cursor = run("group_v1/result.json")
    mentions, cursor = run("group_v2", cursor)  # a folder holding result.json
    assert sorted(mentions) == [5, 11, 12]
    assert mentions[5].edited and mentions[5].text.endswith("اگه مشکلی بود اینجا میگم")
    assert mentions[12].parent_external_id == f"{GROUP}/11"
    again, _ = run("group_v2", cursor)
    assert again == {}


def test_account_export_needs_a_chat_and_finds_it_by_name_or_id():
    with pytest.raises(ConnectorError, match=r"whole-account export with 2 chats; set chat"):
        run("account/result.json")
    by_name, _ = run("account/result.json", chat="خریداران گوشی تهران")
    by_id, _ = run("account/result.json", chat=GROUP)
    assert sorted(by_name) == sorted(by_id) == [2, 3, 4, 5, 7, 8, 10]
    with pytest.raises(ConnectorError, match="no chat named 'nope'"):
        run("account/result.json", chat="nope")


def test_channel_option_gives_public_permalinks():
    mentions, _ = run("group_v1/result.json", channel="tehran_buyers")
    assert mentions[3].external_id == "tehran_buyers/3"
    assert mentions[3].permalink == "https://t.me/tehran_buyers/3"


def test_cut_off_export_is_layout_changed_with_the_path():
    with pytest.raises(LayoutChanged, match=r"broken.json: not valid JSON"):
        run("broken.json")


def test_missing_file_is_named():
    with pytest.raises(ConnectorError, match="file not found"):
        run("nowhere/result.json")


def test_old_export_without_unixtime_uses_the_configured_timezone(tmp_path):
    data = json.loads((EXPORTS / "group_v1" / "result.json").read_text(encoding="utf-8"))
    for m in data["messages"]:
        m.pop("date_unixtime", None)
    (tmp_path / "result.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    mentions, _ = run("result.json", base_dir=tmp_path, timezone="Europe/Berlin")
    assert mentions[2].published_at.isoformat() == "2025-11-01T10:05:00+01:00"


@pytest.mark.parametrize("value, expected", [
    ("ساده", "ساده"),
    (["سلام ", {"type": "bold", "text": "دنیا"}, "!"], "سلام دنیا!"),
    ([{"type": "custom_emoji", "text": "🔥", "document_id": "x"}, " داغ"], "🔥 داغ"),
    (None, ""),
    ([], ""),
])
def test_flatten_text(value, expected):
    assert flatten_text(value) == expected
