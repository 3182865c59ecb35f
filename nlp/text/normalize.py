"""Two normalized forms of a mention, each a fixed sequence of small named steps.

* display  -- what the person wrote, cleaned: Arabic letter forms made
  Persian, kashida and invisible marks removed, whitespace and half-spaces
  tidied, phone and card numbers masked. Wording, emoji, digits, stretched
  letters and URLs stay as written.
* analysis -- one canonical string for models, brand matching, dedup hashing
  and search: additionally lower-cased, diacritics removed, ASCII digits,
  Finglish words in Persian script, URLs and @handles kept untouched, hashtags
  unwrapped into words, half-spaces removed with the «می/نمی» prefix and «ها/تر»
  suffixes joined (so «نمی‌خرم», «نمیخرم» and «نمي خرم» are one token),
  stretched letters shortened, repeated punctuation collapsed.

Like hazm's Normalizer, every step is a function you can switch off by name;
`TextNormalizer(analysis_steps={"transliterate_finglish": False})`.
Both forms are idempotent: normalizing a normalized text changes nothing.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable, Iterable

from shenava.nlp.text.entities import CARD_MASK, HASHTAG, PHONE_MASK, TEXT, Masked, mask_numbers, split_entities
from shenava.nlp.text.lexicon import hazm_char_table, persian_words, translator

ZWNJ = "\u200c"
PERSIAN_LETTERS = "آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیئء"

# Arabic letters people type on Arabic keyboards, beyond hazm's table. Only the
# analysis form folds them: in the display an Arabic post stays Arabic.
_ANALYSIS_CHARS = translator(str.maketrans({"ة": "ه", "ۀ": "ه", "أ": "ا", "إ": "ا", "ٱ": "ا", "ؤ": "و"}))
_DIGITS = translator(str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789"))
# Zero-width and direction marks that only break tokens and matching. ZWNJ is
# kept (it is Persian orthography); ZWJ only where it glues emoji together,
# not next to a letter.
_INVISIBLE = re.compile(
    "[\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad\u061c]"
)
_LOOSE_ZWJ = re.compile("\u200d+(?=[^\\W\\d_])|(?<=[^\\W\\d_])\u200d+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_KASHIDA = "\u0640"
_DIACRITICS = re.compile("[\u064b-\u065f\u0670\u0610-\u061a\u06d6-\u06ed]")


# -- character steps (both forms) ------------------------------------------------
def unify_characters(text: str) -> str:
    """Arabic ي/ك/ى/ە and presentation forms -> Persian letters (hazm's table)."""
    return _hazm_translator()(text)


@lru_cache(maxsize=1)
def _hazm_translator() -> Callable[[str], str]:
    return translator(hazm_char_table())


_ANY_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u200d-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u00ad\u061c]")


def remove_invisibles(text: str) -> str:
    if _ANY_INVISIBLE.search(text) is None:
        return text
    # A control character stood between two things; a space keeps them apart.
    text = _LOOSE_ZWJ.sub("", _INVISIBLE.sub("", text)).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub(" ", text)


def remove_kashida(text: str) -> str:
    return text.replace(_KASHIDA, "")


_ODD_SPACE = re.compile(r"[^\S\n]{2,}|[^\S \n]")  # runs, tabs, NBSP, thin spaces
_LOOSE_ZWNJ = re.compile(r"\u200c+(?=[\s\W]|$)|(?<=[\s\W])\u200c+|^\u200c+")


def tidy_display_spacing(text: str) -> str:
    # Half-spaces first: dropping one between two spaces («a ‌ b») leaves a run of spaces
    # that the space rules below must still see.
    if ZWNJ in text:
        # Several half-spaces are one; next to a space, a line end or a
        # non-letter a half-space joins nothing.
        text = _LOOSE_ZWNJ.sub("", re.sub(r"\u200c{2,}", ZWNJ, text))
        if "\u200d" in text:
            # Dropping a half-space can leave a ZWJ beside a letter (A‌‍ -> A‍): drop it too,
            # so a second pass finds nothing left to change.
            text = _LOOSE_ZWJ.sub("", text)
    text = _ODD_SPACE.sub(" ", text)
    if "\n" in text:
        text = re.sub(r"\n{3,}", "\n\n", re.sub(r" ?\n ?", "\n", text))
    return text.strip()


