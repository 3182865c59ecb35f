"""Comment text is untrusted: escaped in every HTML output, never in a shell, in SQL only as a parameter.

The digest's own tests (tests/test_digest_render.py) escape a hand-made store;
here hostile comments arrive the way they would in production, through a
scraped page and a CSV, get collected, analyzed and digested, and every output
(HTML, Markdown rendered to HTML, the Telegram summary) is checked for anything
active. Brand names from the config and search queries are hostile too.
"""
from __future__ import annotations

import ast
import csv
import html
import re
from pathlib import Path

import pytest

from shenava.analyze import analyze
from shenava.config import load_config
from shenava.connectors.replay import ReplayServer, Reply
from shenava.pipeline import collect
from shenava.storage import Store
from shenava.storage.search import SearchError, search
from test_reliability_kit import ROOT, FakeClassifier, assert_store_sound, config_head, file_source, rows, write_config

PAYLOADS = [
    "<script>alert('تازه‌رس')</script> سفارشم دو ساعت دیر رسید",
    "<img src=x onerror=alert(1)> پیک خیلی دیر اومد",
    '"><svg/onload=alert(document.cookie)> بسته‌بندی داغون بود',
    "[کد تخفیف رایگان](javascript:alert(1)) تحویل خیلی دیر بود",
    "</td></tr></table><iframe src=//evil.example> ارسالتون افتضاحه",
    "| ستون | جعلی |\n|---|---|\n| <b>x</b> | ارسال کند |",
    "<a href=\"http://evil.example\" style=\"position:fixed;inset:0\">برنده شدید</a> دیر رسید",
    "&lt;b&gt;از قبل escape شده&lt;/b&gt; &amp; پیک دیر",
    "\u202eدیر رسید\u202c <style>body{display:none}</style>",
]


class AllComplaints(FakeClassifier):
    """Every mention a delivery complaint and a question, so every payload is quoted somewhere."""

    model_version = "hostile-v1"

    def classify(self, texts, progress=None, analysis=None):
        return [{**tags, "sentiment": "negative", "sentiment_scores": {"negative": 0.9}, "complaint": True,
                 "complaint_categories": ["delivery"], "question": True} for tags in super().classify(texts)]


def _page(items: list[tuple[str, str, str]]) -> str:
    """A shop page that escapes comments as a decent site does; the hostile parts are the hrefs and authors."""
    articles = "".join(
        f'<article class="review" data-review-id="w{i}"><span class="who">{html.escape(author)}</span>'
        f'<time datetime="2026-11-01T1{i % 10}:00:00+03:30"></time><a class="link" href="{href}">#</a>'
        f'<div class="body">{html.escape(text)}</div></article>'
        for i, (text, author, href) in enumerate(items))
    return f'<!DOCTYPE html><html><body><section id="reviews">{articles}</section></body></html>'


