"""The config-driven website scraper and the RSS/Atom connector, with robots.txt, against a local server."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from shenava.config import parse_config
from shenava.connectors.base import build_connector
from shenava.connectors.replay import ReplayServer, Reply, replay_config
from shenava.errors import ConfigError, LayoutChanged, SourceUnavailable

WEB = Path(__file__).parent / "fixtures" / "website"
FEEDS = Path(__file__).parent / "fixtures" / "feed"
REVIEWS = "/product/7781/reviews"
SHOP = {"container": "section#reviews", "item": "article.review", "text": ".review-body", "author": ".review-author",
        "date": "time, .review-date", "permalink": "a.review-link", "id_attr": "data-review-id",
        "next_page": "a.pagination-next"}
FORUM = {"container": "#posts", "item": "div.post", "text": ".postbody", "author": ".postauthor", "date": ".postdate",
         "id_attr": "id", "next_page": "a.next", "order": "oldest_first"}


@pytest.fixture
def server():
    with ReplayServer() as s:
        s.add("/robots.txt", Reply.file(WEB / "robots.txt"))
        for n in (1, 2, 3):
            s.add(f"{REVIEWS}?page={n}" if n > 1 else REVIEWS,
                  Reply.file(WEB / f"reviews_page{n}.html", headers={"ETag": f'"p{n}-v1"'}))
        yield s


def run(server, kind="website", cursor=None, paths=(REVIEWS,), selectors=SHOP, **options):
    if kind == "website":
        source = {"name": "shop", "kind": "website", "start_urls": [server.url(p) for p in paths], **selectors,
                  **options}
    else:
        source = {"name": "blog", "kind": "feed", "urls": [server.url(p) for p in paths], **options}
    config = replay_config(source)
    conn = build_connector(config, config.sources[0])
    try:
        mentions = list(conn.collect(cursor or {}))
    finally:
        conn.close()
    return {m.external_id: m for m in mentions}, conn.cursor


# -- website ------------------------------------------------------------------------
def test_first_run_follows_next_page_to_the_end(server):
    mentions, cursor = run(server)
    assert sorted(mentions) == [f"r-{i}" for i in range(1002, 1011)]
    assert len(cursor["seen"]) == 9
    assert [r.target for r in server.requests] == ["/robots.txt", REVIEWS, REVIEWS + "?page=2", REVIEWS + "?page=3"]


@pytest.mark.parametrize("rid, field, expected", [
    ("r-1010", "text", "صداش عالیه ولی بعد از یک ساعت گوشم درد میگیره 😕\nبرای ورزش مناسب نیست"),
    ("r-1006", "text", "رنگ سفیدش زود کثیف میشه.\nجنس بدنه هم پلاستیکی ارزونه"),
    ("r-1008", "text", "قيمتش نسبت به كيفيت مناسبه، پيشنهاد ميكنم"),
    ("r-1010", "author", "نرگس"),
    ("r-1010", "published_at", datetime(2025, 11, 20, 15, 0, tzinfo=timezone.utc)),
    ("r-1007", "published_at", datetime(2025, 11, 16, tzinfo=timezone(timedelta(hours=3, minutes=30)))),  # 1404/08/25
    ("r-1010", "channel", "shop"),
])
def test_review_fields(server, rid, field, expected):
    mentions, _ = run(server)
    assert getattr(mentions[rid], field) == expected


def test_relative_links_become_absolute_permalinks(server):
    mentions, _ = run(server)
    assert mentions["r-1010"].permalink == server.url("/product/7781/reviews#r-1010")


def test_second_run_stops_at_the_first_known_review(server):
    _, cursor = run(server)
    server.add(REVIEWS, Reply.file(WEB / "reviews_run2_page1.html", headers={"ETag": '"p1-v2"'}))
    before = len(server.requests)
    mentions, cursor = run(server, cursor=cursor)
    assert sorted(mentions) == ["r-1011", "r-1012"]
    assert [r.target for r in server.requests[before:]] == ["/robots.txt", REVIEWS]
    assert server.requests[-1].headers["If-None-Match"] == '"p1-v1"'
    relative = mentions["r-1012"]
    assert relative.extra["date_relative"] == "۲ ساعت پیش"
    assert abs((datetime.now(timezone.utc) - timedelta(hours=2)) - relative.published_at) < timedelta(minutes=5)


def test_unchanged_start_page_costs_a_304(server):
    _, cursor = run(server)
    before = len(server.requests)
    mentions, cursor2 = run(server, cursor=cursor)
    assert mentions == {} and cursor2 == cursor
    assert [r.target for r in server.requests[before:]] == ["/robots.txt", REVIEWS]


def test_capped_first_run_leaves_a_pointer_that_later_runs_follow(server):
    got, cursor = run(server, max_pages=1)
    assert sorted(got) == ["r-1008", "r-1009", "r-1010"]
    assert cursor["pages"][server.url(REVIEWS)]["backfill"] == [
        {"url": server.url(REVIEWS + "?page=2"), "until_known": False}]
    more, cursor = run(server, cursor=cursor, max_pages=2)  # start page: 304; then page 2
    assert sorted(more) == ["r-1005", "r-1006", "r-1007"]
    rest, cursor = run(server, cursor=cursor, max_pages=2)
    assert sorted(rest) == ["r-1002", "r-1003", "r-1004"]
    assert "backfill" not in cursor["pages"][server.url(REVIEWS)]


def test_oldest_first_thread_in_windows_1256_resumes_at_its_last_page(server):
    server.add("/forum/showthread.php?t=5521", Reply.file(WEB / "forum_p1.html", headers={"Content-Type": "text/html"}))
    server.add("/forum/showthread.php?t=5521&page=2", Reply.file(WEB / "forum_p2.html", headers={"Content-Type": "text/html"}))
    thread = "/forum/showthread.php?t=5521"
    mentions, cursor = run(server, paths=(thread,), selectors=FORUM)
    assert sorted(mentions) == ["post_1", "post_2", "post_3", "post_4"]
    assert mentions["post_1"].text.startswith("سلام، از ديروز تو محدوده گوهردشت اينترنت ايرانسل")
    assert mentions["post_2"].published_at == datetime(2025, 11, 11, 15, 30, tzinfo=timezone(timedelta(hours=3, minutes=30)))
    assert cursor["pages"][server.url(thread)]["resume"] == server.url(thread + "&page=2")
    server.add(thread + "&page=2", Reply.file(WEB / "forum_p2_run2.html", headers={"Content-Type": "text/html"}))
    before = len(server.requests)
    more, _ = run(server, cursor=cursor, paths=(thread,), selectors=FORUM)
    assert sorted(more) == ["post_5"]
    assert [r.target for r in server.requests[before:]] == ["/robots.txt", thread + "&page=2"]


def test_empty_container_is_not_an_error(server):
    server.add("/product/9/reviews", Reply.file(WEB / "reviews_empty.html"))
    mentions, cursor = run(server, paths=("/product/9/reviews",))
    assert mentions == {} and cursor["seen"] == []


@pytest.mark.parametrize("options, message", [
    ({}, r"no element matches container 'section#reviews'"),
    ({"container": None}, r"no element matches item 'article.review'"),
])
def test_redesigned_page_fails_loudly_with_url_and_selector(server, options, message):
    server.add("/product/8/reviews", Reply.file(WEB / "reviews_redesigned.html"))
    with pytest.raises(LayoutChanged, match=message) as err:
        run(server, paths=("/product/8/reviews",), **options)
    assert server.url("/product/8/reviews") in str(err.value)


@pytest.mark.parametrize("options, message", [
    ({"text": ".comment-text"}, r"item 1 \('article.review'\) has no '.comment-text' text element"),
    ({"id_attr": "data-id"}, r"item 1 .* has no 'data-id' attribute"),
    ({"date": ".stars-date"}, r"has no '.stars-date' date element"),
    ({"date": ".review-stars"}, r"cannot read the date '★★★★☆'"),
])
def test_missing_parts_of_an_item_are_named(server, options, message):
    with pytest.raises(LayoutChanged, match=message):
        run(server, **options)


def test_robots_txt_disallow_is_obeyed(server):
    server.add("/private/reviews", Reply.file(WEB / "reviews_page1.html"))
    with pytest.raises(SourceUnavailable, match="robots.txt disallows it"):
        run(server, paths=("/private/reviews",))
    assert not any(r.path == "/private/reviews" for r in server.requests)


def test_robots_can_be_switched_off_for_your_own_site(server):
    server.add("/private/reviews", Reply.file(WEB / "reviews_page3.html"))
    config = replay_config({"name": "own", "kind": "website", "start_urls": [server.url("/private/reviews")], **SHOP},
                           respect_robots=False)
    conn = build_connector(config, config.sources[0])
    assert len(list(conn.collect({}))) == 3
    conn.close()
    assert not any(r.path == "/robots.txt" for r in server.requests)


def test_missing_robots_allows_and_broken_robots_forbids():
    with ReplayServer({REVIEWS: Reply.file(WEB / "reviews_page3.html")}) as server:
        mentions, _ = run(server)  # /robots.txt is a 404 here
        assert len(mentions) == 3
    with ReplayServer({REVIEWS: Reply.file(WEB / "reviews_page3.html"), "/robots.txt": Reply(503)}) as server:
        with pytest.raises(SourceUnavailable, match="robots.txt could not be read"):
            run(server)
        assert server.served(REVIEWS) == 0


def test_bad_selector_is_a_config_error_with_its_line(tmp_path):
    text = ('[[sources]]\nname = "w"\nkind = "website"\nstart_urls = ["https://shop.example/r"]\n'
            'item = "div.review"\ntext = "p[[bad"\n')
    with pytest.raises(ConfigError, match=r"shenava.toml:6: sources\[0\].text: .*not a valid CSS selector"):
        parse_config(text, tmp_path / "shenava.toml")


# -- feeds --------------------------------------------------------------------------
@pytest.fixture
def feeds(server):
    server.add("/comments/feed/", Reply.file(FEEDS / "comments.rss", headers={"ETag": '"f1"'}))
    server.add("/atom.xml", Reply.file(FEEDS / "news.atom"))
    server.add("/old.rdf", Reply.file(FEEDS / "old.rdf"))
    return server


def test_rss_comment_feed(feeds):
    mentions, cursor = run(feeds, "feed", paths=("/comments/feed/",), include_title=False)
    first = mentions["https://blog.example.ir/?p=88#comment-412"]
    assert first.text == "من همینو خریدم، لپ‌تاپ رو هم شارژ میکنه ولی خیلی داغ میشه 🔥"
    assert first.author == "نیما" and first.permalink == "https://blog.example.ir/charger-65w/#comment-412"
    assert first.published_at == datetime(2025, 11, 20, 14, 12, tzinfo=timezone.utc)
    assert first.channel == "دیدگاه‌ها برای بلاگ نمونه"
    assert mentions["https://blog.example.ir/?p=85#comment-409"].text == \
        "تو شمال تهران ایرانسل خیلی بهتر آنتن میده\nولی همراه اول تو جاده‌ها بهتره"
    assert "&amp;" not in mentions["https://blog.example.ir/?p=88#comment-411"].text
    assert len(mentions) == 3 and cursor["feeds"][feeds.url("/comments/feed/")]["validators"] == {"etag": '"f1"'}


def test_feed_second_runs_304_then_only_new_entries(feeds):
    _, cursor = run(feeds, "feed", paths=("/comments/feed/",))
    mentions, cursor = run(feeds, "feed", cursor, paths=("/comments/feed/",))
    assert mentions == {} and feeds.requests[-1].headers["If-None-Match"] == '"f1"'
    feeds.add("/comments/feed/", Reply.file(FEEDS / "comments_run2.rss", headers={"ETag": '"f2"'}))
    mentions, _ = run(feeds, "feed", cursor, paths=("/comments/feed/",))
    assert list(mentions) == ["https://blog.example.ir/?p=88#comment-415"]


def test_atom_and_rdf_feeds(feeds):
    mentions, _ = run(feeds, "feed", paths=("/atom.xml", "/old.rdf"))
    news = mentions["tag:news.example.ir,2025:post-7001"]
    assert news.text == "افزایش قیمت اینترنت همراه از آذر ماه\nاپراتورها از افزایش ۲۰ درصدی تعرفه بسته‌های اینترنت خبر دادند."
    assert news.permalink == "https://news.example.ir/p/7001" and news.replies == 14 and news.author == "تحریریه"
    assert news.published_at == datetime(2025, 11, 21, 5, 15, tzinfo=timezone.utc)
    assert mentions["tag:news.example.ir,2025:post-6990"].published_at == datetime(2025, 11, 19, 12, tzinfo=timezone.utc)
    old = mentions["https://forum.example.ir/t/31"]
    assert old.text == "گوشی دست دوم از کجا بخرم؟\nدیوار یا فروشگاه؟ تجربه‌تون رو بگید" and old.author == "reza_p"


def test_windows_1256_feed_decodes(feeds):
    feeds.add("/legacy.rss", Reply.file(FEEDS / "legacy_1256.rss", headers={"Content-Type": "application/rss+xml"}))
    mentions, _ = run(feeds, "feed", paths=("/legacy.rss",), include_title=False)
    (only,) = mentions.values()
    assert only.text == "تو شمال تهران ايرانسل خيلي بهتر آنتن ميده\nولي همراه اول تو جاده‌ها بهتره"


@pytest.mark.parametrize("fixture, message", [
    ("broken.rss", "not well-formed XML"),
    ("not_a_feed.xml", "root element <html> is not rss"),
])
def test_broken_feeds_fail_loudly(feeds, fixture, message):
    feeds.add("/bad", Reply.file(FEEDS / fixture))
    with pytest.raises(LayoutChanged, match=message) as err:
        run(feeds, "feed", paths=("/bad",))
    assert feeds.url("/bad") in str(err.value)
