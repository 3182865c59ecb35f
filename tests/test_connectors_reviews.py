"""Digikala and SnappFood comment APIs, replayed from recorded JSON in each API's shape."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

import pytest

from shenava.connectors.base import build_connector
from shenava.connectors.parsing import TEHRAN
from shenava.connectors.replay import ReplayServer, Reply, replay_config
from shenava.errors import FetchError, LayoutChanged, SourceUnavailable

FIX = Path(__file__).parent / "fixtures"
DK = FIX / "digikala"
SF = FIX / "snappfood"


def dk_route(page: int, product: int = 12345678) -> str:
    return f"/v1/product/{product}/comments/?page={page}&sort=created_at"


def sf_route(page: int, vendor: str = "0xmz7k") -> str:
    return "/mobile/v1/restaurant/vendor-comment?" + urlencode(
        {"vendorCode": vendor, "page": page, "optionalClient": "WEBSITE", "client": "WEBSITE",
         "deviceType": "WEBSITE", "locale": "fa"})


def serve_digikala(server, run2=False):
    pages = 4 if run2 else 3
    for n in range(1, pages + 1):
        server.add(dk_route(n), Reply.file(DK / f"p12345678_{'run2_' if run2 else ''}page{n}.json"))


def serve_snappfood(server, run2=False):
    for n in range(3):
        server.add(sf_route(n), Reply.file(SF / f"v0xmz7k_{'run2_' if run2 else ''}page{n}.json"))


def run(server, kind, cursor=None, **options):
    defaults = {"digikala": {"product_ids": [12345678]}, "snappfood": {"vendor_codes": ["0xmz7k"]}}[kind]
    config = replay_config({"name": kind, "kind": kind, "base_url": server.base_url, **defaults, **options})
    conn = build_connector(config, config.sources[0])
    try:
        mentions = list(conn.collect(cursor or {}))
    finally:
        conn.close()
    return {int(m.external_id.rsplit("/", 1)[1]): m for m in mentions}, conn.cursor


@pytest.fixture
def server():
    with ReplayServer() as s:
        yield s


# -- Digikala -----------------------------------------------------------------------
def test_digikala_first_run_reads_every_page(server):
    serve_digikala(server)
    mentions, cursor = run(server, "digikala")
    assert sorted(mentions) == [88001, 88002, 88003, 88004, 88005, 88006, 88007, 88009, 88010, 88011]  # 88008: stars only
    assert cursor == {"items": {"12345678": {"last": 88011, "oldest": 88001, "total": 11}}}
    assert server.served(dk_route(3)) == 1


@pytest.mark.parametrize("cid, field, expected", [
    (88011, "text", "عالی ولی گرون\nگوشی خیلی خوبیه، دوربینش تو نور کم هم خوب عکس میگیره. فقط قیمتش نسبت به ماه پیش ۵ میلیون رفته بالا"),
    (88010, "text", "بعد از دو هفته استفاده باتریش به زور یه روز کامل کار میکنه، انتظار بیشتری داشتم 😕"),
    (88011, "published_at", datetime(2025, 11, 11, tzinfo=TEHRAN)),  # ۲۰ آبان ۱۴۰۴
    (88001, "published_at", datetime(2025, 9, 25, tzinfo=TEHRAN)),  # ۳ مهر ۱۴۰۴
    (88011, "reactions", 23),
    (88011, "author", "محمد حسینی"),
    (88005, "author", None),  # posted anonymously
    (88011, "external_id", "dkp-12345678/88011"),
    (88011, "channel", "dkp-12345678"),
    (88011, "permalink", "https://www.digikala.com/product/dkp-12345678/#comments"),
])
def test_digikala_fields(server, cid, field, expected):
    serve_digikala(server)
    mentions, _ = run(server, "digikala")
    assert getattr(mentions[cid], field) == expected


def test_digikala_extras(server):
    serve_digikala(server)
    mentions, _ = run(server, "digikala")
    assert mentions[88011].extra == {
        "product_id": 12345678, "title": "عالی ولی گرون", "rating": 4, "verified_buyer": True,
        "recommendation": "recommended", "advantages": ["دوربین عالی", "صفحه نمایش روشن"],
        "disadvantages": ["قیمت بالا"], "dislikes": 2, "seller": "دیجی‌کالا", "variant": "مشکی"}
    assert mentions[88006].extra["verified_buyer"] is False
    assert mentions[88006].extra["seller"] == "فروشگاه موبایل ستاره"
    assert mentions[88001].extra["recommendation"] == "not_recommended"


def test_digikala_second_run_costs_one_request_and_yields_only_new(server):
    serve_digikala(server)
    _, cursor = run(server, "digikala")
    serve_digikala(server, run2=True)
    before = len(server.requests)
    mentions, cursor = run(server, "digikala", cursor)
    assert sorted(mentions) == [88012, 88013]
    assert len(server.requests) - before == 1
    assert cursor["items"]["12345678"] == {"last": 88013, "oldest": 88001, "total": 13}


def test_digikala_capped_first_run_is_backfilled_later(server):
    serve_digikala(server)
    got, cursor = run(server, "digikala", max_pages=1)
    assert sorted(got) == [88009, 88010, 88011] and cursor["items"]["12345678"]["resume"] == 2
    serve_digikala(server, run2=True)  # two new comments push everything down
    more, cursor = run(server, "digikala", cursor, max_pages=2)
    assert sorted(more) == [88006, 88007, 88012, 88013]
    rest, cursor = run(server, "digikala", cursor, max_pages=4)
    assert sorted(rest) == [88001, 88002, 88003, 88004, 88005]
    assert "resume" not in cursor["items"]["12345678"]
    assert len({*got, *more, *rest}) == 12


def test_digikala_unknown_product(server):
    with pytest.raises(SourceUnavailable, match="Digikala product 999 not found"):
        run(server, "digikala", product_ids=[999])
    server.add(dk_route(1, 555), Reply.file(DK / "not_found.json"))
    with pytest.raises(SourceUnavailable, match="Digikala product 555 not found"):
        run(server, "digikala", product_ids=[555])


@pytest.mark.parametrize("fixture, error, message", [
    ("layout_changed.json", LayoutChanged, r"JSON has no 'data.comments' \(missing 'comments'\)"),
    ("truncated.json", LayoutChanged, "not valid JSON"),
])
def test_digikala_broken_responses_fail_loudly(server, fixture, error, message):
    server.add(dk_route(1), Reply.file(DK / fixture))
    with pytest.raises(error, match=message) as err:
        run(server, "digikala")
    assert "/v1/product/12345678/comments/" in str(err.value)


def test_api_ignoring_the_page_number_is_stopped(server):
    server.add("/v1/product/12345678/comments/", Reply.file(DK / "p12345678_page1.json"))
    with pytest.raises(LayoutChanged, match="page 2 holds the same comments as the page before"):
        run(server, "digikala")
    assert len(server.requests) == 2


def test_digikala_comment_without_date_names_the_comment(server):
    page = (DK / "p12345678_page1.json").read_text(encoding="utf-8").replace("۲۰ آبان ۱۴۰۴", "دیروز")
    server.add(dk_route(1), Reply(body=page, headers={"Content-Type": "application/json"}))
    with pytest.raises(LayoutChanged, match="comment 88011 has an unreadable created_at 'دیروز'"):
        run(server, "digikala")


def test_digikala_server_errors_are_retried(server):
    serve_digikala(server)
    server.add(dk_route(2), [Reply(502), Reply(429, headers={"Retry-After": "0"}),
                             Reply.file(DK / "p12345678_page2.json")])
    mentions, _ = run(server, "digikala")
    assert len(mentions) == 10 and server.served(dk_route(2)) == 3
    server.add(dk_route(2), Reply(500))
    with pytest.raises(FetchError, match="HTTP 500 after 3 attempts"):
        run(server, "digikala")


# -- SnappFood ----------------------------------------------------------------------
def test_snappfood_first_run(server):
    serve_snappfood(server)
    mentions, cursor = run(server, "snappfood")
    assert sorted(mentions) == [7302, 7303, 7304, 7305, 7306, 7307, 7309, 7310]  # 7308: stars only
    assert cursor == {"items": {"0xmz7k": {"last": 7310, "oldest": 7302, "total": 9}}}


@pytest.mark.parametrize("cid, field, expected", [
    (7310, "text", "پیتزا سرد رسید و پنیرش هم کم بود، ۷۵ دقیقه طول کشید 😡"),
    (7310, "published_at", datetime(2025, 11, 20, 21, 40, 12, tzinfo=TEHRAN)),
    (7310, "author", "علی"),
    (7310, "replies", 1),
    (7309, "replies", None),
    (7310, "external_id", "0xmz7k/7310"),
    (7310, "permalink", "https://snappfood.ir/restaurant/menu/0xmz7k"),
])
def test_snappfood_fields(server, cid, field, expected):
    serve_snappfood(server)
    mentions, _ = run(server, "snappfood")
    assert getattr(mentions[cid], field) == expected


def test_snappfood_extras_keep_rating_order_and_seller_reply(server):
    serve_snappfood(server)
    mentions, _ = run(server, "snappfood")
    assert mentions[7310].extra == {
        "vendor_code": "0xmz7k", "rating": 1.0, "rating_10": 2, "feeling": "SAD", "delivery": "DELIVERY",
        "foods": ["پیتزا پپرونی"], "verified_buyer": True,
        "seller_reply": {"text": "سلام، بابت تاخیر عذرخواهی میکنیم؛ کد تخفیف برای سفارش بعدی براتون ارسال شد",
                         "author": "پیتزا نیکو", "date": "2025-11-20 23:59:00"}}
    assert mentions[7304].extra["delivery"] == "PICKUP"


def test_snappfood_second_run_yields_only_new(server):
    serve_snappfood(server)
    _, cursor = run(server, "snappfood")
    serve_snappfood(server, run2=True)
    before = len(server.requests)
    mentions, _ = run(server, "snappfood", cursor)
    assert sorted(mentions) == [7311, 7312] and len(server.requests) - before == 1


def test_snappfood_vendor_error(server):
    server.add(sf_route(0, "nope00"), Reply.file(SF / "vendor_not_found.json"))
    with pytest.raises(SourceUnavailable, match="SnappFood vendor nope00: API said status false"):
        run(server, "snappfood", vendor_codes=["nope00"])


def test_snappfood_sort_option_is_sent(server):
    server.add("/mobile/v1/restaurant/vendor-comment", Reply.file(SF / "v0xmz7k_page2.json"))
    run(server, "snappfood", sort="date")
    assert server.requests[0].query["sortType"] == "date"
