"""Find the configured brands and competitors in a mention, tolerant of how people spell them.

Aliases and text are compared in a folded form (ي/ك → ی/ک, digits ASCII,
Latin lower-cased, diacritics and kashida gone) where a space, a half-space or
nothing between two parts of a name are the same; a one-letter slip in a long
name still matches. The span reported is the text as the author wrote it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from shenava.config import Brand

_FOLD = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "أ": "ا", "إ": "ا", "\u0640": "",
                       **{d: str(i) for i, d in enumerate("۰۱۲۳۴۵۶۷۸۹")},
                       **{d: str(i) for i, d in enumerate("٠١٢٣٤٥٦٧٨٩")}})
_DIACRITICS = re.compile(r"[\u064b-\u065f\u0670]")
_SEPARATORS = re.compile(r"[\s\u200c\-_.]+")
# A name may carry Persian suffixes, stacked once joined: تازه‌رس‌ها، سبدچی‌رو، زودبرو، تازه‌رسهاشون,
# and the comparative the analysis form joins on («دیجیکالا تر» -> «دیجیکالاتر»).
_SUFFIX = r"(?:\u200c?(?:ها|های|هایی|رو|را|ی|و|ش|شون|تون|ه|تر|ترین)){0,3}"
_LETTER = r"[^\W\d_]"


@dataclass(frozen=True)
class BrandMatch:
    brand: str  # the configured brand or competitor name
    alias: str  # the alias that matched
    is_competitor: bool
    competitor_of: str | None
    start: int
    end: int
    span: str  # as written in the text


def _fold(text: str) -> str:
    return _DIACRITICS.sub("", text.translate(_FOLD)).lower()


_FOLDED_CHARS: dict[str, str] = {}


def _fold_char(ch: str) -> str:
    # find() folds text a character at a time to keep the way back to the original
    # span; a text has few distinct characters, so each is folded once per process.
    folded = _FOLDED_CHARS.get(ch)
    if folded is None:
        folded = _FOLDED_CHARS[ch] = _fold(ch)
    return folded


def _alias_pattern(alias: str) -> str:
    parts = [p for p in _SEPARATORS.split(_fold(alias)) if p]
    letters = [re.escape(ch) for ch in "".join(parts)]
    # Between any two letters of the name a space, half-space or dash may appear or not.
    body = r"[\s\u200c\-_.]?".join(letters)
    # The analysis form glues «می/نمی» to the next word (میدیجیکالا), so a name may follow them.
    return rf"(?:(?<!{_LETTER})|(?<=می)){body}{_SUFFIX}(?!{_LETTER})"


def _spellings(alias: str) -> list[str]:
    """The alias, and for a Latin alias also the Persian spelling the analysis
    text gives it when a Finglish post is transliterated ("snappfood" ->
    «سناپفود»), so the analysis text still names the brand."""
    from shenava.nlp.text.finglish import LATIN_WORD, transliterate

    if not LATIN_WORD.search(alias):
        return [alias]
    return list(dict.fromkeys([alias, transliterate(alias.lower())]))


class BrandMatcher:
    FUZZY_MIN_LENGTH = 5  # shorter names give too many false hits with one slip allowed

    def __init__(self, brands: Iterable[Brand]):
        self._entries: list[tuple[re.Pattern, str, str, bool, str | None]] = []
        self._fuzzy: list[tuple[str, str, str, bool, str | None]] = []
        # Every one-letter slip of every long alias, keyed so a word finds its aliases by lookups
        # rather than by comparing it with each alias (a symmetric-delete index).
        self._slips: dict[tuple, list[int]] = {}
        self._slip_lengths: set[int] = set()  # a slip changes a name's length by one at most
        for brand in brands:
            self._add(brand.name, brand.all_aliases(), False, None)
            for rival in brand.competitors:
                self._add(rival.name, [rival.name, *rival.aliases], True, brand.name)
        # Longer aliases first so «تازه‌رس مارکت» wins over «تازه‌رس».
        self._entries.sort(key=lambda e: -len(e[1]))

    def _add(self, name: str, aliases: list[str], is_competitor: bool, owner: str | None) -> None:
        for alias in dict.fromkeys(a for a in aliases if a.strip()):
            for spelling in _spellings(alias):
                self._entries.append((re.compile(_alias_pattern(spelling)), alias, name, is_competitor, owner))
            folded = _SEPARATORS.sub("", _fold(alias))
            if len(folded) >= self.FUZZY_MIN_LENGTH and " " not in alias.strip():
                self._fuzzy.append((folded, alias, name, is_competitor, owner))
                self._index_slips(folded, len(self._fuzzy) - 1)

    def _index_slips(self, target: str, idx: int) -> None:
        self._slip_lengths.update((len(target) - 1, len(target), len(target) + 1))
        self._slips.setdefault(("added", target), []).append(idx)
        for i in range(len(target)):
            rest = target[:i] + target[i + 1:]
            self._slips.setdefault(("dropped", rest), []).append(idx)
            self._slips.setdefault(("changed", i, rest), []).append(idx)

    def _first_slip(self, word: str) -> int | None:
        """Index of the first fuzzy alias `word` is one letter away from (one added, dropped or changed)."""
        if len(word) not in self._slip_lengths:
            return None
        hits = set(self._slips.get(("dropped", word), ()))
        for i in range(len(word)):
            rest = word[:i] + word[i + 1:]
            hits.update(self._slips.get(("added", rest), ()))
            hits.update(self._slips.get(("changed", i, rest), ()))
        hits = [h for h in hits if self._fuzzy[h][0] != word]
        return min(hits) if hits else None

    def find(self, text: str) -> list[BrandMatch]:
        # Fold character by character, remembering where each folded character came from.
        pieces, index = [], []
        for i, ch in enumerate(text):
            f = _fold_char(ch)
            pieces.append(f)
            index.extend([i] * len(f))
        folded = "".join(pieces)
        matches: list[BrandMatch] = []
        taken: list[tuple[int, int]] = []
        for pattern, alias, name, is_competitor, owner in self._entries:
            for m in pattern.finditer(folded):
                if any(s < m.end() and m.start() < e for s, e in taken):
                    continue
                start, end = index[m.start()], index[m.end() - 1] + 1
                taken.append((m.start(), m.end()))
                matches.append(BrandMatch(name, alias, is_competitor, owner, start, end, text[start:end]))
        if self._fuzzy:
            words = [(m.start(), m.end()) for m in re.finditer(rf"{_LETTER}+", folded)]
            # One word, or two written with a space or half-space between them (تازه‌رص).
            windows = [(a, b) for a, b in words] + [
                (a[0], b[1]) for a, b in zip(words, words[1:]) if _SEPARATORS.fullmatch(folded[a[1]:b[0]])]
            for a, b in windows:
                if any(s < b and a < e for s, e in taken):
                    continue
                hit = self._first_slip(_SEPARATORS.sub("", folded[a:b]))
                if hit is not None:
                    _, alias, name, is_competitor, owner = self._fuzzy[hit]
                    start, end = index[a], index[b - 1] + 1
                    taken.append((a, b))
                    matches.append(BrandMatch(name, alias, is_competitor, owner, start, end, text[start:end]))
        return sorted(matches, key=lambda b: b.start)
