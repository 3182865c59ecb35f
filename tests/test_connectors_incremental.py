"""`shenava collect --source NAME` for every source kind, twice, against one local replay server.

Proves the issue's "done when": each kind collects through the real CLI and
store, a second run collects nothing that was already stored, and a run after
the sources changed collects exactly what is new.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import urlencode

import pytest

from shenava.cli import main
from shenava.connectors.replay import ReplayServer, Reply
from test_connectors_telethon import message

FIX = Path(__file__).parent / "fixtures"
TG, DK, SF, WEB, FEED = (FIX / d for d in ("telegram", "digikala", "snappfood", "website", "feed"))


def sf_route(page: int) -> str:
    return "/mobile/v1/restaurant/vendor-comment?" + urlencode(
        {"vendorCode": "0xmz7k", "page": page, "optionalClient": "WEBSITE", "client": "WEBSITE",
         "deviceType": "WEBSITE", "locale": "fa"})


def serve(server: ReplayServer, run2: bool) -> None:
    r2 = "run2_" if run2 else ""
    server.add("/s/tehran_gadget", Reply.file(TG / ("channel_newest_run2.html" if run2 else "channel_newest.html")))
    server.add("/s/tehran_gadget?before=21", Reply.file(TG / "channel_before_21.html"))
    server.add("/s/tehran_gadget?before=11", Reply.file(TG / "channel_before_11.html"))
    for post in (28, 29, 30, 31, 32, 33):
        page = TG / f"discussion_{post}{'_run2' if run2 and post == 30 else ''}.html"
        server.add(f"/tehran_gadget/{post}", Reply.file(page if page.exists() else TG / "discussion_28_empty.html"))
    for n in range(1, 5 if run2 else 4):
        server.add(f"/v1/product/12345678/comments/?page={n}&sort=created_at", Reply.file(DK / f"p12345678_{r2}page{n}.json"))
    for n in range(3):
        server.add(sf_route(n), Reply.file(SF / f"v0xmz7k_{r2}page{n}.json"))
    server.add("/robots.txt", Reply.file(WEB / "robots.txt"))
    server.add("/product/7781/reviews", Reply.file(WEB / ("reviews_run2_page1.html" if run2 else "reviews_page1.html"),
                                                   headers={"ETag": '"r2"' if run2 else '"r1"'}))
    for n in (2, 3):
        server.add(f"/product/7781/reviews?page={n}", Reply.file(WEB / f"reviews_page{n}.html"))
    server.add("/comments/feed/", Reply.file(FEED / ("comments_run2.rss" if run2 else "comments.rss"),
                                             headers={"ETag": '"f2"' if run2 else '"f1"'}))


CONFIG = """
[store]
path = "shenava.db"

[http]
timeout = 2.0
max_retries = 1
backoff = 0.01
max_backoff = 2.0
requests_per_second = 1000

[[sources]]
name = "tg"
kind = "telegram"
channel = "tehran_gadget"
base_url = "{base}"

[[sources]]
name = "tg-comments"
kind = "telegram_comments"
channel = "@tehran_gadget"
base_url = "{base}"
recent_posts = 3
watch_days = 3650

[[sources]]
name = "tg-export"
kind = "telegram_export"
path = "export/result.json"

[[sources]]
name = "mtproto"
kind = "telethon"
channel = "shop_support"

[[sources]]
name = "dk"
kind = "digikala"
product_ids = [12345678]
base_url = "{base}"

[[sources]]
name = "sf"
kind = "snappfood"
vendor_codes = ["0xmz7k"]
base_url = "{base}"

[[sources]]
name = "shop"
kind = "website"
start_urls = ["{base}/product/7781/reviews"]
container = "section#reviews"
item = "article.review"
text = ".review-body"
author = ".review-author"
date = "time, .review-date"
id_attr = "data-review-id"
next_page = "a.pagination-next"

[[sources]]
name = "blog"
kind = "feed"
urls = ["{base}/comments/feed/"]
include_title = false

[[sources]]
name = "csv"
kind = "file"
path = "reviews.csv"
columns = {{ id = "review_id", text = "body", published_at = "created", author = "user" }}
"""
LINE = re.compile(r"^(\S+): (\d+) new, (\d+) edited, (\d+) unchanged — (.*)$")


def collect(config: Path, source: str, capsys) -> tuple[int, int, int]:
    code = main(["--config", str(config), "-q", "collect", "--source", source])
    out = capsys.readouterr().out.strip().splitlines()[-1]
    m = LINE.match(out)
    assert m and m.group(1) == source, out
    assert code == 0 and m.group(5) == "ok", out
    return int(m.group(2)), int(m.group(3)), int(m.group(4))


@pytest.fixture
def workspace(tmp_path, telethon_stand_in):
    (tmp_path / "export").mkdir()
    shutil.copy(FIX / "telegram_export" / "group_v1" / "result.json", tmp_path / "export" / "result.json")
    shutil.copy(FIX / "files" / "reviews.csv", tmp_path / "reviews.csv")
    with ReplayServer() as server:
        serve(server, run2=False)
        config = tmp_path / "shenava.toml"
        config.write_text(CONFIG.format(base=server.base_url), encoding="utf-8")
        yield config, server


@pytest.fixture
def telethon_stand_in(monkeypatch):
    # The MTProto side cannot run offline; the telethon tests' stand-in plays it here too.
    from test_connectors_telethon import install_fake_telethon

    return install_fake_telethon(monkeypatch)


# (source, first run new, after the sources changed: new, edited)
EXPECTED = [
    ("tg", 26, 3, 0),
    ("tg-comments", 6, 2, 0),
    ("tg-export", 7, 2, 1),
    ("mtproto", 4, 1, 0),
    ("dk", 10, 2, 0),
    ("sf", 8, 2, 0),
    ("shop", 9, 2, 0),
    ("blog", 3, 1, 0),
    ("csv", 4, 1, 0),
]


@pytest.mark.parametrize("source, first, later_new, later_edited", EXPECTED, ids=[e[0] for e in EXPECTED])
def test_collect_twice_then_only_what_is_new(workspace, telethon_stand_in, capsys, source, first, later_new,
                                             later_edited):
    config, server = workspace
    new, edited, _ = collect(config, source, capsys)
    assert (new, edited) == (first, 0)
    assert collect(config, source, capsys)[:2] == (0, 0)  # nothing changed: nothing new
    serve(server, run2=True)
    shutil.copy(FIX / "telegram_export" / "group_v2" / "result.json", config.parent / "export" / "result.json")
    with open(config.parent / "reviews.csv", "a", encoding="utf-8") as f:
        f.write('r-505,"ارسال رایگان رو برگردونید",2025-11-21 10:00:00,سینا,,2,1\n')
    telethon_stand_in.messages.append(message(6, "سفارش جدید ثبت شد"))
    new, edited, _ = collect(config, source, capsys)
    assert (new, edited) == (later_new, later_edited)
