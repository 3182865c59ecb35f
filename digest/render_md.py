"""The digest as Markdown, for the Prefect UI artifact and for chat or e-mail.

The body sits in a `<div dir="rtl">` (Prefect's renderer keeps that attribute),
separated by blank lines so the Markdown inside is still parsed. Every piece
of comment text is escaped: HTML characters become entities and Markdown
punctuation gets a backslash, so a comment cannot add a tag, a link or a table
cell.
"""
from __future__ import annotations

import re
from datetime import date, datetime

from shenava.digest import fa
from shenava.digest.model import Digest, Quote
from shenava.digest.narrative import change_text, previous_text, value_text

_MD_INLINE = re.compile(r"([\\`*_\[\]|~])")
_MD_LINE_START = re.compile(r"^(\d*)([-+#>!=.)])")


def md(text: object) -> str:
    """Escape text for Markdown: entities for & < > " and a backslash before inline markup
    characters (and before a leading list, heading or quote marker)."""
    s = re.sub(r"\s+", " ", str(text)).strip()
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    s = _MD_INLINE.sub(r"\\\1", s)
    return _MD_LINE_START.sub(r"\1\\\2", s)


def _url(url: str) -> str:
    return url.replace("(", "%28").replace(")", "%29").replace(" ", "%20").replace("<", "%3C").replace(">", "%3E")


def _quote(q: Quote) -> str:
    when = fa.jalali_datetime(datetime.fromisoformat(q.published_at))
    bits = [md(q.source)] + ([md(q.channel)] if q.channel else []) + [md(when), f"تعامل {fa.number(q.engagement)}"]
    if q.copies > 1:
        bits.append(f"{fa.number(q.copies)} نسخه")
    if q.permalink:
        bits.append(f"[پیوند]({_url(q.permalink)})")
    footer = " · ".join(f"\u2068{b}\u2069" for b in bits)  # first-strong isolates, as <bdi> in HTML
    return f"> {md(q.text)}\n>\n> — {footer}\n"


def _quotes(quotes: list[Quote]) -> list[str]:
    return [_quote(q) for q in quotes] or ["_نقل‌قولی نیست._\n"]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header),
            *["| " + " | ".join(r) + " |" for r in rows], ""]


