"""Persian text preparation: one call turns a raw mention into what every
later step needs.

    >>> p = prepare("خیییلی عالی بود مرسي از پشتيباني 😍 https://t.me/shop/12")
    >>> p.display   # what the person wrote, cleaned
    >>> p.analysis  # canonical form for models, matching, hashing and search

`prepare` never raises on any str and costs well under a millisecond.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from shenava.nlp.text.entities import HASHTAG, MENTION, TEXT, URL, split_entities
from shenava.nlp.text.language import detect_language
from shenava.nlp.text.normalize import default_normalizer, normalize_analysis, normalize_display
from shenava.storage.store import text_hash

__all__ = ["Prepared", "prepare", "warm_up", "normalize_analysis", "normalize_display", "detect_language"]


@dataclass
class Prepared:
    display: str
    analysis: str
    language: str
    urls: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)
    phones: int = 0  # how many phone numbers were masked
    cards: int = 0  # how many card / Sheba numbers were masked
    content_hash: str = ""  # of `analysis`: exact-duplicate and classifier-cache key

    def entities(self) -> dict[str, object]:
        """The fields stored as JSON in `mentions.entities`."""
        return {"urls": self.urls, "mentions": self.mentions, "hashtags": self.hashtags,
                "phones": self.phones, "cards": self.cards}


def prepare(text: str) -> Prepared:
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    normalizer = default_normalizer()
    segments = split_entities(text)
    display = normalizer.display(text, segments)
    analysis = normalizer.analysis(text)
    plain = " ".join(piece for kind, piece in segments if kind in (TEXT, HASHTAG))
    return Prepared(
        display=display.text,
        analysis=analysis,
        language=detect_language(plain.replace("#", " ").replace("_", " ")),
        urls=[piece for kind, piece in segments if kind == URL],
        mentions=[piece for kind, piece in segments if kind == MENTION],
        hashtags=[piece for kind, piece in segments if kind == HASHTAG],
        phones=display.phones,
        cards=display.cards,
        content_hash=text_hash(analysis),
    )


def warm_up() -> None:
    """Load hazm and the word lists now (a few seconds) instead of on the first
    mention that needs them; for long-running workers and benchmarks."""
    from shenava.nlp.text.finglish import finglish_lexicon
    from shenava.nlp.text.lexicon import persian_words

    persian_words()
    finglish_lexicon()
    prepare("خیییلی خوب بود kheili khoob bood https://t.me/x/1 @x #y ۰۹۱۲۱۲۳۴۵۶۷")
