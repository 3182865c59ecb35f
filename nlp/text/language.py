"""Which language a mention is written in: Persian, Finglish, Arabic, English,
mixed, or other.

Counts letters by script, then tells the languages that share a script apart
by their small words: Persian from Arabic (both Arabic script; Iranians often
type ي/ك on Arabic keyboards, so those letters alone prove nothing), Finglish
from English (both Latin). A Persian post with a Latin brand name in it is
still Persian; "mixed" needs a real share of words in a second language.
"""
from __future__ import annotations

import re

from shenava.nlp.text.finglish import LATIN_WORD, in_lexicon, is_english
from shenava.nlp.text.lexicon import translator

PERSIAN, FINGLISH, ARABIC, ENGLISH, MIXED, OTHER = "fa", "finglish", "ar", "en", "mixed", "other"
LANGUAGES = (PERSIAN, FINGLISH, ARABIC, ENGLISH, MIXED, OTHER)

_ARABIC_SCRIPT_WORD = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff\u200c]+")
_ARABIC_ONLY_LETTERS = re.compile("[ةىأإؤ\u064b-\u0652]")
# Small words that are common in one language and rare in the other. Spelled
# after folding ي->ی and ك->ک, as written on either keyboard.
_PERSIAN_WORDS = frozenset(
    "از به این که را با است برای های ها هم یک بود شد می نمی خیلی ولی اما تا اگر یا هست نیست کرد کردم "
    "کنید داره دارم ندارم میشه نمیشه چرا چی چه کی رو یه اون این دیگه خوب بد عالی ممنون مرسی سلام "
    "خریدم بودم باشه هستم شده کنم میکنم نمیکنم گوشی سفارش پیک".split()
)
_ARABIC_WORDS = frozenset(
    "في على إلى الى هذا هذه التي الذي الذين ذلك كان كانت ليس لم لن قد هل ماذا لماذا كيف جدا جداً "
    "شكرا شكراً مع عن كل بعد عند انا أنا نحن هو هي لكن ايضا أيضا يا الله والله".split()
)
_FOLD = translator(str.maketrans({"ي": "ی", "ك": "ک", "ى": "ی", "\u200c": ""}))
_ASCII_LETTER = re.compile(r"[a-zA-Z]")
# Letters of neither the Arabic nor the Latin script (Cyrillic, CJK, Hebrew, ...).
_OTHER_LETTER = re.compile(r"[^\W\d_a-zA-Z\u00c0-\u024f\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")


def _persian_letter_count(text: str) -> int:
    return text.count("پ") + text.count("چ") + text.count("ژ") + text.count("گ")
_FINGLISH_CUES = re.compile(r"kh|gh|zh|aa|oo|^mi|^nemi|^na|(?:am|im|id|and|eh|esh)$")


def detect_language(text: str) -> str:
    """One of `LANGUAGES` for a mention (URLs and @handles should be cut out first)."""
    if (_ASCII_LETTER.search(text) is None and _OTHER_LETTER.search(text) is None
            and _ARABIC_ONLY_LETTERS.search(text) is None and _persian_letter_count(text)):
        return PERSIAN  # the common case, decided without counting words
    arabic_script = _ARABIC_SCRIPT_WORD.findall(text)
    latin = LATIN_WORD.findall(text)
    n_ar, n_lat = len(arabic_script), len(latin)
    if n_ar + n_lat == 0:
        return OTHER
    if _OTHER_LETTER.search(text):
        known = sum(map(len, arabic_script)) + sum(map(len, latin))
        if len(_OTHER_LETTER.findall(text)) > 2 * known:  # mostly Cyrillic, CJK, ...
            return OTHER
    script_lang = _arabic_script_language(text, arabic_script) if n_ar else None
    latin_lang = _latin_language(latin) if n_lat else None
    if script_lang and latin_lang:
        minority = min(n_ar, n_lat)
        if minority >= 3 and minority >= 0.3 * (n_ar + n_lat):
            return MIXED
        return script_lang if n_ar >= n_lat else latin_lang
    return script_lang or latin_lang or OTHER


def _arabic_script_language(text: str, words: list[str]) -> str:
    persian = 2 * _persian_letter_count(text)
    arabic = 2 * len(_ARABIC_ONLY_LETTERS.findall(text))
    for w in _FOLD(" ".join(words)).split():
        if w in _PERSIAN_WORDS or w.startswith(("می", "نمی")) and len(w) > 3:
            persian += 1
        elif w in _ARABIC_WORDS or w.startswith("ال") and len(w) > 4:
            arabic += 1
    # This is a Persian product: a tie (a name, a single word) reads as Persian.
    return ARABIC if arabic > persian + 1 else PERSIAN


def _latin_language(words: list[str]) -> str:
    finglish = english = 0.0
    for w in words:
        lw = w.lower()
        if is_english(lw):
            english += 1
        elif in_lexicon(lw):
            finglish += 1
        elif _FINGLISH_CUES.search(lw):
            finglish += 0.5
        elif lw in ("the", "and"):
            english += 1
    if finglish >= 2 and english >= 2 and min(finglish, english) >= 0.3 * (finglish + english):
        return MIXED
    return FINGLISH if finglish > english else ENGLISH
