"""The t.me/s channel connector against recorded pages on a local server."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from shenava.config import parse_config
from shenava.connectors.base import build_connector
from shenava.connectors.replay import ReplayServer, Reply, replay_config
from shenava.connectors.telegram import channel_name
from shenava.errors import ConfigError, FetchError, LayoutChanged, SourceUnavailable

PAGES = Path(__file__).parent / "fixtures" / "telegram"
NEWEST = "/s/tehran_gadget"
SKIPPED = {1, 6, 11, 16}  # service messages, a sticker and a voice note: nothing to read


@pytest.fixture
def server():
    with ReplayServer.from_folder(PAGES) as s:
        yield s


def connector(server, **options):
    source = {"name": "tg", "kind": "telegram", "channel": "tehran_gadget", "base_url": server.base_url, **options}
    config = replay_config(source)
    return build_connector(config, config.sources[0])


def run(conn, cursor=None):
    mentions = list(conn.collect(cursor or {}))
    conn.close()
    return mentions, conn.cursor


def ids(mentions):
    return sorted(int(m.external_id.split("/")[1]) for m in mentions)


def test_first_run_pages_back_to_the_channel_start(server):
    mentions, cursor = run(connector(server))
    assert ids(mentions) == [i for i in range(1, 31) if i not in SKIPPED]
    assert cursor == {"last_id": 30, "gaps": []}
    assert [r.target for r in server.requests] == [NEWEST, NEWEST + "?before=21", NEWEST + "?before=11"]


def test_second_run_reads_only_the_new_posts(server):
    _, cursor = run(connector(server))
    server.add(NEWEST, Reply.file(PAGES / "channel_newest_run2.html"))
    before = len(server.requests)
    mentions, cursor = run(connector(server), cursor)
    assert ids(mentions) == [31, 32, 33]
    assert cursor == {"last_id": 33, "gaps": []}
    assert len(server.requests) - before == 1


def by_id(mentions):
    return {int(m.external_id.split("/")[1]): m for m in mentions}


@pytest.fixture(scope="module")
def first_run():
    with ReplayServer.from_folder(PAGES) as server:
        return by_id(run(connector(server))[0])


@pytest.mark.parametrize("post, field, expected", [
    (9, "views", 3800),
    (9, "reactions", 1257),          # ❤ 1.2K + 🔥 57; the 15 paid stars are kept apart
    (9, "edited", True),
    (21, "views", 12500),
    (8, "parent_external_id", "tehran_gadget/7"),
    (10, "author", "مریم"),
    (27, "author", "علی رضایی"),
    (3, "author", "تهران گجت 📱"),
    (30, "permalink", "https://t.me/tehran_gadget/30"),
    (30, "channel", "tehran_gadget"),
    (25, "published_at", datetime(2025, 10, 21, 19, 30, tzinfo=timezone.utc)),
    (2, "text", "سلام به همه 👋\nاینجا قراره اخبار گوشی و گجت رو بذاریم. نظراتتونو زیر پستا بنویسید"),
    (15, "text", "كيفيت پشتيباني همراه اول خيلي افت كرده، ديروز ۲ ساعت پشت خط بودم و آخرش قطع شد"),
])
def test_post_fields(first_run, post, field, expected):
    assert getattr(first_run[post], field) == expected


@pytest.mark.parametrize("post, key, expected", [
    (9, "paid_reactions", 15),
    (9, "reaction_counts", {"❤": 1200, "🔥": 57}),
    (4, "forwarded_from", {"name": "دیجی مگ", "url": "https://t.me/digimag_news/5120"}),
    (12, "media", ["album"]),
    (13, "media", ["video"]),
    (14, "media", ["document"]),
    (28, "media", ["photo"]),
    (5, "link_preview", {"url": "https://example-tech.ir/review/poco-x6", "site": "تک‌ریویو",
                         "title": "بررسی کامل پوکو X6 پرو",
                         "description": "همه چیز درباره دوربین، باتری و نمایشگر این گوشی میان‌رده"}),
    (30, "channel_title", "تهران گجت 📱"),
])
def test_post_extras(first_run, post, key, expected):
    assert first_run[post].extra[key] == expected


def test_quoted_reply_and_link_preview_are_not_part_of_the_text(first_run):
    mentions = first_run
    assert mentions[8].text == "جواب سوال بالا: تو مهرشهر آنتن میده ولی همش قطع و وصل میشه 😒"
    assert "بررسی کامل" not in mentions[5].text and "Forwarded" not in mentions[4].text


def test_page_cap_leaves_a_gap_that_the_next_run_fills(server):
    mentions, cursor = run(connector(server, max_pages=2))
    assert ids(mentions) == [i for i in range(11, 31) if i not in SKIPPED]
    assert cursor == {"last_id": 30, "gaps": [[0, 11]]}
    server.add(NEWEST, Reply.file(PAGES / "channel_newest_run2.html"))
    mentions, cursor = run(connector(server, max_pages=2), cursor)
    assert ids(mentions) == [2, 3, 4, 5, 7, 8, 9, 10, 31, 32, 33]
    assert cursor == {"last_id": 33, "gaps": []}


def test_a_run_without_new_posts_spends_its_pages_on_the_gap(server):
    _, cursor = run(connector(server, max_pages=2))
    before = len(server.requests)
    mentions, cursor = run(connector(server, max_pages=2), cursor)
    assert ids(mentions) == [2, 3, 4, 5, 7, 8, 9, 10]
    assert cursor == {"last_id": 30, "gaps": []}
    assert [r.target for r in server.requests[before:]] == [NEWEST, NEWEST + "?before=11"]


def test_since_stops_paging_and_leaves_no_gap(server):
    mentions, cursor = run(connector(server, since="2025-10-20"))
    assert ids(mentions) == list(range(24, 31))
    assert cursor == {"last_id": 30, "gaps": []}
    assert len(server.requests) == 1


def test_deleted_posts_are_gaps_in_the_ids_not_errors(server):
    from bs4 import BeautifulSoup

    soup = BeautifulSoup((PAGES / "channel_newest.html").read_text(encoding="utf-8"), "html.parser")
    for post in ("25", "21"):  # deleted after publication: t.me/s simply leaves them out
        soup.find(attrs={"data-post": f"tehran_gadget/{post}"}).parent.decompose()
    server.add(NEWEST, Reply.html(str(soup)))
    mentions, cursor = run(connector(server))
    assert ids(mentions) == [i for i in range(1, 31) if i not in SKIPPED | {21, 25}]
    assert cursor == {"last_id": 30, "gaps": []}


def test_empty_channel_is_not_an_error():
    with ReplayServer({"/s/quiet_shop": Reply.file(PAGES / "empty_channel.html")}) as server:
        mentions, cursor = run(connector(server, channel="quiet_shop"))
    assert mentions == [] and cursor == {"last_id": 0, "gaps": []}


def test_channel_without_public_preview_is_source_unavailable():
    with ReplayServer({"/s/private_club": Reply.redirect("/private_club"),
                       "/private_club": Reply.file(PAGES / "profile_page.html")}) as server:
        with pytest.raises(SourceUnavailable, match="@private_club has no public preview"):
            run(connector(server, channel="private_club"))


def test_unknown_channel_404_is_source_unavailable():
    with ReplayServer() as server, pytest.raises(SourceUnavailable, match="does not exist"):
        run(connector(server, channel="no_such_channel"))


@pytest.mark.parametrize("page, message", [
    ("channel_truncated.html", "cut short"),
    ("channel_layout_changed.html", "no .tgme_channel_history"),
    ("channel_missing_time.html", "post tehran_gadget/27 has no <time datetime>"),
])
def test_broken_pages_fail_loudly_with_the_url(page, message):
    with ReplayServer({NEWEST: Reply.file(PAGES / page)}) as server:
        with pytest.raises(LayoutChanged, match=message) as err:
            run(connector(server))
        assert server.url(NEWEST) in str(err.value)


def test_paging_that_does_not_move_back_is_stopped(server):
    server.add(NEWEST + "?before=21", Reply.file(PAGES / "channel_newest.html"))
    with pytest.raises(LayoutChanged, match=r"before=21 returned posts 21\.\.30.*does not move back"):
        run(connector(server))


def test_429_then_page_is_collected(server):
    server.add(NEWEST, [Reply(429, headers={"Retry-After": "0"}), Reply.file(PAGES / "channel_newest.html")])
    mentions, _ = run(connector(server, max_pages=1))
    assert len(mentions) == 10 and server.served(NEWEST) == 2


def test_persistent_500_is_a_fetch_error_naming_the_url(server):
    server.add(NEWEST + "?before=21", Reply(500))
    conn = connector(server)
    got = []
    with pytest.raises(FetchError, match=r"before=21: HTTP 500 after 3 attempts"):
        for m in conn.collect({}):
            got.append(m)
    assert len(got) == 10  # the first page's posts were already handed over to be stored
    assert conn.cursor == {"last_id": 30, "gaps": [[0, 21]]}


@pytest.mark.parametrize("raw, expected", [
    ("tehran_gadget", "tehran_gadget"), ("@Tehran_Gadget", "tehran_gadget"),
    ("https://t.me/s/tehran_gadget", "tehran_gadget"), ("t.me/tehran_gadget/30", "tehran_gadget"),
])
def test_channel_name_forms(raw, expected):
    assert channel_name(raw) == expected


def test_bad_channel_in_config_names_the_line(tmp_path):
    text = '[[sources]]\nname = "tg"\nkind = "telegram"\nchannel = "a b"\n'
    with pytest.raises(ConfigError, match=r"shenava.toml:4: sources\[0\].channel"):
        parse_config(text, tmp_path / "shenava.toml")
