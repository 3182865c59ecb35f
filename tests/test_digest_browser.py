"""The HTML digest as a person sees it: rendered by headless Chromium (scripts/setup-browser.sh).

Checked from the rendered page: right-to-left, the bundled font loaded and in
use, charts drawn, no script from a comment ran, no request left the file.
A full-page screenshot is saved under test-output/ for a person to look at.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "digest"))
import handmade  # noqa: E402
from browser import Browser, find_chromium  # noqa: E402

from shenava.digest import write_digest  # noqa: E402

pytestmark = pytest.mark.browser
OUTPUT = Path(os.environ.get("SHENAVA_TEST_OUTPUT", Path(__file__).parents[1] / "test-output"))


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    if find_chromium() is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: run scripts/setup-browser.sh before the tests")
        pytest.skip("Chromium is missing: run scripts/setup-browser.sh")
    config, store, _ = handmade.build(tmp_path_factory.mktemp("browser"))
    with store:
        files = write_digest(store, config, handmade.BRAND, "day", "2026-11-20")
    with Browser() as browser:
        tab = browser.page()
        tab.open(files.html.as_uri())
        tab.evaluate("document.fonts.ready.then(() => true)")
        yield tab, files
        tab.close()


def test_page_is_right_to_left(page):
    tab, _ = page
    assert tab.evaluate("document.documentElement.dir") == "rtl"
    assert tab.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert tab.evaluate("getComputedStyle(document.querySelector('h1')).textAlign") in ("start", "right")
    # The title's text sits against the right edge of the page, not the left.
    gaps = tab.evaluate("(() => { const r = document.createRange();"
                        " r.selectNodeContents(document.querySelector('h1'));"
                        " const t = r.getBoundingClientRect(), m = document.querySelector('main').getBoundingClientRect();"
                        " return [m.right - t.right, t.left - m.left]; })()")
    assert gaps[0] < 40 and gaps[1] > 300


def test_bundled_font_loaded_and_used(page):
    tab, _ = page
    faces = tab.evaluate("[...document.fonts].map(f => [f.family.replace(/\"/g, ''), f.status])")
    assert ["Vazirmatn", "loaded"] in faces
    assert tab.evaluate("document.fonts.check('16px Vazirmatn', 'گزارش')") is True
    assert tab.evaluate("getComputedStyle(document.body).fontFamily").split(",")[0].strip('"') == "Vazirmatn"
    drawn = tab.platform_fonts("h1")
    assert drawn[0]["familyName"] == "Vazirmatn" and drawn[0]["isCustomFont"] is True


def test_charts_are_drawn(page):
    tab, _ = page
    charts = tab.evaluate("[...document.querySelectorAll('svg.chart')].map(s => [s.getBoundingClientRect().width,"
                          " s.querySelectorAll('polyline.series, rect.bar').length])")
    assert len(charts) == 4  # sentiment lines, daily volume, share of voice, complaint categories
    assert all(width > 300 and marks > 0 for width, marks in charts)
    assert tab.evaluate("document.querySelectorAll('#trends polyline.series').length") >= 2
    assert tab.evaluate("document.querySelectorAll('#trends .spike-mark').length") == 1


def test_no_script_from_a_comment_ran(page):
    tab, _ = page
    assert tab.evaluate("typeof window.__pwned") == "undefined"
    assert tab.evaluate("document.scripts.length") == 0
    assert tab.evaluate("document.querySelectorAll('img, [onerror], [onload]').length") == 0
    quotes = tab.evaluate("[...document.querySelectorAll('blockquote.quote p')].map(p => p.textContent)")
    assert any(handmade.XSS in q and handmade.ONERROR in q for q in quotes)


def test_no_request_leaves_the_file(page):
    tab, files = page
    urls = tab.requested_urls()
    assert urls and urls[0] == files.html.as_uri()
    assert all(u.startswith(("file:", "data:")) for u in urls), [u[:60] for u in urls]


def test_screenshot_is_saved(page):
    tab, _ = page
    shot = tab.screenshot(OUTPUT / "digest-day.png")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000
