"""The digest as one self-contained, right-to-left HTML page.

The Vazirmatn font is inlined as base64 and the charts are inline SVG, so the
file opens offline and makes no request. Everything that came from a comment
goes through `html.escape`, links only if they are http(s), and a
Content-Security-Policy that allows no script and no remote load guards the
page twice.
"""
from __future__ import annotations

import base64
from datetime import date, datetime
from functools import lru_cache
from html import escape
from importlib import resources

from shenava.digest import charts, fa
from shenava.digest.model import Digest, Figure, Quote
from shenava.digest.narrative import change_text, previous_text, value_text

FONT_FILE = "Vazirmatn-Variable.woff2"
CSP = "default-src 'none'; style-src 'unsafe-inline'; font-src data:; img-src data:"


@lru_cache(maxsize=1)
def font_base64() -> str:
    data = resources.files("shenava.digest").joinpath("assets", FONT_FILE).read_bytes()
    return base64.b64encode(data).decode("ascii")


def e(value: object) -> str:
    return escape(str(value), quote=True)


_CSS = """
@font-face{font-family:"Vazirmatn";src:url(data:font/woff2;base64,%FONT%) format("woff2");
font-weight:100 900;font-style:normal;font-display:block}
:root{--ink:#111827;--muted:#6b7280;--line:#e5e7eb;--good:#15803d;--bad:#b91c1c;--brand:#0f766e}
*{box-sizing:border-box}
body{font-family:"Vazirmatn",Tahoma,sans-serif;direction:rtl;color:var(--ink);background:#f8fafc;margin:0;
line-height:1.75;font-size:15px}
main{max-width:980px;margin:0 auto;padding:24px 20px 48px}
header h1{margin:0;font-size:26px;font-weight:800}
header p{margin:2px 0;color:var(--muted)}
section{background:#fff;border:1px solid var(--line);border-radius:12px;padding:16px 20px;margin:18px 0}
h2{font-size:19px;margin:0 0 10px;font-weight:700}
h3{font-size:16px;margin:14px 0 6px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:12px}
.card{border:1px solid var(--line);border-radius:10px;padding:10px 14px;background:#fff}
.card .label{color:var(--muted);font-size:13px}
.card .value{font-size:28px;font-weight:800;direction:ltr;unicode-bidi:isolate;display:inline-block}
.card .detail{font-size:12px;color:var(--muted)}
.good{color:var(--good)}.bad{color:var(--bad)}.flat{color:var(--muted)}
.chart{width:100%;height:auto;display:block;margin:6px 0}
.legend span{display:inline-block;margin-inline-end:14px;font-size:13px}
.legend i{display:inline-block;width:12px;height:12px;border-radius:3px;margin-inline-end:5px;vertical-align:middle}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:start;vertical-align:top}
th{color:var(--muted);font-weight:600}
td.num{font-variant-numeric:tabular-nums;white-space:nowrap}
blockquote.quote{margin:8px 0;padding:8px 12px;border-inline-start:4px solid var(--line);background:#f9fafb;
border-radius:6px}
blockquote.quote.negative{border-inline-start-color:#fca5a5}blockquote.quote.positive{border-inline-start-color:#86efac}
blockquote.quote p{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}
blockquote.quote footer{font-size:12px;color:var(--muted)}
.terms span{display:inline-block;background:#eef2ff;border-radius:999px;padding:0 10px;margin:2px}
ul.rules{font-size:13px;color:#374151}
.empty{color:var(--muted)}
"""


def render_html(digest: Digest) -> str:
    d = digest
    parts = [_header(d), _headline(d), _changes(d), _trends(d), _competition(d), _complaints(d),
             _wishlist(d), _spikes(d), _sources(d), _rules(d)]
    title = f"گزارش {fa.PERIOD[d.period]} شنوا — {d.brand} — {fa.jalali(date.fromisoformat(d.date))}"
    return ("<!DOCTYPE html>\n"
            f'<html lang="fa" dir="rtl"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{e(title)}</title><style>{_CSS.replace('%FONT%', font_base64())}</style></head>"
            f"<body><main>{''.join(parts)}</main></body></html>\n")


