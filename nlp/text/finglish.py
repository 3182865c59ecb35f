"""Finglish (Persian written in Latin letters) -> Persian script.

A word is looked up in a hand-written lexicon of frequent Finglish words
(by its spelling skeleton, so «khoob», «khub» and «khoooob» are one entry);
otherwise it is spelled by rule, trying the readings Finglish leaves open
(short vowels written or not, س/ص/ث, ز/ذ/ض/ظ, ت/ط, ه/ح, ق/غ) and the verb
prefixes and suffixes Persian glues on, and the reading found in hazm's
lexicon wins. The output is spelled like the analysis text (no half-space).
"""
from __future__ import annotations

import itertools
import math
import re
from functools import cache, lru_cache

from shenava.nlp.text.finglish_lexicon import AMBIGUOUS_WITH_ENGLISH, ENGLISH_WORDS, FINGLISH_WORDS
from shenava.nlp.text.lexicon import persian_words

LATIN_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?", re.IGNORECASE)


@lru_cache(maxsize=65536)  # language id asks it of every Latin word, most of them again and again
def skeleton(word: str) -> str:
    """Fold the spelling variants of one Finglish word onto one key."""
    w = word.lower().replace("'", "")
    w = re.sub(r"(.)\1{2,}", r"\1\1", w)
    w = w.replace("q", "gh").replace("w", "v").replace("ou", "u").replace("oo", "u").replace("ee", "i")
    w = w.replace("ey", "ei")
    w = re.sub(r"([^aeiou])\1", r"\1", w)  # Persian does not write doubled consonants
    w = re.sub(r"eh$", "e", w)
    return w


@cache
def finglish_lexicon() -> dict[str, str]:
    lexicon: dict[str, str] = {}
    for line in FINGLISH_WORDS.splitlines():
        spellings, _, persian = line.strip().partition(" ")
        for spelling in spellings.split("|"):
            lexicon.setdefault(skeleton(spelling), persian.strip())
    return lexicon


def in_lexicon(word: str) -> bool:
    return skeleton(word) in finglish_lexicon()


# -- spelling by rule ------------------------------------------------------------
_GRAPHEMES = re.compile(r"kh|gh|sh|ch|zh|ph|aa|ee|oo|ou|ei|ey|ai|ay|iy|[a-z']")
# The first letter is the usual one; the others cost a penalty, so a rarer
# letter (ص for s) wins only when it makes a known word.
_CONSONANTS = {
    "b": ["ب"], "p": ["پ"], "t": ["ت", "ط"], "j": ["ج"], "ch": ["چ"], "kh": ["خ"], "d": ["د"],
    "r": ["ر"], "z": ["ز", "ذ", "ض", "ظ"], "zh": ["ژ"], "s": ["س", "ص", "ث"], "sh": ["ش"], "f": ["ف"],
    "ph": ["ف"], "gh": ["ق", "غ"], "q": ["ق", "غ"], "k": ["ک"], "c": ["ک"], "g": ["گ"], "l": ["ل"],
    "m": ["م"], "n": ["ن"], "v": ["و"], "w": ["و"], "h": ["ه", "ح"], "y": ["ی"], "x": ["کس"], "'": ["ع", ""],
}
# (initial, medial, final) readings of each vowel. Short a/o are written or not
# about equally often in Finglish, so both readings of them are free.
_VOWELS = {
    "a": ([("ا", 0), ("آ", 1), ("ع", 1.5)], [("ا", 0), ("", 0), ("ع", 1.5)], [("ا", 0), ("ه", 1)]),
    "aa": ([("آ", 0)], [("ا", 0)], [("ا", 0)]),
    "e": ([("ا", 0), ("ع", 1.5)], [("", 0), ("ی", 1), ("ع", 1.5)], [("ه", 0)]),
    "i": ([("ای", 0)], [("ی", 0)], [("ی", 0)]),
    "ee": ([("ای", 0)], [("ی", 0)], [("ی", 0)]),
    "iy": ([("ای", 0)], [("ی", 0)], [("ی", 0)]),
    "o": ([("ا", 0), ("او", 1)], [("", 0), ("و", 0)], [("و", 0)]),
    "u": ([("او", 0)], [("و", 0)], [("و", 0)]),
    "oo": ([("او", 0)], [("و", 0)], [("و", 0)]),
    "ou": ([("او", 0)], [("و", 0)], [("و", 0)]),
    "ei": ([("ای", 0)], [("ی", 0)], [("ی", 0)]),
    "ey": ([("ای", 0)], [("ی", 0)], [("ی", 0)]),
    "ai": ([("ای", 0)], [("ای", 0), ("ی", 1)], [("ای", 0)]),
    "ay": ([("ای", 0)], [("ای", 0), ("ی", 1)], [("ای", 0)]),
}
_VOWEL_KEYS = frozenset(_VOWELS)
_MAX_READINGS = 2048
_UNKNOWN_SCORE = 1.0  # the default reading, when no reading is a known word
_RARE_WORD_SCORE = 2.0  # hazm lists many odd forms with frequency 0


