"""Small parsers several connectors share: counters, Persian digits, Jalali dates, HTML text."""
from __future__ import annotations

import re
from datetime import datetime, time, timezone, tzinfo
from zoneinfo import ZoneInfo

from bs4 import NavigableString, Tag

TEHRAN = ZoneInfo("Asia/Tehran")
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩٫٬", "01234567890123456789.,")
_COUNT = re.compile(r"(\d+(?:[.,]\d+)?)\s*([KMBkmb]?)")
_JALALI_MONTHS = {
    "فروردین": 1, "اردیبهشت": 2, "خرداد": 3, "تیر": 4, "مرداد": 5, "امرداد": 5, "شهریور": 6,
    "مهر": 7, "آبان": 8, "آذر": 9, "دی": 10, "بهمن": 11, "اسفند": 12,
}


def ascii_digits(text: str) -> str:
    return text.translate(_DIGITS)


def parse_count(text: str | None) -> int | None:
    """'1.2K' -> 1200, '12.5M' -> 12500000, '۳۴' -> 34, '1,234' -> 1234; None if there is no number."""
    if not text:
        return None
    text = ascii_digits(text).replace("\u00a0", "").replace(" ", "")
    if re.fullmatch(r"\d{1,3}(,\d{3})+", text):
        return int(text.replace(",", ""))
    m = _COUNT.search(text)
    if not m:
        return None
    number = float(m.group(1).replace(",", "."))
    scale = {"": 1, "K": 1_000, "M": 1_000_000, "B": 1_000_000_000}[m.group(2).upper()]
    if number * scale >= 2 ** 63:  # no real counter; a page (or attacker) wrote digits without end
        return None
    return int(round(number * scale))


def parse_jalali(text: str, tz: tzinfo = TEHRAN) -> datetime | None:
    """'۱۴ آبان ۱۴۰۳', '1403/08/14', '1403-08-14 18:30' -> an aware datetime (Tehran time by default)."""
    import jdatetime

    text = ascii_digits(text).replace("\u200c", " ").strip()
    clock = time(0, 0)
    m = re.search(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", text)
    if m:
        try:
            clock = time(int(m.group(1)), int(m.group(2)), int(m.group(3) or 0))
        except ValueError:  # 25:61
            return None
        text = (text[:m.start()] + text[m.end():]).strip()
    m = re.fullmatch(r"(\d{4})[/-](\d{1,2})[/-](\d{1,2})", text)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        m = re.fullmatch(r"(\d{1,2})\s+(\S+)\s+(\d{4})", text)
        if not m or m.group(2) not in _JALALI_MONTHS:
            return None
        d, mo, y = int(m.group(1)), _JALALI_MONTHS[m.group(2)], int(m.group(3))
    if not 1200 <= y <= 1600:
        return None
    try:
        day = jdatetime.date(y, mo, d).togregorian()
    except ValueError:
        return None
    return datetime.combine(day, clock, tzinfo=tz)


def parse_when(value: object, tz: tzinfo = TEHRAN) -> datetime | None:
    """ISO 8601, epoch seconds, 'YYYY-MM-DD HH:MM:SS' or a Jalali date; naive times are in `tz`.

    None for anything else, including numbers no calendar holds (year 300000, 25:61, NaN).
    """
    try:
        return _parse_when(value, tz)
    except (ValueError, OverflowError, OSError):
        return None


def _parse_when(value: object, tz: tzinfo) -> datetime | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, timezone.utc)
    text = ascii_digits(str(value)).strip()
    if text.isdigit() and len(text) >= 9:
        return datetime.fromtimestamp(int(text), timezone.utc)
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        when = None
    if when is not None and when.year < 1700:  # a Jalali date written in ISO shape
        when = None
    if when is None:
        return parse_jalali(text, tz)
    return when if when.tzinfo else when.replace(tzinfo=tz)


def node_text(node: Tag) -> str:
    """Visible text of an HTML fragment with <br> and block ends as newlines."""
    parts: list[str] = []
    _walk(node, parts)
    text = "".join(parts)
    text = re.sub(r"[ \t\u00a0]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


_BLOCKS = frozenset({"p", "div", "li", "blockquote", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre"})


def _walk(node: Tag, parts: list[str]) -> None:
    for child in node.children:
        if isinstance(child, NavigableString):
            if type(child) is NavigableString:  # skips comments, CDATA, doctype
                parts.append(str(child))
        elif isinstance(child, Tag):
            if child.name == "br":
                parts.append("\n")
            elif child.name in ("script", "style", "template"):
                continue
            else:
                _walk(child, parts)
                if child.name in _BLOCKS:
                    parts.append("\n")


_UNITS = {"ثانیه": 1, "دقیقه": 60, "ساعت": 3600, "روز": 86400, "هفته": 604800, "ماه": 2592000, "سال": 31536000,
          "second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800, "month": 2592000, "year": 31536000}
_RELATIVE = re.compile(r"(\d+|یک|یه|a|an)?\s*(ثانیه|دقیقه|ساعت|روز|هفته|ماه|سال|second|minute|hour|day|week|month|year)s?"
                       r"\s*(?:پیش|قبل|ago)", re.I)


def parse_relative(text: str, now: datetime) -> datetime | None:
    """'۳ روز پیش', 'یک ساعت قبل', 'دیروز', '2 hours ago' -> a datetime before `now`; None otherwise."""
    text = ascii_digits(text).strip().lower()
    if text in ("همین الان", "لحظاتی پیش", "چند لحظه پیش", "just now", "now"):
        return now
    if text.startswith(("دیروز", "yesterday")):
        return now - _delta(86400)
    if text.startswith(("امروز", "today")):
        return now
    m = _RELATIVE.search(text)
    if not m:
        return None
    count = m.group(1)
    n = int(count) if count and count.isdigit() else 1
    return now - _delta(n * _UNITS[m.group(2)])


def _delta(seconds: int):
    from datetime import timedelta

    return timedelta(seconds=seconds)