def _period_text(d: Digest) -> str:
    end = date.fromisoformat(d.date)
    start = datetime.fromisoformat(d.start).date()
    if start == end:
        return fa.jalali_long(end)
    return f"{fa.jalali_long(start)} تا {fa.jalali_long(end)}"


def _header(d: Digest) -> str:
    generated = fa.jalali_datetime(datetime.fromisoformat(d.generated_at))
    return (f"<header><h1>گزارش {e(fa.PERIOD[d.period])} — {e(d.brand)}</h1>"
            f"<p>{e(_period_text(d))}، به وقت {e(d.timezone)}</p>"
            f"<p>ساخته‌شده در {e(generated)}؛ {e(fa.number(d.totals['mentions']))} پیام در "
            f"{e(fa.number(d.totals['clusters']))} گفت‌وگوی یکتا</p></header>")


def _tone(f: Figure) -> str:
    if f.change is None or f.better is None or round(f.change, 1) == 0:
        return "flat"
    return "good" if (f.change > 0) == (f.better == "up") else "bad"


def _headline(d: Digest) -> str:
    cards = []
    for f in d.headline:
        detail = ""
        if f.key == "volume":
            detail = f"{fa.number(f.denominator)} پیام با تکراری‌ها"
        elif f.denominator is not None:
            detail = f"از {fa.number(f.denominator)}"
            if f.key in ("net_sentiment", "complaint_rate"):
                detail = f"از {fa.number(f.denominator)} گفت‌وگوی تحلیل‌شده"
            elif f.key == "word_of_mouth":
                detail = f"{fa.number(f.denominator)} توصیه یا بازداشتن"
            elif f.key == "unanswered_questions":
                detail = f"از {fa.number(f.denominator)} پرسش"
        cards.append(
            f'<div class="card" data-figure="{e(f.key)}"><div class="label">{e(f.label)}</div>'
            f'<div class="value">{e(value_text(f))}</div>'
            f'<div class="change {_tone(f)}">{e(change_text(f))} <span class="flat">نسبت به دوره‌ی قبل '
            f"({e(previous_text(f))})</span></div><div class=\"detail\">{e(detail)}</div></div>")
    return f'<section id="headline"><h2>نمای کلی</h2><div class="cards">{"".join(cards)}</div></section>'


def _changes(d: Digest) -> str:
    items = "".join(f"<li>{e(s)}</li>" for s in d.changes)
    return f'<section id="changes"><h2>چه چیزی تغییر کرد</h2><ul>{items}</ul></section>'


def _legend(entries: list[tuple[str, str]]) -> str:
    return '<div class="legend">' + "".join(f'<span><i style="background:{c}"></i>{e(n)}</span>'
                                            for n, c in entries) + "</div>"


def _trends(d: Digest) -> str:
    if not d.series:
        return ""
    days = [date.fromisoformat(p.date) for p in d.series[0].points]
    labels = [fa.jalali_short(x) for x in days]
    lines, legend = [], []
    for i, s in enumerate(d.series):
        color = charts.color_for(i - 1, s.is_brand)
        lines.append((s.name, color, [p.net for p in s.points]))
        legend.append((s.name, color))
    brand = next(s for s in d.series if s.is_brand)
    spike_days = {s.date for s in d.spikes}
    marked = [i for i, p in enumerate(brand.points) if p.date in spike_days]
    return ('<section id="trends"><h2>احساس در طول زمان</h2>'
            "<p class=\"detail\">احساس خالص روزانه (درصد مثبت − درصد منفی)؛ روزی که گفت‌وگوی تحلیل‌شده‌ای "
            "نداشته خالی مانده است.</p>"
            + _legend(legend)
            + charts.line_chart(labels, lines, "احساس خالص روزانه")
            + f"<h3>حجم روزانه‌ی گفت‌وگو درباره‌ی {e(d.brand)}</h3>"
            + charts.bar_chart(labels, [p.volume for p in brand.points], "حجم روزانه", marked=marked)
            + "</section>")


