"""Persian text preparation: one call turns a raw mention into what every later step reads.

    from shenava.nlp.text import prepare
    p = prepare("خیییلی بد بود، شماره‌م ۰۹۱۲۱۲۳۴۵۶۷ 😡 https://t.me/x/1")
    p.display   # cleaned, numbers masked, as the person wrote it
    p.analysis  # canonical: models, matching, hashing and search read this
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from shenava.nlp.text import normalize as n
from shenava.nlp.text.finglish import transliterate
from shenava.nlp.text.language import FINGLISH, MIXED, detect_language


@dataclass
class Prepared:
    display: str
    analysis: str
    language: str
    urls: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)
    phones: int = 0
    cards: int = 0
    content_hash: str = ""


def content_hash(analysis: str) -> str:
    return hashlib.blake2b(analysis.encode("utf-8", "replace"), digest_size=16).hexdigest()


def prepare(text: str) -> Prepared:
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    segments = n.split_entities(n.remove_controls(text))
    urls = [p for is_entity, p in segments if is_entity and n.URL.fullmatch(p)]
    mentions = [p for is_entity, p in segments if is_entity and n.MENTION.fullmatch(p)]
    hashtags = [p for is_entity, p in segments if is_entity and n.HASHTAG.fullmatch(p)]
    plain = "".join(p for is_entity, p in segments if not is_entity)
    phones = len(n.PHONE.findall(n.CARD.sub(" ", plain)))
    cards = len(n.CARD.findall(plain))

    display_parts, analysis_parts = [], []
    for is_entity, piece in segments:
        if is_entity:
            display_parts.append(piece)
            analysis_parts.append(n.hashtag_words(piece) if piece in hashtags else piece)
        else:
            shown = n.run_steps(piece, n.DISPLAY_STEPS)
            display_parts.append(shown)
            analysis_parts.append(n.run_steps(shown, n.ANALYSIS_STEPS))
    display = n.collapse_spaces("".join(display_parts))
    # Links and handles are Latin whatever the author's language, so they do not vote.
    language = detect_language(" ".join(p for is_entity, p in zip((e for e, _ in segments), display_parts)
                                        if not is_entity))
    analysis = n.collapse_spaces(" ".join(" ".join(analysis_parts).split()))
    if language in (FINGLISH, MIXED):
        analysis = n.run_steps(transliterate(analysis), [n.join_affixes]) if language == FINGLISH else \
            _transliterate_finglish_words(analysis)
    return Prepared(display, analysis, language, urls, mentions, hashtags, phones, cards, content_hash(analysis))


def _transliterate_finglish_words(text: str) -> str:
    """In a mixed text only the Latin words Finglish knows change; English stays English."""
    from shenava.nlp.text.finglish import _fold, lexicon

    table = lexicon()
    return " ".join(table.get(_fold(w), w) if w.isascii() and w.isalpha() else w for w in text.split(" "))


__all__ = ["Prepared", "prepare", "content_hash", "detect_language", "transliterate"]
