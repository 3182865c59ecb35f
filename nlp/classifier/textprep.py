"""Two views of a mention's text.

- `model_text`: what the models read — shenava.nlp.text.prepare(text).analysis
  when that module exists (canonical analysis text incl. Finglish), else hazm's
  Normalizer.
- `Folded`: a cheap, lossy fold (Arabic ي/ك → ی/ک, half-space and other spaces
  → one space, no diacritics or tatweel, Latin lower-cased, digits → ASCII) that
  keeps, for each folded character, the index of the original character it came
  from, so a cue found in the fold is quoted exactly as the author wrote it.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

_CHAR_MAP = {
    "ي": "ی", "ى": "ی", "ئ": "ی", "ك": "ک", "ة": "ه", "ۀ": "ه", "أ": "ا", "إ": "ا", "ٱ": "ا",
    "ؤ": "و", "\u200c": " ", "\u200d": "", "\u200e": "", "\u200f": "", "\u0640": "",
    "\u00a0": " ", "\t": " ", "\n": " ", "\r": " ", "٬": ",", "،": "،",
}
_CHAR_MAP.update({d: str(i) for i, d in enumerate("۰۱۲۳۴۵۶۷۸۹")})
_CHAR_MAP.update({d: str(i) for i, d in enumerate("٠١٢٣٤٥٦٧٨٩")})
_DIACRITICS = re.compile(r"[\u064b-\u065f\u0670]")


@dataclass(frozen=True)
class Folded:
    original: str
    text: str
    index: tuple[int, ...]  # index[i] = position in `original` of folded char i

    def span(self, start: int, end: int) -> str:
        """The original text behind folded[start:end], as written."""
        if start >= end:
            return ""
        return self.original[self.index[start]:self.index[end - 1] + 1].strip()

    def original_range(self, start: int, end: int) -> tuple[int, int]:
        return self.index[start], self.index[end - 1] + 1


def fold(text: str) -> Folded:
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        mapped = _CHAR_MAP.get(ch, ch)
        if _DIACRITICS.match(mapped):
            continue
        for m in mapped.lower():
            if m == " " and (not out or out[-1] == " "):
                continue
            out.append(m)
            index.append(i)
    while out and out[-1] == " ":
        out.pop()
        index.pop()
    return Folded(text, "".join(out), tuple(index))


@lru_cache(maxsize=1)
def _analysis() -> Callable[[str], str]:
    try:
        from shenava.nlp.text import prepare  # built by another team member
    except ImportError:
        import hazm

        normalizer = hazm.Normalizer()
        return lambda text: normalizer.normalize(unicodedata.normalize("NFC", text))
    return lambda text: prepare(text).analysis


def model_text(text: str) -> str:
    """The canonical analysis text the models are trained and run on."""
    return _analysis()(text or "").strip()


def analysis_backend() -> str:
    try:
        import shenava.nlp.text  # noqa: F401
    except ImportError:
        return "hazm"
    return "prepare"