@pytest.fixture(scope="module")
def digested(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    items = [(p, f'<b onmouseover="alert({i})">کاربر {i}</b>', "javascript:alert(1)" if i % 2 else f"/r/{i}")
             for i, p in enumerate(PAYLOADS)]
    with open(folder / "reviews.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["review_id", "created", "user", "body", "url"])
        for i, p in enumerate(PAYLOADS):
            w.writerow([f"c{i}", f"2026-11-01T0{i}:30:00+03:30", f"<script>{i}</script>", p + " (csv)",
                        "javascript:alert('csv')"])
    with ReplayServer() as server:
        server.add("/robots.txt", Reply(404))
        server.add("/reviews", Reply.html(_page(items)))
        website = (f'[[sources]]\nname = "shop"\nkind = "website"\nbrand = "تازه‌رس"\n'
                   f'start_urls = ["{server.url("/reviews")}"]\ncontainer = "#reviews"\nitem = "article.review"\n'
                   f'text = ".body"\nauthor = ".who"\ndate = "time"\npermalink = "a.link"\n')
        csv_source = file_source().replace('author = "user" }', 'author = "user", permalink = "url" }')
        config = load_config(write_config(folder, website, csv_source, head=config_head() + '\n[digest]\ndir = "reports"\n'))
        with Store.open(config.store_path) as store:
            assert [r.error for r in collect(config, store)] == [None, None]
            analyze(config, store, classifier=AllComplaints())
            from shenava.digest import write_digest

            files = write_digest(store, config, "تازه‌رس", "day", "2026-11-01", model_version="hostile-v1")
    return folder, files


def test_hostile_permalinks_never_reach_the_store(digested):
    folder, _ = digested
    links = [link for (link,) in rows(folder / "shenava.db", "SELECT permalink FROM mentions")]
    assert len(links) == 2 * len(PAYLOADS)
    assert all(link is None or re.match(r"^https?://", link) for link in links), links
    assert not any("javascript" in (link or "") for link in links)


def test_every_html_output_shows_comments_as_text(digested):
    from test_digest_render import assert_nothing_active

    _, files = digested
    page = files.html.read_text(encoding="utf-8")
    shown = "".join(assert_nothing_active(page).text)
    quoted = [p for p in PAYLOADS if html.unescape(p.split("\n")[0])[:20] in shown]
    assert len(quoted) >= 3, "the digest quoted too few hostile comments for this test to mean anything"
    assert "javascript:" not in page and "onmouseover" not in page.replace("onmouseover=&quot;", "")
    assert "&lt;script&gt;" in page


def test_markdown_digest_renders_to_inert_html(digested):
    from markdown_it import MarkdownIt

    from test_digest_render import assert_nothing_active

    _, files = digested
    rendered = MarkdownIt("commonmark", {"html": True}).enable("table").render(files.markdown.read_text(encoding="utf-8"))
    assert_nothing_active(rendered)
    assert "javascript:" not in rendered


def test_telegram_summary_uses_only_tags_telegram_allows(digested):
    from shenava.digest.deliver import telegram_summary

    _, files = digested
    text = telegram_summary(files.digest)
    assert set(re.findall(r"<\s*/?\s*([a-zA-Z]+)", text)) <= {"b", "a"}
    assert all(re.match(r"^https?://", h) for h in re.findall(r'href="([^"]*)"', text))
    assert "&lt;" in text and "javascript:" not in text


# -- SQL ----------------------------------------------------------------------------------------
HOSTILE_BRAND = "ta'ze\" OR 1=1; --"


def test_hostile_brand_names_and_texts_are_only_parameters(tmp_path):
    head = config_head() + f'\n[[brands]]\nname = """{HOSTILE_BRAND}"""\naliases = ["\'; DROP TABLE mentions; --"]\n'
    (tmp_path / "reviews.csv").write_text(
        "review_id,created,user,body\n"
        "1,2026-11-01T10:00:00+03:30,a,\"'; DROP TABLE mentions; -- خیلی دیر رسید\"\n"
        "2,2026-11-01T11:00:00+03:30,b,تازه‌رس عالیه\n", encoding="utf-8")
    config = load_config(write_config(tmp_path, file_source(), head=head))
    with Store.open(config.store_path) as store:
        collect(config, store)
        analyze(config, store, classifier=FakeClassifier())
        assert store.count() == 2
        brands = dict(rows(config.store_path, "SELECT external_id, brand FROM mentions"))
        assert brands == {"1": "تازه‌رس", "2": "تازه‌رس"}
        assert search(store, "دیر", brand=HOSTILE_BRAND) == []
        assert len(search(store, "دیر")) == 1
        from shenava.stats import store_stats

        store_stats(store)
        from shenava.digest import write_digest

        write_digest(store, config, HOSTILE_BRAND, "day", "2026-11-01")
    assert_store_sound(config.store_path)
    assert rows(config.store_path, "SELECT raw_text FROM mentions WHERE external_id = '1'") == [
        ("'; DROP TABLE mentions; -- خیلی دیر رسید",)]


@pytest.mark.parametrize("query", ['"', '" OR "', "NEAR(", "NEAR(a b", "a NEAR/2 b", "mentions_fts:x", "{a b}:c",
                                   "^دیر", "دیر*سید", '"دیر" AND NOT', "- دیر", "OR", "*", "()", "'); DROP TABLE x;--",
                                   "\x00دیر", "دیر\u200c", "a" * 5000, "دیر " * 300])
def test_fts_queries_are_safe(tmp_path, query):
    (tmp_path / "reviews.csv").write_text("review_id,created,user,body\n1,2026-11-01T10:00:00+03:30,a,خیلی دیر رسید\n",
                                          encoding="utf-8")
    config = load_config(write_config(tmp_path, file_source()))
    with Store.open(config.store_path) as store:
        collect(config, store)
        analyze(config, store, classifier=FakeClassifier())
        try:
            hits = search(store, query)
        except SearchError as exc:
            assert "search" in str(exc) or "nothing to search" in str(exc)
        else:
            assert all(h.mention_id == 1 for h in hits)
        assert store.count() == 1


# -- shell ----------------------------------------------------------------------------------------
PACKAGES = ["shenava", "connectors", "storage", "nlp", "digest", "flows"]


def _calls(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = ast.unparse(node.func)
            if name in ("os.system", "os.popen", "eval", "exec", "pty.spawn", "os.execv", "os.execvp", "os.spawnl"):
                found.append(name)
            if any(k.arg == "shell" and not (isinstance(k.value, ast.Constant) and k.value.value is False)
                   for k in node.keywords):
                found.append(f"{name}(shell=...)")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) else [])
            found += [f"import {n}" for n in names if n and n.split(".")[0] in ("subprocess", "pickle", "marshal")]
    return found


def test_no_code_path_hands_text_to_a_shell_or_an_evaluator():
    """No shell, no subprocess, no eval/exec, no pickle anywhere in shenava's own code."""
    offenders = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found = _calls(ast.parse(path.read_text(encoding="utf-8"), str(path)))
            if found:
                offenders[str(path.relative_to(ROOT))] = found
    assert offenders == {}
