"""Days that jump beyond the usual range, and what drove them.

The rule (stated in every digest): a day of the period is a volume spike when
its mentions (clusters counted once) exceed mean + SIGMA·std of the HISTORY
days just before it, are at least MIN_RISE above that mean (so a steady, busy
brand's 1% wobble is not news) and number at least MIN_VOLUME; it is a negative
spike when its share of negative mentions exceeds mean + SIGMA·std of that share
on the history days that had analysed mentions (at least MIN_BASELINE_DAYS of
them), is at least MIN_SHARE_RISE points above the mean, and it has at least
MIN_NEGATIVE negative mentions. std is the population standard deviation; a
day with no mentions counts as 0 in the volume baseline.
"""
from __future__ import annotations

from dataclasses import dataclass
from statistics import fmean, pstdev
from typing import Callable

from shenava.digest.model import ClusterNote, Quote, Spike
from shenava.digest.queries import DigestData
from shenava.digest.terms import as_written, top_terms


@dataclass(frozen=True)
class SpikeRule:
    sigma: float = 2.0
    history: int = 14
    min_volume: int = 10
    min_negative: int = 5
    min_baseline_days: int = 7
    min_rise: float = 0.3  # volume at least 30% above the baseline mean
    min_share_rise: float = 10.0  # negative share at least 10 points above its mean

    def describe(self) -> str:
        from shenava.digest.fa import digits
        s, h = digits(f"{self.sigma:g}"), digits(self.history)
        rise, share_rise = digits(f"{100 * self.min_rise:g}"), digits(f"{self.min_share_rise:g}")
        return (f"جهش: روزی که شمار گفت‌وگوها (هر خوشه‌ی تکراری یک بار) از میانگین + {s}×انحراف معیارِ "
                f"{h} روز پیش از آن بیشتر باشد، دست‌کم {rise}٪ بالاتر از آن میانگین باشد و دست‌کم "
                f"{digits(self.min_volume)} گفت‌وگو داشته باشد؛ یا سهم منفی‌ها از میانگین + {s}×انحراف معیارِ "
                f"همان سهم در روزهای تحلیل‌شده‌ی آن {h} روز (دست‌کم {digits(self.min_baseline_days)} روز) "
                f"بیشتر و دست‌کم {share_rise} واحد درصد بالاتر از میانگین باشد و دست‌کم "
                f"{digits(self.min_negative)} گفت‌وگوی منفی داشته باشد.")


def detect(daily: list[tuple[int, int, int, int]], first: int, rule: SpikeRule) -> list[tuple[int, str, float, float, float, int]]:
    """(day index, kind, value, mean, std, count) for each spike on days `first`.. of `daily`,
    whose rows are (clusters, analysed, positive, negative)."""
    found = []
    for d in range(first, len(daily)):
        history = daily[max(0, d - rule.history):d]
        volume, analysed, _, negative = daily[d]
        if len(history) == rule.history:
            volumes = [h[0] for h in history]
            mean, std = fmean(volumes), pstdev(volumes)
            if (volume > mean + rule.sigma * std and volume >= (1 + rule.min_rise) * mean
                    and volume >= rule.min_volume):
                found.append((d, "volume", float(volume), mean, std, volume))
        shares = [h[3] / h[1] for h in history if h[1]]
        if analysed and len(shares) >= rule.min_baseline_days:
            share = negative / analysed
            mean, std = fmean(shares), pstdev(shares)
            if (share > mean + rule.sigma * std and share >= mean + rule.min_share_rise / 100
                    and negative >= rule.min_negative):
                found.append((d, "negative_share", 100 * share, 100 * mean, 100 * std, negative))
    return found


def explain(data: DigestData, rule: SpikeRule, make_quotes: Callable[[list[tuple]], list[Quote]],
            exclude: frozenset[str], k: int = 3, text_limit: int = 2000) -> list[Spike]:
    """Spikes of the brand in the period, each with its top terms, biggest clusters and most engaged posts."""
    w = data.window
    daily = data.daily()[data.brand.name]
    spikes = []
    for d, kind, value, mean, std, count in detect(daily, w.cur0, rule):
        negative = kind == "negative_share"
        table = data.day_units(d, negative_only=negative)
        try:
            pairs = data.unit_texts(table, text_limit)
            texts, written = [t for t, _ in pairs], [d for _, d in pairs]
            baseline = data.baseline_texts(d, rule.history, negative, text_limit)
            posts = data.q(f"SELECT id, ceng, csize, sentiment FROM {table} "
                           f"ORDER BY ceng DESC, csize DESC, id LIMIT :k", {"k": k})
            clusters = data.q(f"SELECT id, ceng, csize, sentiment FROM {table} WHERE csize > 1 "
                              f"ORDER BY csize DESC, ceng DESC, id LIMIT :k", {"k": k})
        finally:
            data.conn.execute(f"DROP TABLE IF EXISTS temp.{table}")
        cluster_quotes = make_quotes(clusters)
        spikes.append(Spike(
            date=w.days[d].isoformat(), kind=kind, value=round(value, 2), mean=round(mean, 2),
            std=round(std, 2), threshold=round(mean + rule.sigma * std, 2), count=count,
            top_terms=as_written(top_terms(texts, baseline, exclude=exclude), written),
            clusters=[ClusterNote(size=q.copies, quote=q) for q in cluster_quotes],
            posts=make_quotes(posts)))
    return spikes
