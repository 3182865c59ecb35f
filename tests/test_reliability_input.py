"""Bad input through the whole pipeline: broken pages and JSON, charsets, hostile text, bad files and configs.

Connector tests prove each parser names what is wrong (tests/test_connectors_*);
here a scheduled `collect` meets the same input and the store is checked:
what arrived before the bad part is kept, the cursor stays behind what is
missing, and every mention stored is one the next steps (prepare, search) can read.
The last tables pin down what hypothesis found (tests/test_fuzz_parsers.py).
"""
from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest

from shenava.analyze import prepare_pending
from shenava.cli import main
from shenava.config import load_config
from shenava.connectors.feed import parse_feed
from shenava.connectors.parsing import parse_count, parse_when
from shenava.connectors.replay import ReplayServer, Reply
from shenava.mention import Mention
from shenava.pipeline import collect
from shenava.storage import Store
from test_reliability_kit import (FIXTURES, assert_store_sound, config_head, file_source, rows, telegram_source,
                                  write_config, write_reviews)

TG = FIXTURES / "telegram"
NEWEST, PAGE2 = "/s/tehran_gadget", "/s/tehran_gadget?before=21"


def run(folder: Path, *sources: str) -> dict:
    config = load_config(write_config(folder, *sources, head=config_head()))
    with Store.open(config.store_path) as store:
        reports = {r.source: r for r in collect(config, store)}
    assert_store_sound(config.store_path)
    return reports


def count(folder: Path, source: str) -> int:
    return rows(folder / "shenava.db", "SELECT count(*) FROM mentions WHERE source = ?", (source,))[0][0]


def cursor(folder: Path, source: str) -> str | None:
    found = rows(folder / "shenava.db", "SELECT state FROM cursors WHERE source = ?", (source,))
    return found[0][0] if found else None


# -- pages and API responses ----------------------------------------------------------------
@pytest.mark.parametrize("route, reply, error, kept", [
    (PAGE2, Reply.file(TG / "channel_truncated.html"), "cut short", 10),
    (NEWEST, Reply.file(TG / "channel_layout_changed.html"), "no .tgme_channel_history", 0),
    (PAGE2, Reply.file(TG / "channel_missing_time.html"), "has no <time datetime>", 10),
    (PAGE2, Reply.html("<html><body>Access denied</body></html>"), "no .tgme_channel_history", 10),
    (PAGE2, Reply(body=b"", headers={"Content-Type": "text/html"}), "cut short", 10),
], ids=["truncated HTML", "layout changed", "post without time", "block page", "empty body"])
def test_broken_channel_page_keeps_what_came_before(tmp_path, route, reply, error, kept):
    with ReplayServer.from_folder(TG) as server:
        server.add(route, reply)
        report = run(tmp_path, telegram_source(server.base_url))["tg"]
        assert error in report.error and server.url(route.split("?")[0]) in report.error
        assert count(tmp_path, "tg") == kept and cursor(tmp_path, "tg") is None
        server.add(route, Reply.file(TG / ("channel_before_21.html" if route == PAGE2 else "channel_newest.html")))
        assert run(tmp_path, telegram_source(server.base_url))["tg"].error is None
    assert count(tmp_path, "tg") == 26


def _windows_1256(page: str) -> bytes:
    # Emoji have no windows-1256 byte; an old site writes them as character references.
    return (TG / page).read_text(encoding="utf-8").encode("windows-1256", errors="xmlcharrefreplace")


@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", "text/html", "text/html; charset=klingon"],
                         ids=["labelled utf-8", "no charset", "unknown charset"])
def test_pages_in_windows_1256_store_the_same_text(tmp_path, content_type):
    with ReplayServer.from_folder(TG) as server:
        for folder in ("utf8", "legacy"):
            (tmp_path / folder).mkdir()
        run(tmp_path / "utf8", telegram_source(server.base_url))
        for route, page in ((NEWEST, "channel_newest.html"), (PAGE2, "channel_before_21.html"),
                            ("/s/tehran_gadget?before=11", "channel_before_11.html")):
            server.add(route, Reply(body=_windows_1256(page), headers={"Content-Type": content_type}))
        assert run(tmp_path / "legacy", telegram_source(server.base_url))["tg"].error is None
    texts = "SELECT external_id, raw_text FROM mentions ORDER BY external_id"
    assert rows(tmp_path / "legacy" / "shenava.db", texts) == rows(tmp_path / "utf8" / "shenava.db", texts)