def _readings(word: str) -> list[tuple[str, float]]:
    """(Persian spelling, penalty) for one Latin word; the default reading first."""
    graphemes = _GRAPHEMES.findall(re.sub(r"([^aeiou])\1+", r"\1", word))
    options: list[list[tuple[str, float]]] = []
    for i, g in enumerate(graphemes):
        if g in _VOWELS:
            where = 0 if i == 0 else (2 if i == len(graphemes) - 1 else 1)
            choices = _VOWELS[g][where]
            if where == 1 and graphemes[i - 1] in _VOWEL_KEYS:
                # After another vowel a vowel is a syllable of its own: written.
                choices = [(p, pen + (1 if p == "" else 0)) for p, pen in choices]
            options.append(choices)
        else:
            options.append([(c, 0 if k == 0 else 1.5) for k, c in enumerate(_CONSONANTS.get(g, [""]))])
    while _count(options) > _MAX_READINGS:
        widest = max(range(len(options)), key=lambda k: len(options[k]))
        options[widest] = options[widest][:-1]
    return [("".join(p for p, _ in combo), sum(pen for _, pen in combo))
            for combo in itertools.product(*options)]


def _count(options: list[list]) -> int:
    n = 1
    for o in options:
        n *= len(o)
    return n


def _word_score(persian: str) -> float | None:
    freq = persian_words().get(persian)
    if freq is None:
        return None
    return math.log10(freq) if freq > 1 else _RARE_WORD_SCORE


def _best_known(readings: list[tuple[str, float]]) -> tuple[str, float] | None:
    best: tuple[str, float] | None = None
    for persian, penalty in readings:
        score = _word_score(persian)
        if score is not None and (best is None or score - penalty > best[1]):
            best = (persian, score - penalty)
    return best


_PREFIXES = [("nemi", "نمی"), ("mi", "می"), ("be", "ب"), ("bi", "بی"), ("na", "ن"), ("ne", "ن")]
_SUFFIXES = [
    ("haye", "های"), ("hash", "هاش"), ("ha", "ها"), ("tarin", "ترین"), ("tar", "تر"),
    ("eshoon", "شون"), ("eshun", "شون"), ("etoon", "تون"), ("etun", "تون"), ("emoon", "مون"), ("emun", "مون"),
    ("and", "ند"), ("am", "م"), ("im", "یم"), ("id", "ید"), ("in", "ین"), ("an", "ن"), ("esh", "ش"),
    ("ash", "ش"), ("et", "ت"), ("ro", "رو"), ("e", "ه"), ("i", "ی"), ("o", "و"), ("m", "م"),
]
_LEXICON_SCORE = 7.0  # a stem from the hand-written Finglish lexicon
_AFFIX_COST = 0.75


@lru_cache(maxsize=65536)
def transliterate_word(word: str) -> str:
    """One Latin word -> Persian script (lexicon first, then rules)."""
    word = word.lower()
    lexicon = finglish_lexicon()
    key = skeleton(word)
    if key in lexicon:
        return lexicon[key]
    letters = re.sub(r"(.)\1{2,}", r"\1", word)
    whole = _readings(letters)
    best = (whole[0][0], _UNKNOWN_SCORE - whole[0][1])
    known_whole = _best_known(whole)
    if known_whole is not None and known_whole[1] > best[1]:
        best = known_whole
    for p_latin, p_fa in [("", ""), *_PREFIXES]:
        if not letters.startswith(p_latin):
            continue
        rest = letters[len(p_latin):]
        for s_latin, s_fa in [("", ""), *_SUFFIXES]:
            stem = rest[: len(rest) - len(s_latin)] if s_latin else rest
            if len(stem) < 2 or not rest.endswith(s_latin) or (not p_latin and not s_latin):
                continue
            if skeleton(stem) in lexicon:
                known = (lexicon[skeleton(stem)], _LEXICON_SCORE)
            else:
                known = _best_known(_readings(stem))
            if known is None:
                continue
            score = known[1] - _AFFIX_COST * (bool(p_latin) + bool(s_latin))
            if score > best[1]:
                suffix = "ام" if s_fa == "م" and known[0].endswith(("ه", "ا", "و")) else s_fa
                best = (p_fa + known[0] + suffix, score)
    return best[0]


def transliterate(text: str) -> str:
    """Every Latin word of `text` in Persian script: "kheili bad bood" -> «خیلی بد بود»."""
    return LATIN_WORD.sub(lambda m: transliterate_word(m.group()), text)


def is_english(word: str) -> bool:
    w = word.lower()
    return w in ENGLISH_WORDS and w not in AMBIGUOUS_WITH_ENGLISH


def strongly_finglish(word: str) -> bool:
    """In the Finglish lexicon and not an English word: safe to convert anywhere."""
    return in_lexicon(word) and word.lower() not in ENGLISH_WORDS


def transliterate_mixed(text: str, language: str) -> str:
    """Convert the Finglish words of `text`, leave English words alone.

    In a Finglish post every Latin word but clear English ones is converted
    (ambiguous «bad», «to», «man» read as Persian); elsewhere only words that
    can only be Finglish are. Either way no convertible word is left, so the
    analysis text is stable under a second pass.
    """
    from shenava.nlp.text.language import FINGLISH

    if language == FINGLISH:
        def convert(m: re.Match) -> str:
            w = m.group()
            return transliterate_word(w) if in_lexicon(w) or w.lower() not in ENGLISH_WORDS else w
    else:
        def convert(m: re.Match) -> str:
            w = m.group()
            return transliterate_word(w) if strongly_finglish(w) else w
    return LATIN_WORD.sub(convert, text)