def render_markdown(digest: Digest) -> str:
    d = digest
    end = date.fromisoformat(d.date)
    start = datetime.fromisoformat(d.start).date()
    span = fa.jalali_long(end) if start == end else f"{fa.jalali_long(start)} تا {fa.jalali_long(end)}"
    out = ['<div dir="rtl">', "", f"# گزارش {fa.PERIOD[d.period]} شنوا — {md(d.brand)}", "",
           f"**دوره:** {span}، به وقت {md(d.timezone)}  ",
           f"**ساخته‌شده:** {fa.jalali_datetime(datetime.fromisoformat(d.generated_at))}  ",
           f"**پیام‌ها:** {fa.number(d.totals['mentions'])} در {fa.number(d.totals['clusters'])} گفت‌وگوی یکتا "
           f"({fa.number(d.totals['analysed'])} تحلیل‌شده)", "", "## نمای کلی", ""]
    out += _table(["شاخص", "این دوره", "دوره‌ی قبل", "تغییر"],
                  [[f.label, value_text(f), previous_text(f), change_text(f)] for f in d.headline])
    out += ["## چه چیزی تغییر کرد", "", *[f"- {md(s)}" for s in d.changes], ""]

    out += ["## احساس در طول زمان", "", "احساس خالص روزانه (درصد مثبت − درصد منفی) و حجم:", ""]
    if d.series:
        # The HTML chart has every loaded day; a table reads better short: a week, or two for a weekly digest.
        shown = 14 if d.period == "week" else 7
        points = len(d.series[0].points)
        header = ["روز"] + [f"{md(s.name)} (احساس / حجم)" for s in d.series]
        rows = [[fa.jalali(date.fromisoformat(d.series[0].points[i].date))]
                + [f"{fa.signed(s.points[i].net, 1)} / {fa.number(s.points[i].volume)}" for s in d.series]
                for i in range(max(0, points - shown), points)]
        out += _table(header, rows)

    out += ["## جایگاه ما در برابر رقبا", "", "### سهم صدا", ""]
    out += _table(["نام", "گفت‌وگوهای خودش", "از راه مقایسه", "سهم"],
                  [[md(v.name), fa.number(v.own), fa.number(v.via_comparisons), fa.percent(v.share)]
                   for v in d.share_of_voice])
    out += ["### ماتریس مقایسه", ""]
    if d.comparisons:
        out += _table(["رقیب", "ما بهتریم", "ما بدتریم", "هم‌تراز", "نام‌ها در متن"],
                      [[md(c.competitor), fa.number(c.better), fa.number(c.worse), fa.number(c.equal),
                        md("، ".join(c.names))] for c in d.comparisons])
        for c in d.comparisons:
            out += [f"#### {md(c.competitor)}: ما بهتریم", "", *_quotes(c.better_quotes),
                    f"#### {md(c.competitor)}: ما بدتریم", "", *_quotes(c.worse_quotes)]
    else:
        out += ["_در این دوره کسی ما را با رقیبی مقایسه نکرد._", ""]

    out += ["## چه چیزی را درست کنیم: شکایت‌ها", ""]
    if d.complaints:
        out += _table(["دسته", "تعداد", "سهم از شکایت‌ها", "دوره‌ی قبل", "تغییر"],
                      [[md(c.label), fa.number(c.count), fa.percent(c.share), fa.number(c.previous),
                        fa.signed(c.change, 0)] for c in d.complaints])
        for c in d.complaints:
            if c.count:
                out += [f"### {md(c.label)} ({fa.number(c.count)})", "", *_quotes(c.quotes)]
    else:
        out += ["_شکایتی نبود._", ""]

    out += ["## فهرست خواسته‌ها", ""]
    for g in d.wishlist:
        out += [f"### {md('، '.join(g.terms) or 'بی‌عنوان')} — {fa.number(g.count)} پیشنهاد", "", *_quotes(g.quotes)]
    if not d.wishlist:
        out += ["_پیشنهادی نبود._", ""]

    out += ["## جهش‌ها", ""]
    for s in d.spikes:
        day = fa.jalali_long(date.fromisoformat(s.date))
        if s.kind == "volume":
            what = f"حجم {fa.number(s.value)}؛ میانگین پیشین {fa.number(s.mean, 1)}، آستانه {fa.number(s.threshold, 1)}"
        else:
            what = f"سهم منفی {fa.percent(s.value)}؛ میانگین پیشین {fa.percent(s.mean)}، آستانه {fa.percent(s.threshold)}"
        out += [f"### {day}: {what}", "", f"**واژه‌های پررنگ:** {md('، '.join(s.top_terms)) or '—'}", ""]
        for c in s.clusters:
            out += [f"**خوشه‌ی {fa.number(c.size)} پیامی:**", "", _quote(c.quote)]
        out += ["**پرتعامل‌ترین پیام‌ها:**", "", *_quotes(s.posts)]
    if not d.spikes:
        out += ["_روزی بیرون از بازه‌ی معمول نبود._", ""]

    out += ["## منبع‌ها و کانال‌ها", ""]
    out += _table(["منبع", "کانال", "پیام", "گفت‌وگوی یکتا", "تعامل", "بازدید"],
                  [[md(s.source), md(s.channel or "—"), fa.number(s.mentions), fa.number(s.clusters),
                    fa.number(s.engagement), fa.number(s.views)] for s in d.sources])
    out += ["## تعریف‌ها و قاعده‌ها", "", *[f"- {md(r)}" for r in d.rules], "", "</div>", ""]
    return "\n".join(out)