def test_one_invalid_byte_in_a_utf8_page_costs_one_character(tmp_path):
    page = (TG / "channel_newest.html").read_bytes()
    at = page.index("قیمت آیفون".encode())
    with ReplayServer.from_folder(TG) as server:
        server.add(NEWEST, Reply(body=page[:at] + b"\xff" + page[at:], headers={"Content-Type": "text/html"}))
        assert run(tmp_path, telegram_source(server.base_url))["tg"].error is None
    [(text,)] = rows(tmp_path / "shenava.db", "SELECT raw_text FROM mentions WHERE external_id = 'tehran_gadget/21'")
    assert "\ufffdقیمت آیفون ۱۶" in text and text.count("\ufffd") == 1


DK_PAGE1 = "/v1/product/12345678/comments/?page=1&sort=created_at"


@pytest.mark.parametrize("body, error", [
    ((FIXTURES / "digikala" / "truncated.json").read_bytes(), "not valid JSON"),
    ((FIXTURES / "digikala" / "layout_changed.json").read_bytes(), "JSON has no 'data.comments'"),
    (b'{"status": 200, "data": {"comments": [], "pager": []}}', "data.pager not an object"),
    (b'{"status": 200, "data": {"comments": [{"id": "x1"}], "pager": {}}}', "no numeric 'id'"),
    (b"<html>502 Bad Gateway</html>", "not valid JSON"),
], ids=["truncated", "renamed key", "pager a list", "id not a number", "HTML instead of JSON"])
def test_malformed_json_fails_the_source_with_the_url(tmp_path, body, error):
    with ReplayServer() as server:
        server.add(DK_PAGE1, Reply(body=body, headers={"Content-Type": "application/json"}))
        source = f'[[sources]]\nname = "dk"\nkind = "digikala"\nproduct_ids = [12345678]\nbase_url = "{server.base_url}"\n'
        report = run(tmp_path, source)["dk"]
    assert error in report.error and "/v1/product/12345678/comments/" in report.error
    assert count(tmp_path, "dk") == 0 and cursor(tmp_path, "dk") is None


# -- text --------------------------------------------------------------------------------------
HOSTILE = [
    ("c1", "سفارش\x00 رسید\x07 ولی \x1b[31mسرد\x1b[0m بود"),  # NUL, bell, ANSI colour
    ("c2", "\u202eپیک دیر اومد\u202c \u200fواقعا\u200f"),  # right-to-left override and marks
    ("c3", "\ufeffکیفیت\u200b\u200bعالی\u2028بود\r\nممنون"),  # BOM, zero-width space, line separator
    ("c4", "نیمه‌ی ایموجی \ud83d و تمام"),  # half a surrogate pair, as JSON can carry it
    ("c5", "'; DROP TABLE mentions; -- <script>alert(1)</script> &amp; \" OR 1=1"),
]


