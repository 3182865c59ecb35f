"""Persian wording and number/date formatting shared by the HTML and Markdown digests.

Figures are kept as plain numbers in the `Digest`; only the renderers turn them
into Persian digits, Jalali dates and Tehran times, through the helpers here.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import jdatetime

_FA_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
_JALALI_MONTHS = ("فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
                  "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند")
# Python's weekday(): Monday is 0.
_WEEKDAYS = ("دوشنبه", "سه‌شنبه", "چهارشنبه", "پنجشنبه", "جمعه", "شنبه", "یکشنبه")

SENTIMENT = {"positive": "مثبت", "negative": "منفی", "neutral": "خنثی", "mixed": "دوگانه"}
CATEGORY = {
    "quality": "کیفیت کالا", "delivery": "ارسال و تحویل", "packaging": "بسته‌بندی", "price": "قیمت",
    "support": "پشتیبانی", "authenticity": "اصالت کالا", "app": "اپ و سایت", "other": "سایر",
}
DIRECTION = {"better": "ما بهتریم", "worse": "ما بدتریم", "equal": "هم‌تراز"}
PERIOD = {"day": "روزانه", "week": "هفتگی"}
OTHER_COMPETITORS = "سایر (نام‌های بیرون از فهرست رقبا)"


def ltr(text: str) -> str:
    """Isolate a left-to-right run (a Gregorian date, a signed number) inside Persian text,
    so the bidi algorithm neither reverses «2026-11-20» nor moves the sign of «+۴»."""
    return f"\u2066{text}\u2069"


def digits(value: object) -> str:
    return str(value).translate(_FA_DIGITS)


def number(value: int | float | None, decimals: int = 0) -> str:
    if value is None:
        return "—"
    text = f"{value:,.{decimals}f}" if decimals else f"{round(value):,}"
    return digits(text).replace(",", "٬").replace(".", "٫")


def percent(value: float | None, decimals: int = 1) -> str:
    return "—" if value is None else f"{number(value, decimals)}٪"


def signed(value: float | None, decimals: int = 1, suffix: str = "") -> str:
    """A change with its sign in front, e.g. +۴٫۵ or −۲ (a real minus, not a hyphen)."""
    if value is None:
        return "—"
    if round(value, decimals) == 0:
        return f"{number(0, decimals)}{suffix}"
    sign = "+" if value > 0 else "−"
    return ltr(f"{sign}{number(abs(value), decimals)}") + suffix


def jalali(day: date, with_gregorian: bool = True) -> str:
    j = jdatetime.date.fromgregorian(date=day)
    text = digits(f"{j.year:04d}/{j.month:02d}/{j.day:02d}")
    return f"{text} ({ltr(day.isoformat())})" if with_gregorian else text


def jalali_long(day: date) -> str:
    """«شنبه ۳ آذر ۱۴۰۳ (2024-11-23)»"""
    j = jdatetime.date.fromgregorian(date=day)
    return f"{_WEEKDAYS[day.weekday()]} {digits(j.day)} {_JALALI_MONTHS[j.month - 1]} {digits(j.year)} ({ltr(day.isoformat())})"


def jalali_short(day: date) -> str:
    """Chart axis label: «۳ آذر»."""
    j = jdatetime.date.fromgregorian(date=day)
    return f"{digits(j.day)} {_JALALI_MONTHS[j.month - 1]}"


def local_time(iso_utc: str, tz: ZoneInfo) -> datetime:
    return datetime.fromisoformat(iso_utc.replace("Z", "+00:00")).astimezone(tz)


def jalali_datetime(moment: datetime) -> str:
    """«۱۴۰۳/۰۹/۰۳ ۱۴:۳۰ (2024-11-23 14:30)» in the moment's own zone."""
    return f"{jalali(moment.date(), False)} {digits(moment.strftime('%H:%M'))} ({ltr(moment.strftime('%Y-%m-%d %H:%M'))})"


_SLUG_MAP = str.maketrans({
    "ا": "a", "آ": "a", "أ": "a", "إ": "e", "ب": "b", "پ": "p", "ت": "t", "ث": "s", "ج": "j", "چ": "ch",
    "ح": "h", "خ": "kh", "د": "d", "ذ": "z", "ر": "r", "ز": "z", "ژ": "zh", "س": "s", "ش": "sh", "ص": "s",
    "ض": "z", "ط": "t", "ظ": "z", "ع": "a", "غ": "gh", "ف": "f", "ق": "gh", "ک": "k", "ك": "k", "گ": "g",
    "ل": "l", "م": "m", "ن": "n", "و": "v", "ؤ": "v", "ه": "h", "ة": "h", "ی": "i", "ي": "i", "ئ": "y",
    "ء": "", "\u200c": "-", "۰": "0", "۱": "1", "۲": "2", "۳": "3", "۴": "4", "۵": "5", "۶": "6",
    "۷": "7", "۸": "8", "۹": "9",
})


def slug(name: str) -> str:
    """A file- and Prefect-key-safe name: lowercase ASCII letters, digits and dashes.

    Persian names are transliterated so the file says which brand it is
    («تازه‌رس» -> «tazh-rs»); a name with nothing left gets «brand».
    """
    text = re.sub(r"[^a-z0-9]+", "-", name.translate(_SLUG_MAP).lower()).strip("-")
    return text or "brand"