def _quotes(quotes: list[Quote]) -> str:
    if not quotes:
        return '<p class="empty">نقل‌قولی نیست.</p>'
    out = []
    for q in quotes:
        when = fa.jalali_datetime(datetime.fromisoformat(q.published_at))
        bits = [e(q.source)] + ([e(q.channel)] if q.channel else []) + [e(when),
                                                                          f"تعامل {e(fa.number(q.engagement))}"]
        if q.copies > 1:
            bits.append(f"{e(fa.number(q.copies))} نسخه (تکرار/بازنشر)")
        if q.permalink:
            bits.append(f'<a href="{e(q.permalink)}" rel="noopener noreferrer nofollow">پیوند</a>')
        tone = f" {e(q.sentiment)}" if q.sentiment in ("positive", "negative") else ""
        # Each bit isolated: a Latin channel name next to a date must not reorder the line.
        footer = " · ".join(f"<bdi>{b}</bdi>" for b in bits)
        out.append(f'<blockquote class="quote{tone}" data-mention="{q.mention_id}"><p dir="auto">{e(q.text)}</p>'
                   f"<footer>{footer}</footer></blockquote>")
    return "".join(out)


def _competition(d: Digest) -> str:
    rows = [(v.name[:28], v.volume, charts.color_for(i - 1, v.is_brand)) for i, v in enumerate(d.share_of_voice)]
    texts = [f"{fa.percent(v.share)} ({fa.number(v.volume)})" for v in d.share_of_voice]
    sov_table = "".join(
        f"<tr><td>{e(v.name)}</td><td class=\"num\">{e(fa.number(v.own))}</td>"
        f"<td class=\"num\">{e(fa.number(v.via_comparisons))}</td><td class=\"num\">{e(fa.percent(v.share))}</td></tr>"
        for v in d.share_of_voice)
    out = ['<section id="competition"><h2>جایگاه ما در برابر رقبا</h2><h3>سهم صدا</h3>',
           charts.hbar_chart(rows, "سهم صدا", texts),
           "<table><thead><tr><th>نام</th><th>گفت‌وگوهای خودش</th><th>از راه مقایسه</th><th>سهم</th></tr></thead>"
           f"<tbody>{sov_table}</tbody></table><h3>ماتریس مقایسه</h3>"]
    if not d.comparisons:
        out.append('<p class="empty">در این دوره کسی ما را با رقیبی مقایسه نکرد.</p>')
    else:
        body = "".join(f"<tr><td>{e(c.competitor)}</td><td class=\"num good\">{e(fa.number(c.better))}</td>"
                       f"<td class=\"num bad\">{e(fa.number(c.worse))}</td><td class=\"num\">{e(fa.number(c.equal))}</td>"
                       f"<td>{e('، '.join(c.names))}</td></tr>" for c in d.comparisons)
        out.append("<table><thead><tr><th>رقیب</th><th>ما بهتریم</th><th>ما بدتریم</th><th>هم‌تراز</th>"
                   f"<th>نام‌ها در متن</th></tr></thead><tbody>{body}</tbody></table>")
        for c in d.comparisons:
            out.append(f"<h3>{e(c.competitor)}: ما بهتریم</h3>{_quotes(c.better_quotes)}"
                       f"<h3>{e(c.competitor)}: ما بدتریم</h3>{_quotes(c.worse_quotes)}")
    out.append("</section>")
    return "".join(out)


