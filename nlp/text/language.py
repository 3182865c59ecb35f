"""Which language a mention is written in: fa, finglish, ar, en, other, or mixed.

Counts letters by script, then tells Persian from Arabic by the letters and
function words only one of them uses, and Finglish from English by which
lexicon the Latin words hit.
"""
from __future__ import annotations

import re

from shenava.nlp.text.finglish import _fold, lexicon

PERSIAN = "fa"
FINGLISH = "finglish"
ARABIC = "ar"
ENGLISH = "en"
OTHER = "other"
MIXED = "mixed"

_ARABIC_SCRIPT = re.compile(r"[\u0621-\u064a\u0671-\u06d3\u06fa-\u06ff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_ARABIC_SCRIPT_WORD = re.compile(r"[\u0621-\u064a\u0671-\u06d3\u06fa-\u06ff\u200c]{2,}")
_PERSIAN_ONLY_LETTERS = set("پچژگی")
_ARABIC_ONLY_LETTERS = set("ةيىك")
_PERSIAN_WORDS = {"است", "می", "را", "که", "این", "خیلی", "بود", "هست", "نیست", "رو", "برای", "اما", "ولی",
                  "خوب", "بد", "من", "ما", "شما", "از", "با", "هم", "دیگه", "چرا", "نه", "یه", "کردم", "شده"}
_ARABIC_WORDS = {"في", "على", "هذا", "هذه", "التي", "الذي", "إلى", "الى", "كان", "ليس", "جدا", "لا", "نعم",
                 "شكرا", "مع", "عن", "هو", "هي", "انا", "أنا", "كل", "لم", "لن", "قد", "ما", "هل", "جيد"}
_ENGLISH_WORDS = {"the", "is", "are", "was", "and", "to", "of", "it", "this", "that", "for", "with", "not",
                  "very", "good", "bad", "my", "i", "you", "but", "in", "on", "so", "have", "has", "be",
                  "great", "thanks", "please", "what", "why", "how", "service", "order", "app", "a", "an"}


def detect_language(text: str) -> str:
    arabic_script = len(_ARABIC_SCRIPT.findall(text))
    latin_words = _LATIN_WORD.findall(text)
    latin = sum(len(w) for w in latin_words)
    if arabic_script + latin < 2:
        return OTHER
    script_words = _ARABIC_SCRIPT_WORD.findall(text)
    if arabic_script and len(latin_words) >= 3 and len(script_words) >= 3 and min(arabic_script, latin) / max(
            arabic_script, latin) >= 0.25:
        return MIXED
    if arabic_script >= latin:
        return _persian_or_arabic(text, script_words)
    return _finglish_or_english(latin_words)


def _persian_or_arabic(text: str, words: list[str]) -> str:
    persian = sum(ch in _PERSIAN_ONLY_LETTERS for ch in text) + 2 * sum(w in _PERSIAN_WORDS for w in words)
    arabic = sum(ch in _ARABIC_ONLY_LETTERS for ch in text) + 2 * sum(w in _ARABIC_WORDS for w in words)
    arabic += 2 * sum(w.startswith("ال") and len(w) > 3 for w in words) // 2
    return ARABIC if arabic > persian else PERSIAN


def _finglish_or_english(words: list[str]) -> str:
    table = lexicon()
    lowered = [w.lower() for w in words]
    english = sum(w in _ENGLISH_WORDS for w in lowered)
    finglish = sum(_fold(w) in table and w not in _ENGLISH_WORDS for w in lowered)
    if finglish == 0 and english == 0:
        # Unknown Latin words: Finglish spells Persian sounds (kh, gh, sh, oo) English rarely uses.
        finglish = sum(bool(re.search(r"kh|gh|zh|oo|ee", w)) for w in lowered)
    return FINGLISH if finglish > english else ENGLISH
