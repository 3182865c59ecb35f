"""build_digest: every figure of one brand's digest for one period, from the store."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from typing import Any

from shenava.config import Brand, Config
from shenava.digest import fa
from shenava.digest.model import (ComparisonRow, ComplaintRow, DayPoint, Digest, EntitySeries, Figure,
                                  Quote, SourceRow, VoiceShare, WishGroup)
from shenava.digest.narrative import changes, rules
from shenava.digest.period import Window, make_window
from shenava.digest.queries import DigestData
from shenava.digest.spikes import SpikeRule, explain
from shenava.digest.terms import as_written, brand_words, group_similar, group_terms

QUOTE_CHARS = 280
WISH_SAMPLE = 1000  # most engaged suggestions grouped per digest
WISH_CHARS = 400  # a suggestion's opening is what it asks for; long reviews are cut for grouping
WISH_GROUPS = 10


def build_digest(store: Any, config: Config, brand: str, period: str, date: date | str, *,
                 model_version: str | None = None, spike_rule: SpikeRule | None = None,
                 now: datetime | None = None) -> Digest:
    """The digest of `brand` for the `period` ("day" or "week") ending on `date` (inclusive)."""
    b = config.brand(brand)
    rule = spike_rule or SpikeRule()
    window = make_window(period, date, config.digest.timezone, rule.history)
    k = config.digest.quotes_per_item
    exclude = brand_words([a for c in [b, *b.competitors] for a in [c.name, *c.aliases]])
    with DigestData(store.db.conn, window, b, model_version) as data:
        quotes = _QuoteMaker(data, window)
        counts = data.period_counts()
        cur, prev = counts[(b.name, 1)], counts[(b.name, 0)]
        headline = _headline(cur, prev)
        series = _series(data, window)
        voice = _share_of_voice(data, b, counts)
        comparisons = _comparisons(data, b, quotes, k)
        complaints = _complaints(data, quotes, k, cur["complaints"])
        wishlist = _wishlist(data, quotes, k, exclude)
        spikes = explain(data, rule, quotes, exclude, k)
        sources = [SourceRow(source=s, channel=ch, mentions=n, clusters=u, engagement=e or 0, views=v or 0)
                   for s, ch, n, u, e, v in data.sources()]
    digest = Digest(
        brand=b.name, slug=fa.slug(b.name), period=period, date=window.end_date.isoformat(),
        start=window.start(window.cur0), end=window.end(), previous_start=window.start(window.prev0),
        timezone=config.digest.timezone,
        generated_at=(now or datetime.now(timezone.utc)).astimezone(window.tz).isoformat(timespec="seconds"),
        model_version=model_version, competitors=[c.name for c in b.competitors], headline=headline,
        totals={"mentions": cur["mentions"], "clusters": cur["clusters"], "analysed": cur["analysed"],
                "previous_mentions": prev["mentions"], "previous_clusters": prev["clusters"],
                "previous_analysed": prev["analysed"], "engagement": cur["engagement"],
                "suggestions": cur["suggestions"], "questions": cur["questions"]},
        series=series, share_of_voice=voice, comparisons=comparisons, complaints=complaints,
        wishlist=wishlist, spikes=spikes, sources=sources, changes=[], rules=[])
    digest.changes = changes(digest)
    digest.rules = rules(digest, rule)
    return digest


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 2) if whole else None


def _ratio(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _headline(cur: dict[str, int], prev: dict[str, int]) -> list[Figure]:
    def figure(key: str, label: str, unit: str, better: str | None, value: float | None,
               previous: float | None, num: int | None = None, den: int | None = None) -> Figure:
        # Changes come from the unrounded values: 7.69 - 16.67 is -8.97, not -8.98.
        change = value - previous if value is not None and previous is not None else None
        change_pct = 100.0 * change / previous if unit == "count" and previous and change is not None else None
        return Figure(key, label, _r(value), _r(previous), _r(change), _r(change_pct), unit, better, num, den)

    def net(c: dict[str, int]) -> float | None:
        return _ratio(c["positive"] - c["negative"], c["analysed"])

    def wom(c: dict[str, int]) -> float | None:
        return _ratio(c["recommends"] - c["discourages"], c["recommends"] + c["discourages"])

    return [
        figure("volume", "حجم گفت‌وگو", "count", None, cur["clusters"], prev["clusters"],
               cur["clusters"], cur["mentions"]),
        figure("net_sentiment", "احساس خالص", "score", "up", net(cur), net(prev),
               cur["positive"] - cur["negative"], cur["analysed"]),
        figure("complaint_rate", "نرخ شکایت", "pct", "down", _ratio(cur["complaints"], cur["analysed"]),
               _ratio(prev["complaints"], prev["analysed"]), cur["complaints"], cur["analysed"]),
        figure("word_of_mouth", "شاخص توصیه (شبه NPS)", "score", "up", wom(cur), wom(prev),
               cur["recommends"] - cur["discourages"], cur["recommends"] + cur["discourages"]),
        figure("unanswered_questions", "پرسش‌های بی‌پاسخ", "count", "down", cur["unanswered"],
               prev["unanswered"], cur["unanswered"], cur["questions"]),
    ]


def _series(data: DigestData, window: Window) -> list[EntitySeries]:
    out = []
    for name, days in data.daily().items():
        points = [DayPoint(date=d.isoformat(), volume=v, analysed=a, positive=p, negative=n,
                           net=_pct(p - n, a), negative_share=_pct(n, a))
                  for d, (v, a, p, n) in zip(window.days, days)]
        out.append(EntitySeries(name=name, is_brand=name == data.brand.name, points=points))
    return out


def _share_of_voice(data: DigestData, b: Brand, counts: dict) -> list[VoiceShare]:
    via = data.voice_via_comparisons()
    rows = [VoiceShare(name, name == b.name, counts[(name, 1)]["clusters"], via.get(name, 0), 0, None)
            for name in data.entities]
    total = 0
    for r in rows:
        r.volume = r.own + r.via_comparisons
        total += r.volume
    for r in rows:
        r.share = _pct(r.volume, total)
    return rows


def _comparisons(data: DigestData, b: Brand, quotes: "_QuoteMaker", k: int) -> list[ComparisonRow]:
    found: dict[str, dict[str, int]] = {}
    for comp, direction, n in data.comparisons():
        found.setdefault(comp, {})[direction] = found.get(comp, {}).get(direction, 0) + n
    names = data.comparison_names()
    picked = data.comparison_quotes(k)
    rows = []
    for comp in [c.name for c in b.competitors] + [""]:
        if comp not in found:
            continue
        d = found[comp]
        rows.append(ComparisonRow(
            competitor=comp or fa.OTHER_COMPETITORS, better=d.get("better", 0), worse=d.get("worse", 0),
            equal=d.get("equal", 0), names=names.get(comp, []),
            better_quotes=quotes(picked.get(f"{comp}|better", [])),
            worse_quotes=quotes(picked.get(f"{comp}|worse", []))))
    return rows


def _complaints(data: DigestData, quotes: "_QuoteMaker", k: int, total: int) -> list[ComplaintRow]:
    picked = data.category_quotes(k)
    rows = [ComplaintRow(category=cat, label=fa.CATEGORY.get(cat, cat), count=now, previous=before,
                         change=now - before, share=_pct(now, total), quotes=quotes(picked.get(cat, [])))
            for cat, (now, before) in data.complaint_categories().items()]
    rows.sort(key=lambda r: (-r.count, -r.previous, r.category))
    return rows


def _wishlist(data: DigestData, quotes: "_QuoteMaker", k: int, exclude: frozenset[str]) -> list[WishGroup]:
    units = data.suggestion_texts(WISH_SAMPLE)
    texts = [u[1] or "" for u in units]
    groups = []
    for members in group_similar([t[:WISH_CHARS] for t in texts], exclude=exclude)[:WISH_GROUPS]:
        seen, picked = set(), []
        for i in members:  # most engaged first; the same words twice make one quote
            key = re.sub(r"\s+", " ", texts[i]).strip()
            if key not in seen and len(picked) < k:
                seen.add(key)
                mid, eng, copies = units[i][0], units[i][2], units[i][3]
                picked.append((mid, eng, copies, None))
        terms = group_terms([texts[i] for i in members], exclude=exclude)
        groups.append(WishGroup(terms=as_written(terms, [units[i][4] for i in members]),
                                count=len(members), engagement=sum(units[i][2] or 0 for i in members),
                                quotes=quotes(picked)))
    groups.sort(key=lambda g: (-g.count, -g.engagement))
    return groups


class _QuoteMaker:
    """Turns (mention id, engagement, copies, sentiment) rows into quotes with text and permalink."""

    def __init__(self, data: DigestData, window: Window):
        self.data, self.tz = data, window.tz

    def __call__(self, rows: list[tuple]) -> list[Quote]:
        texts = self.data.texts(r[0] for r in rows)
        out = []
        for mid, eng, copies, sentiment in rows:
            m = texts.get(mid)
            if m is None:
                continue
            text = re.sub(r"\s+", " ", m["display_text"] or m["raw_text"] or "").strip()
            if len(text) > QUOTE_CHARS:
                text = text[:QUOTE_CHARS - 1].rstrip() + "…"
            out.append(Quote(mention_id=mid, text=text, permalink=safe_link(m["permalink"]), source=m["source"],
                             channel=m["channel"],
                             published_at=fa.local_time(m["published_at"], self.tz).isoformat(timespec="minutes"),
                             engagement=int(eng or 0), copies=int(copies or 1), sentiment=sentiment))
        return out


def safe_link(url: str | None) -> str | None:
    """Only http(s) links are kept: a javascript: or data: URL from a page never becomes a link."""
    if not url or not re.match(r"^https?://[^\s\"'<>]+$", url.strip(), re.IGNORECASE):
        return None
    return url.strip()
