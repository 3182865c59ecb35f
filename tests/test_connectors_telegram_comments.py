"""Comment threads from the discussion embed: authors, parents, growth-only re-reads."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest

from shenava.connectors.base import build_connector
from shenava.connectors.replay import ReplayServer, Reply, replay_config
from shenava.errors import LayoutChanged

PAGES = Path(__file__).parent / "fixtures" / "telegram"


def embed(post: int, limit: int = 50) -> str:
    return f"/tehran_gadget/{post}?embed=1&discussion=1&comments_limit={limit}"


@pytest.fixture
def server():
    with ReplayServer.from_folder(PAGES) as s:
        s.add(embed(28), Reply.file(PAGES / "discussion_28_empty.html"))
        yield s


def connector(server, **options):
    source = {"name": "tgc", "kind": "telegram_comments", "channel": "tehran_gadget",
              "base_url": server.base_url, "recent_posts": 3, "watch_days": 3650, **options}
    config = replay_config(source)
    return build_connector(config, config.sources[0])


def run(conn, cursor=None):
    mentions = list(conn.collect(cursor or {}))
    conn.close()
    return mentions, conn.cursor


def comment_ids(mentions):
    return sorted(int(m.external_id.rsplit("=", 1)[1]) for m in mentions)


def test_first_run_reads_the_recent_threads(server):
    mentions, cursor = run(connector(server))
    assert comment_ids(mentions) == [4990, 4991, 5001, 5002, 5003, 5004]
    posts = cursor["posts"]
    assert {k: (v["state"], v["count"], v["last"]) for k, v in posts.items()} == {
        "30": ("open", 4, 5004), "29": ("open", 2, 4991), "28": ("open", 0, 0)}
    assert posts["30"]["published"] == "2025-10-26T09:00:00+00:00"


@pytest.mark.parametrize("field, expected", [
    ("external_id", "tehran_gadget/30?comment=5003"),
    ("parent_external_id", "tehran_gadget/30"),
    ("author", "Reza K"),
    ("text", "@sara_tech ولی باتری A55 ضعیفه، یه روز کامل دووم نمیاره"),  # the quoted comment is left out
    ("permalink", "https://t.me/tehran_gadget/30?comment=5003"),
    ("channel", "tehran_gadget"),
    ("extra", {"author_username": "rezak", "reply_to_comment": 5001}),
])
def test_comment_fields(server, field, expected):
    mentions, _ = run(connector(server))
    comment = next(m for m in mentions if m.external_id.endswith("=5003"))
    assert getattr(comment, field) == expected


def test_author_without_username(server):
    mentions, _ = run(connector(server))
    hamid = next(m for m in mentions if m.external_id.endswith("=5002"))
    assert hamid.author == "حمید" and "author_username" not in hamid.extra


def test_second_run_yields_only_comments_added_since(server):
    _, cursor = run(connector(server))
    server.add(embed(30), Reply.file(PAGES / "discussion_30_run2.html"))
    mentions, cursor = run(connector(server), cursor)
    assert comment_ids(mentions) == [5009, 5010]
    assert (cursor["posts"]["30"]["count"], cursor["posts"]["30"]["last"]) == (6, 5010)
    assert cursor["posts"]["29"]["count"] == 2


def test_a_thread_pushed_off_the_first_page_stays_watched(server):
    _, cursor = run(connector(server))
    server.add("/s/tehran_gadget", Reply.file(PAGES / "channel_newest_run2.html"))  # posts 31-33 arrive
    for post in (31, 32, 33):
        server.add(embed(post), Reply.file(PAGES / "discussion_28_empty.html"))
    server.add(embed(30), Reply.file(PAGES / "discussion_30_run2.html"))
    mentions, cursor = run(connector(server), cursor)
    assert comment_ids(mentions) == [5009, 5010]
    assert set(cursor["posts"]) == {"28", "29", "30", "31", "32", "33"}


def test_deleted_post_is_recorded_and_not_fetched_again(server):
    server.add(embed(26), Reply.file(PAGES / "post_not_found.html"))
    mentions, cursor = run(connector(server, posts=[26], recent_posts=0))
    assert mentions == [] and cursor["posts"]["26"]["state"] == "deleted"
    run(connector(server, posts=[26], recent_posts=0), cursor)
    assert server.served(embed(26)) == 1


def test_post_without_discussion_is_skipped_until_listed(server, caplog):
    server.add(embed(27), Reply.file(PAGES / "discussion_unavailable.html"))
    with caplog.at_level(logging.WARNING, "shenava.connectors.telegram"):
        mentions, cursor = run(connector(server, posts=[27], recent_posts=0))
    assert mentions == [] and cursor["posts"]["27"]["state"] == "unavailable"
    assert "tehran_gadget/27: has no public discussion" in caplog.text


def test_count_on_the_channel_page_saves_the_embed_request(server):
    _, cursor = run(connector(server))
    counter = ('<a class="tgme_widget_message_replies" href="https://t.me/tehran_gadget/30?comment=5004">'
               '<span class="tgme_widget_message_replies_count">4</span> comments</a>')
    page = (PAGES / "channel_newest.html").read_text(encoding="utf-8").replace(
        '<div class="tgme_widget_message_footer compact js-message_footer"><div class="tgme_widget_message_info short '
        'js-message_info"><span class="tgme_widget_message_views">6.2K</span>',
        counter + '<div class="tgme_widget_message_footer compact js-message_footer"><div class="tgme_widget_message_info '
        'short js-message_info"><span class="tgme_widget_message_views">6.2K</span>')
    assert counter in page
    server.add("/s/tehran_gadget", Reply.html(page))
    mentions, _ = run(connector(server), cursor)
    assert mentions == [] and server.served(embed(30)) == 1  # only the first run's request


def test_posts_older_than_the_watch_window_are_left_alone(server):
    mentions, cursor = run(connector(server, watch_days=1))
    assert mentions == [] and cursor == {"posts": {}}
    assert [r.path for r in server.requests] == ["/s/tehran_gadget"]


def test_more_new_comments_than_the_embed_shows_is_warned(server, caplog):
    _, cursor = run(connector(server))
    cursor["posts"]["30"].update(count=1, last=4000)  # as if 5001.. arrived after a 1-comment state
    page = (PAGES / "discussion_30_run2.html").read_text(encoding="utf-8")
    server.add(embed(30), Reply.html(page.replace("6 comments", "90 comments")))
    with caplog.at_level(logging.WARNING, "shenava.connectors.telegram"):
        mentions, _ = run(connector(server), cursor)
    assert "gained 89 comments, the embed shows 6" in caplog.text
    assert len([m for m in mentions if m.parent_external_id == "tehran_gadget/30"]) == 6


def test_changed_embed_layout_fails_loudly(server):
    server.add(embed(30), Reply.html("<html><body><div class='new_thread'></div></body></html>"))
    with pytest.raises(LayoutChanged, match=r"tehran_gadget/30\?embed=1.*no \.tgme_post_discussion"):
        run(connector(server))
