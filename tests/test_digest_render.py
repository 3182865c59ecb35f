"""The written HTML and Markdown: self-contained, right-to-left, comment text escaped; the CLI regenerates."""
from __future__ import annotations

import base64
import re
import sys
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "digest"))
import handmade  # noqa: E402

from shenava.cli import main  # noqa: E402
from shenava.digest import render_html, render_markdown, write_digest  # noqa: E402
from shenava.digest.fa import jalali, number, signed, slug  # noqa: E402
from shenava.digest.render_md import md  # noqa: E402

BRAND = handmade.BRAND


class Elements(HTMLParser):
    """Every start tag with its attributes, and the page's text."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def assert_nothing_active(html: str) -> Elements:
    page = Elements(html)
    names = {t for t, _ in page.tags}
    assert not names & {"script", "img", "iframe", "object", "embed", "link", "base", "form"}
    for tag, attrs in page.tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        assert "src" not in attrs
        if "href" in attrs:
            assert re.match(r"^https?://", attrs["href"] or ""), attrs["href"]
    return page


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    config, store, _ = handmade.build(tmp_path_factory.mktemp("render"))
    with store:
        yield write_digest(store, config, BRAND, "day", "2026-11-20")


def test_files_are_named_by_brand_period_and_date(files):
    assert files.html.name == "tazh-rs-day-2026-11-20.html"
    assert files.markdown.name == "tazh-rs-day-2026-11-20.md"
    assert files.html.with_suffix(".json").exists()
    assert files.digest.key == "digest-tazh-rs-day"
    # readable by the team and a web server, not only by the scheduler's user
    assert {oct(p.stat().st_mode & 0o777) for p in (files.html, files.markdown)} == {"0o644"}


def test_html_is_rtl_persian_and_names_the_period_in_both_calendars(files):
    html = files.html.read_text(encoding="utf-8")
    assert html.startswith('<!DOCTYPE html>\n<html lang="fa" dir="rtl">')
    assert "۱۴۰۵/۰۸/۲۹" in html and "2026-11-20" in html and "جمعه ۲۹ آبان ۱۴۰۵" in html
    assert 'data-figure="volume"' in html and '<div class="value">۱۴</div>' in html


def test_html_escapes_comment_text_and_makes_no_request(files):
    html = files.html.read_text(encoding="utf-8")
    page = assert_nothing_active(html)
    text = "".join(page.text)
    assert handmade.XSS in text and handmade.ONERROR in text  # shown as text
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    assert "javascript:" not in html
    assert "default-src 'none'" in html  # and the CSP would block a script anyway
    assert not re.search(r"url\((?!data:)", html) and "@import" not in html


def test_the_bundled_font_is_inlined_with_its_licence():
    html_font = re.compile(r"url\(data:font/woff2;base64,([A-Za-z0-9+/=]+)\)")
    from shenava.digest.model import Digest  # noqa: F401  (the package is importable without a store)
    assets = resources.files("shenava.digest").joinpath("assets")
    font = assets.joinpath("Vazirmatn-Variable.woff2").read_bytes()
    assert font[:4] == b"wOF2"
    assert "SIL Open Font License" in assets.joinpath("Vazirmatn-OFL.txt").read_text(encoding="utf-8")
    from shenava.digest.render_html import _CSS, font_base64
    css = _CSS.replace("%FONT%", font_base64())
    assert base64.b64decode(html_font.search(css).group(1)) == font


def test_markdown_renders_to_safe_html_with_the_comment_as_text(files):
    text = files.markdown.read_text(encoding="utf-8")
    rendered = MarkdownIt("commonmark", {"html": True}).enable("table").render(text)
    page = assert_nothing_active(rendered)
    shown = "".join(page.text)
    assert handmade.XSS in shown and handmade.ONERROR in shown
    assert page.tags[0] == ("div", {"dir": "rtl"})
    assert sum(1 for t, _ in page.tags if t == "table") == 6
    links = [a["href"] for t, a in page.tags if t == "a"]
    assert "https://t.me/tazeres_news/101" in links


def test_markdown_headline_table(files):
    text = files.markdown.read_text(encoding="utf-8")
    assert "| حجم گفت‌وگو | ۱۴ | ۶ |" in text
    assert "| نرخ شکایت | ۳۸٫۵٪ | ۵۰٫۰٪ |" in text


@pytest.mark.parametrize("raw, expected", [
    ("<b>bold</b>", "&lt;b&gt;bold&lt;/b&gt;"),
    ("[click](javascript:alert(1))", r"\[click\](javascript:alert(1))"),
    ("a | b", r"a \| b"),
    ("**strong** _em_ `code`", r"\*\*strong\*\* \_em\_ \`code\`"),
    ("- not a list", r"\- not a list"),
    ("1. not a list", r"1\. not a list"),
    ("# not a heading", r"\# not a heading"),
    ("line\nbreak", "line break"),
    ('x" onerror="y', "x&quot; onerror=&quot;y"),
])
def test_md_escape(raw, expected):
    assert md(raw) == expected


@pytest.mark.parametrize("value, expected", [
    (1234567, "۱٬۲۳۴٬۵۶۷"), (7.69, "۸"), (None, "—"),
])
def test_numbers_in_persian_digits(value, expected):
    assert number(value) == expected


def test_signed_numbers_and_gregorian_dates_are_isolated_left_to_right():
    from datetime import date
    assert signed(-8.97) == "\u2066−۹٫۰\u2069" and signed(0.01) == "۰٫۰"
    assert jalali(date(2026, 3, 21)) == "۱۴۰۵/۰۱/۰۱ (\u20662026-03-21\u2069)"


@pytest.mark.parametrize("name, expected", [
    ("تازه‌رس", "tazh-rs"), ("Digi Kala!", "digi-kala"), ("اسنپ‌فود", "asnp-fvd"), ("!!!", "brand"),
])
def test_slug(name, expected):
    assert slug(name) == expected


def test_cli_regenerates_a_past_digest_from_the_store(tmp_path, capsys):
    config, store, _ = handmade.build(tmp_path)
    store.close()
    code = main(["--config", str(tmp_path / "shenava.toml"), "digest", "--brand", BRAND, "--period", "week",
                 "--date", "2026-11-20"])
    assert code == 0
    html = tmp_path / "reports" / "tazh-rs-week-2026-11-20.html"
    assert html.exists() and str(html) in capsys.readouterr().out
    assert '<div class="value">۲۰</div>' in html.read_text(encoding="utf-8")


def test_renderers_take_the_digest_alone(files):
    assert render_html(files.digest) == files.html.read_text(encoding="utf-8")
    assert render_markdown(files.digest) == files.markdown.read_text(encoding="utf-8")


def test_a_brand_with_no_mentions_still_gets_a_digest(tmp_path):
    from shenava.config import parse_config
    from shenava.storage import Store

    config = parse_config('[[brands]]\nname = "نوپا"\n', tmp_path / "shenava.toml")
    with Store.open(tmp_path / "s.db") as store:
        files = write_digest(store, config, "نوپا", "week", "2026-11-20")
    d = files.digest
    assert [f.value for f in d.headline] == [0, None, None, None, 0]
    assert d.complaints == [] and d.wishlist == [] and d.spikes == [] and d.sources == []
    html = files.html.read_text(encoding="utf-8")
    assert html.count('class="chart"') == 3 and "شکایتی نبود" in html
    assert "دوره‌ی قبل گفت‌وگویی ثبت نشده بود" in files.markdown.read_text(encoding="utf-8")