def test_control_characters_and_half_surrogates_are_stored_and_prepared(tmp_path):
    lines = [json.dumps({"id": i, "text": t, "published_at": "2026-11-20T10:00:00+03:30"}) for i, t in HOSTILE]
    (tmp_path / "hostile.jsonl").write_text("\n".join(lines), encoding="utf-8")
    report = run(tmp_path, file_source("hostile", "hostile.jsonl", format="jsonl").replace(
        'columns = { id = "review_id", text = "body", published_at = "created", author = "user" }',
        'columns = { id = "id", text = "text", published_at = "published_at" }'))["hostile"]
    assert report.error is None and report.new == len(HOSTILE)
    stored = dict(rows(tmp_path / "shenava.db", "SELECT external_id, raw_text FROM mentions"))
    # Raw text is kept as sent (only the unstorable half surrogate becomes U+FFFD).
    assert stored == {i: t.replace("\ud83d", "\ufffd") for i, t in HOSTILE}
    config = load_config(tmp_path / "shenava.toml")
    with Store.open(config.store_path) as store:
        assert prepare_pending(config, store) == len(HOSTILE)
    for (display,) in rows(tmp_path / "shenava.db", "SELECT display_text FROM mentions"):
        assert not any(c in display for c in "\x00\x07\x1b\u202e\u202c\u200f\ufeff\u200b\r"), repr(display)
    assert rows(tmp_path / "shenava.db", "SELECT count(*) FROM mentions") == [(len(HOSTILE),)]


def test_invalid_utf8_file_is_named_and_nothing_half_read(tmp_path):
    write_reviews(tmp_path / "reviews.csv", 20)
    raw = (tmp_path / "reviews.csv").read_bytes()
    (tmp_path / "reviews.csv").write_bytes(raw[:400] + b"\xff" + raw[401:])
    report = run(tmp_path, file_source())["reviews"]
    assert "reviews.csv: not utf-8" in report.error and "set encoding" in report.error
    assert count(tmp_path, "reviews") == 0 and cursor(tmp_path, "reviews") is None


def test_wrong_column_map_stores_nothing_until_the_map_is_fixed(tmp_path):
    write_reviews(tmp_path / "reviews.csv", 20)
    wrong = file_source().replace('text = "body"', 'text = "comment"')
    report = run(tmp_path, wrong)["reviews"]
    assert "column(s) ['comment'] from the column map are not in the header" in report.error
    assert count(tmp_path, "reviews") == 0 and cursor(tmp_path, "reviews") is None
    assert run(tmp_path, file_source())["reviews"].new == 20


# -- Telegram exports with fields missing -----------------------------------------------------
def _export_with(change) -> dict:
    data = json.loads((FIXTURES / "telegram_export" / "group_v1" / "result.json").read_text(encoding="utf-8"))
    change(data)
    return data


def _message(data: dict, mid: int) -> dict:
    return next(m for m in data["messages"] if m.get("id") == mid)


EXPORT_FAULTS = [
    ("message without id", lambda d: _message(d, 4).pop("id"), "messages[3] has no numeric id", 2),
    ("id as text", lambda d: _message(d, 4).update(id="4"), "messages[3] has no numeric id", 2),
    ("no date at all", lambda d: [_message(d, 4).pop(k) for k in ("date", "date_unixtime")], "no readable date", 2),
    ("messages not a list", lambda d: d.update(messages={"1": {}}), "'messages' is not a list", 0),
    ("no messages", lambda d: d.pop("messages"), "neither 'messages'", 0),
]


@pytest.mark.parametrize("what, change, error, kept", EXPORT_FAULTS, ids=[f[0] for f in EXPORT_FAULTS])
def test_telegram_export_with_missing_fields(tmp_path, what, change, error, kept):
    (tmp_path / "result.json").write_text(json.dumps(_export_with(change), ensure_ascii=False), encoding="utf-8")
    source = '[[sources]]\nname = "export"\nkind = "telegram_export"\npath = "result.json"\n'
    report = run(tmp_path, source)["export"]
    assert error in report.error and "result.json" in report.error
    assert count(tmp_path, "export") == kept and cursor(tmp_path, "export") is None


def test_telegram_export_without_optional_fields_imports_the_rest(tmp_path):
    def strip(d):
        for m in d["messages"]:
            for key in ("from", "from_id", "text_entities", "reactions", "date"):
                m.pop(key, None)
        _message(d, 3).pop("text")  # a message with no text at all is skipped, like a sticker
    shutil.copy(FIXTURES / "telegram_export" / "group_v1" / "result.json", tmp_path / "full.json")
    (tmp_path / "result.json").write_text(json.dumps(_export_with(strip), ensure_ascii=False), encoding="utf-8")
    source = '[[sources]]\nname = "export"\nkind = "telegram_export"\npath = "result.json"\n'
    report = run(tmp_path, source)["export"]
    assert report.error is None and report.new == 6  # the 7 of a full import, less the one without text
    assert rows(tmp_path / "shenava.db", "SELECT count(*) FROM mentions WHERE author IS NOT NULL") == [(0,)]


