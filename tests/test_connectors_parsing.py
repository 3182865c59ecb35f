"""Tables for the small parsers the connectors share."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from bs4 import BeautifulSoup

from shenava.connectors.parsing import (TEHRAN, ascii_digits, node_text, parse_count, parse_jalali, parse_relative,
                                        parse_when)


@pytest.mark.parametrize("text, expected", [
    ("1.2K", 1200), ("12.5M", 12_500_000), ("930", 930), ("۳۴", 34), ("1,234", 1234), ("7.03K", 7030),
    ("2K", 2000), ("1.2k views", 1200), ("", None), (None, None), ("views", None), ("۱٫۵K", 1500),
])
def test_parse_count(text, expected):
    assert parse_count(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("۱۴ آبان ۱۴۰۳", datetime(2024, 11, 4, tzinfo=TEHRAN)),
    ("1 فروردین 1404", datetime(2025, 3, 21, tzinfo=TEHRAN)),
    ("1404/08/20", datetime(2025, 11, 11, tzinfo=TEHRAN)),
    ("۱۴۰۴-۰۸-۲۰ ۱۸:۳۰", datetime(2025, 11, 11, 18, 30, tzinfo=TEHRAN)),
    ("30 اسفند 1403", datetime(2025, 3, 20, tzinfo=TEHRAN)),
    ("دیروز", None), ("12 Brumaire 1404", None), ("1404/13/01", None),
])
def test_parse_jalali(text, expected):
    assert parse_jalali(text) == expected


@pytest.mark.parametrize("value, expected", [
    ("2025-11-20 21:40:12", datetime(2025, 11, 20, 21, 40, 12, tzinfo=TEHRAN)),
    ("2025-11-20T18:10:12Z", datetime(2025, 11, 20, 18, 10, 12, tzinfo=timezone.utc)),
    (1761973200, datetime(2025, 11, 1, 5, 0, tzinfo=timezone.utc)),
    ("1761973200", datetime(2025, 11, 1, 5, 0, tzinfo=timezone.utc)),
    ("1404-08-29", datetime(2025, 11, 20, tzinfo=TEHRAN)),  # Jalali in ISO shape
    ("", None), (None, None), ("someday", None),
])
def test_parse_when(value, expected):
    assert parse_when(value) == expected


def test_ascii_digits_covers_persian_and_arabic_indic():
    assert ascii_digits("۱۲۳ ٤٥٦ ۷٫۵") == "123 456 7.5"


@pytest.mark.parametrize("html, expected", [
    ("<div>سلام<br/>دنیا</div>", "سلام\nدنیا"),
    ("<div><p>یک</p><p>دو</p></div>", "یک\nدو"),
    ("<div>متن <script>alert(1)</script>تمیز</div>", "متن تمیز"),
    ("<div>  فاصله  <!-- note --> </div>", "فاصله"),
    ('<div><i class="emoji"><b>😍</b></i> عالی</div>', "😍 عالی"),
])
def test_node_text(html, expected):
    assert node_text(BeautifulSoup(html, "html.parser").div) == expected


NOW = datetime(2025, 11, 22, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("text, hours_ago", [
    ("۳ روز پیش", 72), ("2 ساعت قبل", 2), ("یک هفته پیش", 168), ("یه ماه پیش", 720), ("دیروز", 24),
    ("همین الان", 0), ("5 minutes ago", 5 / 60), ("a day ago", 24), ("امروز ۱۰:۳۰", 0),
])
def test_parse_relative(text, hours_ago):
    assert parse_relative(text, NOW) == NOW - timedelta(hours=hours_ago)


@pytest.mark.parametrize("text", ["۱۴۰۴/۰۸/۲۰", "بزودی", ""])
def test_parse_relative_leaves_other_text_alone(text):
    assert parse_relative(text, NOW) is None
