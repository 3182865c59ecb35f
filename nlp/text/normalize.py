"""Two forms of a mention's text, built by small named steps in a fixed order.

- display: what the person wrote, cleaned (controls, bidi marks and kashida
  gone, Arabic ي/ك made Persian, spaces collapsed, phone and card numbers masked).
- analysis: one canonical form for models, matching, hashing and search (hazm's
  normalizer, ASCII digits, no diacritics, stretched letters shortened,
  half-spaces and the می/نمی prefix joined to their word, Latin lower-cased,
  Finglish written in Persian letters).

URLs, @mentions and #hashtags are pulled out first and never rewritten, so no
step can damage them; emoji pass through untouched.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Callable

PHONE_MASK = "[شماره تلفن]"
CARD_MASK = "[شماره کارت]"

_D = "[0-9۰-۹٠-٩]"
_SEP = r"[\s\-.]?"
CARD = re.compile(rf"(?<!{_D}){_D}{{4}}{_SEP}{_D}{{4}}{_SEP}{_D}{{4}}{_SEP}{_D}{{4}}(?!{_D})")
PHONE = re.compile(
    rf"(?<!{_D})(?:(?:\+|00)?(?:98|۹۸){_SEP}?|[0۰٠])?[9۹٩]{_D}{{2}}{_SEP}?{_D}{{3}}{_SEP}?{_D}{{4}}(?!{_D})"  # mobile
    rf"|(?<!{_D})[0۰٠]{_D}{{2,3}}{_SEP}{_D}{{7,8}}(?!{_D})"  # landline with area code
)
URL = re.compile(r"(?:https?://|www\.)[^\s<>\"«»]+|(?<![\w@])t\.me/[^\s<>\"«»]+", re.IGNORECASE)
MENTION = re.compile(r"(?<![\w@.])@[A-Za-z][A-Za-z0-9_]{2,31}")
HASHTAG = re.compile(r"(?<![\w#])#[\w\u200c]+")
_TRAILING = ".,!?؛،)»]}'\"…"

_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_NEWLINES = re.compile(r"\n{3,}")
_DISPLAY_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "\u0640": ""})
_ANALYSIS_LETTERS = str.maketrans({
    "ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "ۀ": "ه", "أ": "ا", "إ": "ا", "ٱ": "ا", "ؤ": "و",
    "\u0654": "", "\u0640": "", "\u200d": "",
    **{d: str(i) for i, d in enumerate("۰۱۲۳۴۵۶۷۸۹")}, **{d: str(i) for i, d in enumerate("٠١٢٣٤٥٦٧٨٩")},
})
_DIACRITICS = re.compile(r"[\u064b-\u065f\u0670\u06d6-\u06ed]")
_STRETCH = re.compile(r"([^\d\W])\1{2,}")  # خیییلی -> خیلی; keeps legitimate doubles
_MI = re.compile(r"(?<![^\s])(ن?می)[\s\u200c]+(?=[آ-ی])")
_ZWNJ = re.compile(r"\u200c+")
_PUNCT_RUN = re.compile(r"([!?؟.])\1+")


def _entities(text: str) -> list[tuple[int, int, str]]:
    """Spans of URLs, @mentions and #hashtags, left to right, not overlapping."""
    spans = []
    for pattern in (URL, MENTION, HASHTAG):
        for m in pattern.finditer(text):
            start, end = m.span()
            while end > start and text[end - 1] in _TRAILING:
                end -= 1
            if not any(s < end and start < e for s, e, _ in spans):
                spans.append((start, end, text[start:end]))
    return sorted(spans)


def split_entities(text: str) -> list[tuple[bool, str]]:
    """The text as (is_entity, piece) segments, so steps only touch the plain pieces."""
    out, pos = [], 0
    for start, end, piece in _entities(text):
        if start > pos:
            out.append((False, text[pos:start]))
        out.append((True, piece))
        pos = end
    if pos < len(text):
        out.append((False, text[pos:]))
    return out


# -- display steps -----------------------------------------------------------------
def remove_controls(text: str) -> str:
    text = _SURROGATE.sub("\ufffd", text)
    return _CONTROLS.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))


def persian_letters(text: str) -> str:
    return text.translate(_DISPLAY_LETTERS)


def mask_numbers(text: str) -> str:
    return PHONE.sub(PHONE_MASK, CARD.sub(CARD_MASK, text))


def collapse_spaces(text: str) -> str:
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _NEWLINES.sub("\n\n", "\n".join(lines)).strip()


DISPLAY_STEPS: list[Callable[[str], str]] = [remove_controls, persian_letters, mask_numbers]


# -- analysis steps ------------------------------------------------------------------
@lru_cache(maxsize=1)
def _hazm():
    import hazm.normalizer
    from hazm import Normalizer

    # hazm 0.10 rebuilds the same translation table on every call (a quarter of its
    # time); the table depends only on two constant strings, so it is built once.
    hazm.normalizer.maketrans = lru_cache(maxsize=16)(hazm.normalizer.maketrans)

    # Digits and spacing are handled by our own steps; hazm's persian_numbers would
    # turn ASCII digits Persian and its affix spacing is what joins «می» and «ها».
    return Normalizer(persian_numbers=False, remove_diacritics=True, decrease_repeated_chars=True,
                      correct_spacing=True, seperate_mi=True, persian_style=False)


def hazm_normalize(text: str) -> str:
    return _hazm().normalize(text) if text.strip() else text


def fold_letters(text: str) -> str:
    return _DIACRITICS.sub("", unicodedata.normalize("NFC", text).translate(_ANALYSIS_LETTERS))


def shorten_stretched(text: str) -> str:
    return _PUNCT_RUN.sub(r"\1", _STRETCH.sub(r"\1", text))


def join_affixes(text: str) -> str:
    """«نمی‌خرم», «نمیخرم», «نمي خرم» all become «نمیخرم»; «کتاب‌ها» becomes «کتابها»."""
    return _ZWNJ.sub("", _MI.sub(r"\1", text))


def lower_latin(text: str) -> str:
    return text.lower()


ANALYSIS_STEPS: list[Callable[[str], str]] = [fold_letters, shorten_stretched, hazm_normalize,
                                               fold_letters, join_affixes, lower_latin]


def run_steps(text: str, steps: list[Callable[[str], str]]) -> str:
    for step in steps:
        text = step(text)
    return text


def hashtag_words(tag: str) -> str:
    """#تخفیف_ویژه -> «تخفیف ویژه»: the words of a hashtag, for models and search."""
    return tag.lstrip("#").replace("_", " ")