# -- config -------------------------------------------------------------------------------------
@pytest.mark.parametrize("edit, message", [
    (lambda c: c + '\n[flows]\nretries = 3\n', "flows: Extra inputs are not permitted"),
    (lambda c: c.replace('path = "reviews.csv"', 'path = "reviews.csv"\nencodng = "utf-8"'),
     "sources[0].encodng: Extra inputs are not permitted"),
    (lambda c: c.replace("timeout = 2.0", 'timeout = "fast"'), "http.timeout: Input should be a valid number"),
    (lambda c: c.replace("max_retries = 2", "max_retries = -1"), "http.max_retries: Input should be greater"),
    (lambda c: c.replace('kind = "file"', "kind = 7"), "sources[0].kind: Input should be a valid string"),
], ids=["unknown section", "misspelt source key", "wrong type", "out of range", "kind not text"])
def test_bad_config_stops_before_the_store_is_touched(tmp_path, capsys, edit, message):
    config = write_config(tmp_path, file_source())
    config.write_text(edit(config.read_text(encoding="utf-8")), encoding="utf-8")
    assert main(["-q", "--config", str(config), "collect"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("shenava: error: ") and "shenava.toml:" in err and message in err and "\n" not in err
    assert not (tmp_path / "shenava.db").exists()


# -- what the fuzzers found, pinned down ------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [("9" * 400, None), ("1" * 25 + "K", None), ("12.5K", 12500)])
def test_parse_count_of_endless_digits(text, expected):
    assert parse_count(text) == expected


@pytest.mark.parametrize("value", ["1403/08/14 25:61", "99999999999999999", float("nan"), 1e300, "2025-02-30",
                                   "²²²²²²²²²²", True])
def test_parse_when_of_impossible_dates_is_none(value):
    assert parse_when(value) is None


def test_feed_comment_counts_that_are_not_numbers():
    from zoneinfo import ZoneInfo

    atom = (FIXTURES / "feed" / "news.atom").read_text(encoding="utf-8")
    for bad in ("²", "9" * 5000, "-3"):
        [entry, *_] = parse_feed(atom.replace("<slash:comments>14<", f"<slash:comments>{bad}<"), "u",
                                 ZoneInfo("Asia/Tehran"))
        assert entry["comments"] is None


T = datetime(2026, 11, 20, tzinfo=timezone.utc)


@pytest.mark.parametrize("fields, expected", [
    ({"permalink": "javascript:alert(document.cookie)"}, {"permalink": None}),
    ({"permalink": " JaVaScRiPt:alert(1)"}, {"permalink": None}),
    ({"permalink": "data:text/html;base64,PHNjcmlwdD4="}, {"permalink": None}),
    ({"permalink": "https://t.me/tazeres_news/5"}, {"permalink": "https://t.me/tazeres_news/5"}),
    ({"views": 10 ** 20, "reactions": -4, "forwards": "12"}, {"views": None, "reactions": None, "forwards": None}),
    ({"author": {"name": "x"}, "channel": 1234}, {"author": None, "channel": "1234"}),
    ({"text": "نصف \udc00 ایموجی", "extra": {"k\ud800": ["\udfff"], 3: True}},
     {"text": "نصف \ufffd ایموجی", "extra": {"k\ufffd": ["\ufffd"], "3": True}}),
])
def test_a_mention_is_storable_and_safe_whatever_the_source_sent(tmp_path, fields, expected):
    mention = Mention(**{"external_id": "1", "text": "متن", "published_at": T, **fields})
    assert {k: getattr(mention, k) for k in expected} == expected
    with Store.open(tmp_path / "s.db") as store:
        store.upsert_mentions("src", [mention])
        assert store.count() == 1