# -- analysis-only steps ---------------------------------------------------------
def lowercase(text: str) -> str:
    return text.lower()


def unify_arabic_letters(text: str) -> str:
    return _ANALYSIS_CHARS(text)


def remove_diacritics(text: str) -> str:
    return _DIACRITICS.sub("", text)


def ascii_digits(text: str) -> str:
    return _DIGITS(text)


def drop_half_spaces(text: str) -> str:
    """Canonical spelling has no ZWNJ: «می‌خرم» and «میخرم» become one token.
    ZWJ goes too (an emoji family becomes its members, which models read alike)."""
    return text.replace(ZWNJ, "").replace("\u200d", "")


def collapse_whitespace(text: str) -> str:
    return " ".join(text.split())


_MI_PREFIX = re.compile(rf"(?<![^\s(«\"])(ن?می) (?=[{PERSIAN_LETTERS}])")
_SUFFIX = re.compile(rf"(?<=[{PERSIAN_LETTERS}]) (هایی|های|ها|ترین|تر)(?!\w)")


def join_affixes(text: str) -> str:
    """«نمی خرم» -> «نمیخرم», «گوشی ها» -> «گوشیها» (matches the ZWNJ-free canon)."""
    if "می " in text:
        text = _MI_PREFIX.sub(r"\1", text)
    if " ها" in text or " تر" in text:
        text = _SUFFIX.sub(r"\1", text)
    return text


_TRIPLE = re.compile(r"(.)\1\1")  # cheap; the Persian-letter check is per word
_PERSIAN_WORD = re.compile(rf"[{PERSIAN_LETTERS}]+")
_LATIN_RUN = re.compile(r"([a-z])\1{2,}")


def shorten_stretched_letters(text: str) -> str:
    """«خیییییلی» -> «خیلی»; a letter run of 3+ becomes 1 if that is a word, else 2."""
    if _TRIPLE.search(text) is None:
        return text
    text = _PERSIAN_WORD.sub(lambda m: _shorten_word(m.group()) if _TRIPLE.search(m.group()) else m.group(), text)
    return _LATIN_RUN.sub(r"\1\1", text)


@lru_cache(maxsize=4096)
def _shorten_word(word: str) -> str:
    once = re.sub(r"(.)\1{2,}", r"\1", word)
    twice = re.sub(r"(.)\1{2,}", r"\1\1", word)
    words = persian_words()
    return once if once in words or twice not in words else twice


# "." and ":" are left alone: «x..com» or «http ://» must not turn into a URL
# on a second pass.
_REPEATED_MARK = re.compile(r"([!?؟,،;؛…*~=+])\1+")
_SPACE_BEFORE_MARK = re.compile(r" (?=[!?؟,،;؛…)\]»])")


def collapse_punctuation(text: str) -> str:
    text = text.replace("...", "…")
    # Spaces go first: dropping the one in «… …» makes a new run of marks to collapse.
    text = _SPACE_BEFORE_MARK.sub("", text)
    return _REPEATED_MARK.sub(r"\1", text)


__all__ = ["CARD_MASK", "PHONE_MASK", "TextNormalizer", "normalize_analysis", "normalize_display"]

Step = Callable[[str], str]
DISPLAY_STEPS: tuple[Step, ...] = (unify_characters, remove_invisibles, remove_kashida)
# Order matters for idempotence: spacing is settled before stretched letters
# are shortened, because joining «هه ها» creates a new run of «ه».
ANALYSIS_STEPS: tuple[Step, ...] = (
    lowercase, unify_characters, unify_arabic_letters, remove_invisibles, remove_kashida,
    remove_diacritics, ascii_digits,
)
ANALYSIS_CANON_STEPS: tuple[Step, ...] = (
    drop_half_spaces, collapse_whitespace, join_affixes, shorten_stretched_letters, collapse_punctuation,
)


