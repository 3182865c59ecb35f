"""Pull URLs, @mentions and #hashtags out of a text; mask phone and card numbers.

URLs, mentions and hashtags are cut into their own segments first, so no later
text step (digit unification, number masking, Finglish transliteration) can
touch them: a URL always comes out exactly as it went in.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from shenava.nlp.text.lexicon import translator

TEXT, URL, MENTION, HASHTAG = "text", "url", "mention", "hashtag"

_TLDS = "ir|com|net|org|io|co|me|app|shop|info|biz|dev|ai|store|online|site"
# Invisible characters end a URL too: a control, bidi mark or half-space glued to a link is not
# part of it (and would otherwise ride along untouched into the display text).
_NOT_IN_URL = r"\s<>\"'«»\[\]{}|\\^`\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff"
_URL = (
    rf"(?:https?://|www\.(?=[a-z0-9]))[^{_NOT_IN_URL}]+"
    rf"|(?<![@\w.\-])[a-z0-9][a-z0-9\-]*(?:\.[a-z0-9\-]+)*\.(?:{_TLDS})(?![\w\-])(?:/[^{_NOT_IN_URL}]*)?"
)
_MENTION = r"(?<![\w@.])@[a-z0-9_](?:[a-z0-9_.]{0,30}[a-z0-9_])?"
_HASHTAG = r"(?<![\w#&])#[\w\u200c]*[^\W\d_][\w\u200c]*"
_ENTITY = re.compile(rf"(?P<url>{_URL})|(?P<mention>{_MENTION})|(?P<hashtag>{_HASHTAG})", re.IGNORECASE)
# Sentence punctuation written right after a URL belongs to the sentence.
_URL_TAIL = ".,;:!?؟،؛…)'\"»"


# Cheap test first: most comments have no link, handle or tag at all.
_MAYBE_ENTITY = re.compile(rf"[@#]|://|www\.|\.(?:{_TLDS})", re.IGNORECASE)


def split_entities(text: str) -> list[tuple[str, str]]:
    """Cut `text` into (kind, piece) segments; joining the pieces gives `text` back."""
    if not _MAYBE_ENTITY.search(text):
        return [(TEXT, text)] if text else []
    segments: list[tuple[str, str]] = []
    pos = 0
    for m in _ENTITY.finditer(text):
        kind = m.lastgroup or TEXT
        start, end = m.span()
        if kind == URL:
            while end > start and text[end - 1] in _URL_TAIL:
                end -= 1
            if end - start < 4:
                continue
        elif kind == MENTION:
            while text[end - 1] == ".":
                end -= 1
        if start > pos:
            segments.append((TEXT, text[pos:start]))
        segments.append((kind, text[start:end]))
        pos = end
    if pos < len(text):
        segments.append((TEXT, text[pos:]))
    return segments


# Digits of any script, for masking; the match runs on a copy with digits made
# ASCII (a one-to-one swap, so positions carry over to the original).
_D = "0-9"
_SEP = r"[ \-.]?"
_PHONE = re.compile(
    rf"(?<![{_D}])(?:(?:\+|00)98{_SEP}|0)9[{_D}]{{2}}{_SEP}[{_D}]{{3}}{_SEP}[{_D}]{{2}}{_SEP}[{_D}]{{2}}(?![{_D}])"
    rf"|(?<![{_D}])(?:(?:\+|00)98{_SEP}|0)[1-8][{_D}]{_SEP}[{_D}]{{4}}{_SEP}[{_D}]{{4}}(?![{_D}])"
    rf"|(?<![{_D}])\+(?!98)[1-9][{_D}]{{9,13}}(?![{_D}])"
)
_CARD = re.compile(
    rf"(?<![{_D}])[{_D}]{{4}}{_SEP}[{_D}]{{4}}{_SEP}[{_D}]{{4}}{_SEP}[{_D}]{{4}}(?![{_D}])"
    rf"|(?<![\w])IR{_SEP}[{_D}]{{2}}(?:{_SEP}[{_D}]{{2,4}}){{6,11}}(?![{_D}])",
    re.IGNORECASE,
)
# Every masked number has at least 4 digits in a row somewhere.
_DIGIT_RUN = re.compile(r"\d{4}")
_to_ascii_digits = translator(str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789"))
PHONE_MASK = "[شماره تلفن]"
CARD_MASK = "[شماره کارت]"


@dataclass
class Masked:
    text: str
    phones: int = 0
    cards: int = 0


def mask_numbers(text: str) -> Masked:
    """Replace phone and bank card (and Sheba) numbers with a placeholder."""
    if _DIGIT_RUN.search(text) is None:
        return Masked(text)
    ascii_text = _to_ascii_digits(text)
    cards = [m.span() for m in _CARD.finditer(ascii_text)]
    phones = [m.span() for m in _PHONE.finditer(ascii_text) if not any(_overlaps(m.span(), c) for c in cards)]
    if not cards and not phones:
        return Masked(text)
    spans = sorted([(s, e, CARD_MASK) for s, e in cards] + [(s, e, PHONE_MASK) for s, e in phones])
    out, pos = [], 0
    for start, end, mask in spans:
        out.append(text[pos:start])
        out.append(mask)
        pos = end
    out.append(text[pos:])
    return Masked("".join(out), phones=len(phones), cards=len(cards))


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]
