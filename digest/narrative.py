"""The digest's sentences: what changed, and how every figure is defined.

Definitions are printed in each digest so an analyst can check a number
without reading code.
"""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from shenava.digest import fa
from shenava.digest.queries import REPLY_KEYS
from shenava.digest.terms import SIMILARITY

if TYPE_CHECKING:
    from shenava.digest.model import Digest, Figure
    from shenava.digest.spikes import SpikeRule


def _value(f: "Figure") -> str:
    if f.unit == "pct":
        return fa.percent(f.value)
    if f.unit == "score":
        return fa.signed(f.value, 1)
    return fa.number(f.value)


def pct_text(pct: float) -> str:
    """A relative change: one decimal while it is small (+۰٫۲٪), whole percents beyond 10."""
    return fa.signed(pct, 1 if abs(pct) < 10 else 0, "٪")


def change_text(f: "Figure") -> str:
    """«+۱۲ (+۲۵٪)» for counts, «+۴٫۵ واحد» for rates and scores."""
    if f.change is None:
        return "—"
    if f.unit == "count":
        rel = f" ({pct_text(f.change_pct)})" if f.change_pct is not None else ""
        return fa.signed(f.change, 0) + rel
    return fa.signed(f.change, 1, " واحد")


def value_text(f: "Figure") -> str:
    return _value(f)


def previous_text(f: "Figure") -> str:
    from dataclasses import replace
    return _value(replace(f, value=f.previous))


def changes(d: "Digest") -> list[str]:
    out = []
    vol = d.figure("volume")
    if vol.previous:
        more = "بیشتر" if (vol.change or 0) > 0 else "کمتر" if (vol.change or 0) < 0 else "برابر"
        pct = f" ({pct_text(vol.change_pct)})" if vol.change_pct is not None else ""
        out.append(f"حجم گفت‌وگو {fa.number(vol.value)} بود، {more} از دوره‌ی قبل "
                   f"({fa.number(vol.previous)}){pct}.")
    else:
        out.append(f"حجم گفت‌وگو {fa.number(vol.value)} بود؛ دوره‌ی قبل گفت‌وگویی ثبت نشده بود.")
    for key in ("net_sentiment", "complaint_rate", "word_of_mouth"):
        f = d.figure(key)
        if f.value is not None and f.previous is not None and round(f.change or 0, 1) != 0:
            way = "بالا رفت" if (f.change or 0) > 0 else "پایین آمد"
            out.append(f"{f.label} از {previous_text(f)} به {value_text(f)} {way} ({change_text(f)}).")
    rising = [c for c in d.complaints if c.change > 0]
    if rising:
        top = max(rising, key=lambda c: (c.change, c.count))
        out.append(f"بیشترین افزایش شکایت: «{top.label}» با {fa.number(top.count)} مورد "
                   f"({fa.signed(top.change, 0)} نسبت به دوره‌ی قبل).")
    unanswered = d.figure("unanswered_questions")
    if unanswered.value:
        out.append(f"{fa.number(unanswered.value)} پرسش از {fa.number(unanswered.denominator)} پرسش "
                   "تا پایان دوره بی‌پاسخ ماند.")
    for s in d.spikes:
        what = "حجم گفت‌وگو" if s.kind == "volume" else "سهم منفی‌ها"
        terms = f"؛ واژه‌های پررنگ: {'، '.join(s.top_terms[:4])}" if s.top_terms else ""
        out.append(f"جهش {what} در {fa.jalali_long(date.fromisoformat(s.date))}{terms}.")
    brand = next((v for v in d.share_of_voice if v.is_brand), None)
    if brand and brand.share is not None and len(d.share_of_voice) > 1:
        out.append(f"سهم صدای {d.brand} در برابر رقبا {fa.percent(brand.share)} بود.")
    return out


def rules(d: "Digest", spike: "SpikeRule") -> list[str]:
    n = {"day": "یک روز", "week": "هفت روز"}[d.period]
    model = d.model_version or "جدیدترین تحلیل هر متن"
    return [
        f"دوره: {n} تقویمی به وقت {d.timezone} که به {fa.jalali(date.fromisoformat(d.date))} ختم می‌شود؛ "
        "دوره‌ی قبل همین اندازه و درست پیش از آن است. تاریخ‌ها شمسی‌اند با میلادی در پرانتز.",
        f"گفت‌وگوهای {d.brand}: پیام‌هایی که برندشان (از منبع، یا با تطبیق نام) {d.brand} یا یکی از نام‌های "
        "دیگر آن است. تکراری‌ها و بازنشرهای یک خوشه در هر دوره یک بار شمرده می‌شوند (در نمودار روزانه، "
        "هر روز یک بار) و برچسب‌های قدیمی‌ترین عضو تحلیل‌شده‌ی خوشه را می‌گیرند.",
        f"برچسب‌ها: {model}، فقط تحلیلِ متن کنونی هر پیام (ویرایش‌شده‌ها با متن تازه). درصدها از گفت‌وگوهای "
        f"تحلیل‌شده است: {fa.number(d.totals['analysed'])} از {fa.number(d.totals['clusters'])}.",
        "احساس خالص = درصد مثبت − درصد منفی (خنثی و دوگانه در مخرج هستند).",
        "نرخ شکایت = سهم گفت‌وگوهای تحلیل‌شده‌ای که شکایت‌اند؛ شکایتِ بی‌دسته زیر «سایر» شمرده می‌شود و "
        "شکایتی با چند دسته در هر دسته یک بار.",
        "شاخص توصیه = (توصیه به خرید − بازداشتن از خرید) ÷ (همه‌ی آن‌هایی که به یکی از دو سو توصیه کرده‌اند) "
        "× ۱۰۰؛ از −۱۰۰ تا +۱۰۰ مانند NPS.",
        "پرسش بی‌پاسخ: گفت‌وگوی پرسشی (هیچ عضوی از خوشه‌اش) که تا پایان دوره پاسخی در انبار ندارد: نه پیامی "
        "در همان منبع که والدش (parent_external_id) آن باشد و پیش از پایان دوره منتشر شده باشد، نه پاسخ "
        f"فروشنده در اطلاعات خودِ پیام ({'، '.join(REPLY_KEYS)}).",
        "رقیب: پیام‌هایی که برندشان نام یا نام دیگر آن رقیب است، به‌اضافه‌ی گفت‌وگوهای ما که با آن رقیب "
        "مقایسه می‌کنند؛ پس یک مقایسه هم در سهم صدای ما و هم در سهم رقیب شمرده می‌شود. احساسِ رقیب در "
        "نمودار فقط از پیام‌های خودِ اوست. نام‌هایی که در فهرست رقبا نیستند زیر «سایر» می‌آیند.",
        spike.describe(),
        "تعامل = واکنش + پاسخ + بازنشر، روی همه‌ی اعضای خوشه؛ نقل‌قول‌ها پرتعامل‌ترین‌ها هستند و هر متن "
        "یک بار می‌آید.",
        f"فهرست خواسته‌ها: پیشنهادها با شباهت نویسه‌ای (TF-IDF سه تا پنج‌حرفی، کسینوس دست‌کم "
        f"{fa.number(SIMILARITY, 1)}، پیوند میانگین) گروه می‌شوند.",
    ]