def _enabled(steps: Iterable[Step], switches: dict[str, bool] | None) -> tuple[Step, ...]:
    switches = switches or {}
    unknown = set(switches) - {s.__name__ for s in (*DISPLAY_STEPS, *ANALYSIS_STEPS, *ANALYSIS_CANON_STEPS)} - {
        "mask_numbers", "transliterate_finglish", "tidy_display_spacing"}
    if unknown:
        raise ValueError(f"unknown normalizer step(s): {', '.join(sorted(unknown))}")
    return tuple(s for s in steps if switches.get(s.__name__, True))


class TextNormalizer:
    """Builds the display and analysis forms; steps can be switched off by name."""

    def __init__(self, display_steps: dict[str, bool] | None = None,
                 analysis_steps: dict[str, bool] | None = None):
        self.display_steps = _enabled(DISPLAY_STEPS, display_steps)
        self.analysis_steps = _enabled(ANALYSIS_STEPS, analysis_steps)
        self.canon_steps = _enabled(ANALYSIS_CANON_STEPS, analysis_steps)
        self.mask_display = (display_steps or {}).get("mask_numbers", True)
        self.tidy_display = (display_steps or {}).get("tidy_display_spacing", True)
        self.mask_analysis = (analysis_steps or {}).get("mask_numbers", True)
        self.transliterate = (analysis_steps or {}).get("transliterate_finglish", True)

    def display(self, text: str, segments: list[tuple[str, str]] | None = None) -> Masked:
        segments = split_entities(text) if segments is None else segments
        out: list[str] = []
        phones = cards = 0
        for kind, piece in segments:
            if kind == TEXT:
                for step in self.display_steps:
                    piece = step(piece)
                if self.mask_display:
                    masked = mask_numbers(piece)
                    piece, phones, cards = masked.text, phones + masked.phones, cards + masked.cards
            out.append(piece)
        joined = "".join(out)
        return Masked(tidy_display_spacing(joined) if self.tidy_display else joined, phones, cards)

    def analysis(self, text: str) -> str:
        # Character steps run before URLs are cut out, so a second pass sees
        # the same URLs as the first (a zero-width space inside «www.x.com»).
        for step in self.analysis_steps:
            text = step(text)
        # A hashtag glued to the one before («#a#b») is only seen once the first is opened
        # up, so the entity pass repeats while it still finds hashtags (twice, as a rule).
        for _ in range(8):
            out: list[str] = []
            opened = False
            for kind, piece in split_entities(text):
                if kind == HASHTAG:
                    piece, opened = " " + piece[1:].replace("_", " ") + " ", True
                elif kind != TEXT:
                    out.append(piece)  # URLs and @handles stay as they are (search and dedup use them)
                    continue
                out.append(mask_numbers(piece).text if self.mask_analysis else piece)
            text = "".join(out)
            if not opened:
                break
        if self.transliterate and _has_latin(text):
            from shenava.nlp.text.finglish import transliterate_mixed
            from shenava.nlp.text.language import detect_language

            # The language is read from the form the canon steps leave, so a second pass (which
            # starts from that form) decides the same: «؀ ؟a0aa» read as Persian, «؀؟a0aa» not.
            view = text
            for step in self.canon_steps:
                view = step(view)
            text = transliterate_mixed(text, detect_language(view))
        for step in self.canon_steps:
            text = step(text)
        return text


_LATIN = re.compile(r"[a-z]")


def _has_latin(text: str) -> bool:
    return _LATIN.search(text) is not None


_default: TextNormalizer | None = None


def default_normalizer() -> TextNormalizer:
    global _default
    if _default is None:
        _default = TextNormalizer()
    return _default


def normalize_display(text: str) -> str:
    return default_normalizer().display(text).text


def normalize_analysis(text: str) -> str:
    """The canonical form used for models, matching, hashing and search queries."""
    return default_normalizer().analysis(text)