def _complaints(d: Digest) -> str:
    if not d.complaints:
        return '<section id="complaints"><h2>چه چیزی را درست کنیم</h2><p class="empty">شکایتی نبود.</p></section>'
    chart = charts.hbar_chart([(c.label, c.count, charts.NEGATIVE) for c in d.complaints], "دسته‌های شکایت")
    rows = "".join(f"<tr><td>{e(c.label)}</td><td class=\"num\">{e(fa.number(c.count))}</td>"
                   f"<td class=\"num\">{e(fa.percent(c.share))}</td><td class=\"num\">{e(fa.number(c.previous))}</td>"
                   f"<td class=\"num {'bad' if c.change > 0 else 'good' if c.change < 0 else 'flat'}\">"
                   f"{e(fa.signed(c.change, 0))}</td></tr>" for c in d.complaints)
    quotes = "".join(f"<h3>{e(c.label)} ({e(fa.number(c.count))})</h3>{_quotes(c.quotes)}"
                     for c in d.complaints if c.count)
    return ('<section id="complaints"><h2>چه چیزی را درست کنیم: شکایت‌ها</h2>' + chart
            + "<table><thead><tr><th>دسته</th><th>تعداد</th><th>سهم از شکایت‌ها</th><th>دوره‌ی قبل</th>"
            f"<th>تغییر</th></tr></thead><tbody>{rows}</tbody></table>{quotes}</section>")


def _wishlist(d: Digest) -> str:
    if not d.wishlist:
        return '<section id="wishlist"><h2>فهرست خواسته‌ها</h2><p class="empty">پیشنهادی نبود.</p></section>'
    groups = "".join(
        f'<h3>{e("، ".join(g.terms) or "بی‌عنوان")} — {e(fa.number(g.count))} پیشنهاد، '
        f'تعامل {e(fa.number(g.engagement))}</h3>{_quotes(g.quotes)}' for g in d.wishlist)
    return f'<section id="wishlist"><h2>فهرست خواسته‌ها (پیشنهادهای مشابه با هم)</h2>{groups}</section>'


def _spikes(d: Digest) -> str:
    if not d.spikes:
        return ('<section id="spikes"><h2>جهش‌ها</h2><p class="empty">روزی بیرون از بازه‌ی معمول نبود.</p>'
                "</section>")
    out = ['<section id="spikes"><h2>جهش‌ها</h2>']
    for s in d.spikes:
        day = fa.jalali_long(date.fromisoformat(s.date))
        if s.kind == "volume":
            what = (f"حجم {fa.number(s.value)} گفت‌وگو؛ میانگین پیشین {fa.number(s.mean, 1)}، "
                    f"آستانه {fa.number(s.threshold, 1)}")
        else:
            what = (f"سهم منفی {fa.percent(s.value)} ({fa.number(s.count)} گفت‌وگوی منفی)؛ میانگین پیشین "
                    f"{fa.percent(s.mean)}، آستانه {fa.percent(s.threshold)}")
        terms = "".join(f"<span>{e(t)}</span>" for t in s.top_terms) or '<span class="empty">—</span>'
        clusters = "".join(f"<h3>خوشه‌ی {e(fa.number(c.size))} پیامی</h3>{_quotes([c.quote])}" for c in s.clusters)
        out.append(f'<div class="spike" data-kind="{e(s.kind)}"><h3>{e(day)}: {e(what)}</h3>'
                   f'<p class="terms">واژه‌های پررنگ: {terms}</p>{clusters}'
                   f"<h3>پرتعامل‌ترین پیام‌ها</h3>{_quotes(s.posts)}</div>")
    out.append("</section>")
    return "".join(out)


def _sources(d: Digest) -> str:
    if not d.sources:
        return ""
    rows = "".join(f"<tr><td>{e(s.source)}</td><td>{e(s.channel or '—')}</td><td class=\"num\">{e(fa.number(s.mentions))}</td>"
                   f"<td class=\"num\">{e(fa.number(s.clusters))}</td><td class=\"num\">{e(fa.number(s.engagement))}</td>"
                   f"<td class=\"num\">{e(fa.number(s.views))}</td></tr>" for s in d.sources)
    return ('<section id="sources"><h2>منبع‌ها و کانال‌ها</h2><table><thead><tr><th>منبع</th><th>کانال</th>'
            "<th>پیام</th><th>گفت‌وگوی یکتا</th><th>تعامل</th><th>بازدید</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></section>")


def _rules(d: Digest) -> str:
    items = "".join(f"<li>{e(r)}</li>" for r in d.rules)
    return f'<section id="rules"><h2>تعریف‌ها و قاعده‌ها</h2><ul class="rules">{items}</ul></section>'
