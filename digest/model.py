"""The digest as plain data: every figure a renderer shows, JSON-serializable.

Dates are ISO strings (Gregorian) and times ISO strings in the digest's time
zone; the renderers add the Jalali form. Counts are ints, rates are
percentages (0-100) as floats, None where a rate has no denominator.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from shenava.errors import ShenavaError


class DigestError(ShenavaError):
    """A digest cannot be built: bad period, date or brand, or a store without the needed tables."""


@dataclass
class Quote:
    mention_id: int
    text: str
    permalink: str | None
    source: str
    channel: str | None
    published_at: str  # ISO, in the digest's time zone
    engagement: int  # reactions + replies + forwards, summed over the duplicate cluster
    copies: int  # mentions in its duplicate cluster within the period
    sentiment: str | None = None


@dataclass
class Figure:
    key: str
    label: str
    value: float | None
    previous: float | None
    change: float | None  # value - previous (points for rates)
    change_pct: float | None  # relative change, for counts
    unit: str  # "count" or "pct" (a percentage) or "score" (-100..100)
    better: str | None  # "up", "down" or None when neither direction is good news
    numerator: int | None = None
    denominator: int | None = None


@dataclass
class DayPoint:
    date: str
    volume: int
    analysed: int
    positive: int
    negative: int
    net: float | None
    negative_share: float | None


@dataclass
class EntitySeries:
    name: str
    is_brand: bool
    points: list[DayPoint]


@dataclass
class VoiceShare:
    name: str
    is_brand: bool
    own: int  # mentions (clusters) whose brand is this name
    via_comparisons: int  # brand mentions that compare us with it
    volume: int
    share: float | None


@dataclass
class ComparisonRow:
    competitor: str
    better: int
    worse: int
    equal: int
    names: list[str]  # the spellings found in the mentions
    better_quotes: list[Quote] = field(default_factory=list)
    worse_quotes: list[Quote] = field(default_factory=list)


@dataclass
class ComplaintRow:
    category: str
    label: str
    count: int
    previous: int
    change: int
    share: float | None  # of the period's complaints
    quotes: list[Quote] = field(default_factory=list)


@dataclass
class WishGroup:
    terms: list[str]
    count: int
    engagement: int
    quotes: list[Quote] = field(default_factory=list)


@dataclass
class ClusterNote:
    size: int
    quote: Quote


@dataclass
class Spike:
    date: str
    kind: str  # "volume" or "negative_share"
    value: float
    mean: float
    std: float
    threshold: float
    count: int  # mentions (clusters) that day, or negative ones for a negative spike
    top_terms: list[str] = field(default_factory=list)
    clusters: list[ClusterNote] = field(default_factory=list)
    posts: list[Quote] = field(default_factory=list)


@dataclass
class SourceRow:
    source: str
    channel: str | None
    mentions: int
    clusters: int
    engagement: int
    views: int


@dataclass
class Digest:
    brand: str
    slug: str
    period: str
    date: str  # last day of the period
    start: str  # local ISO start, inclusive
    end: str  # local ISO end, exclusive
    previous_start: str
    timezone: str
    generated_at: str
    model_version: str | None
    competitors: list[str]
    headline: list[Figure]
    totals: dict[str, int]
    series: list[EntitySeries]
    share_of_voice: list[VoiceShare]
    comparisons: list[ComparisonRow]
    complaints: list[ComplaintRow]
    wishlist: list[WishGroup]
    spikes: list[Spike]
    sources: list[SourceRow]
    changes: list[str]  # "what changed", one Persian sentence each
    rules: list[str]  # how each figure is defined, in Persian

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def figure(self, key: str) -> Figure:
        for f in self.headline:
            if f.key == key:
                return f
        raise KeyError(key)

    @property
    def key(self) -> str:
        """Stable per brand and period: the Prefect artifact key and the file name stem."""
        return f"digest-{self.slug}-{self.period}"

    @property
    def file_stem(self) -> str:
        return f"{self.slug}-{self.period}-{self.date}"
