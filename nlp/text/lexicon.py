"""hazm's tables and word lists, loaded once and on first use.

Importing hazm takes seconds (it pulls in scikit-learn and nltk), so nothing
here runs at import time: `from shenava.nlp.text import prepare` stays cheap
and the first `prepare()` call pays once.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def hazm_normalizer():
    """hazm's Normalizer with only its table-driven steps (no tokenizer load)."""
    from hazm import Normalizer

    return Normalizer(correct_spacing=False, decrease_repeated_chars=False, seperate_mi=False,
                      persian_numbers=False, persian_style=False)


@cache
def hazm_char_table() -> dict[int, str]:
    """hazm's map from Arabic letters and presentation forms to Persian letters.

    hazm rebuilds this table on every `normalize()` call; building it once is
    most of the speed difference for short comments.
    """
    n = hazm_normalizer()
    table = str.maketrans(n.translation_src, n.translation_dst)
    # hazm also turns curly quotes into '"'; a display text keeps them.
    for quote in "“”":
        table.pop(ord(quote), None)
    return table


def _hazm_data(name: str) -> Path:
    import hazm.utils

    return Path(hazm.utils.__file__).parent / "data" / name


@cache
def persian_words() -> dict[str, int]:
    """hazm's Persian lexicon (word -> corpus frequency), spelled without ZWNJ
    like the analysis text."""
    words: dict[str, int] = {}
    with _hazm_data("words.dat").open(encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 3:
                word = parts[0].replace("\u200c", "")
                words[word] = max(words.get(word, 0), int(parts[1]))
    with _hazm_data("verbs.dat").open(encoding="utf-8") as f:
        for line in f:
            past, _, present = line.strip().partition("#")
            for stem in (past, present):
                if stem:
                    words.setdefault(stem, 1)
    return words


@cache
def informal_words() -> dict[str, str]:
    """hazm's colloquial -> formal word map («خونه» -> «خانه», «یه» -> «یک»)."""
    mapping: dict[str, str] = {}
    with _hazm_data("iwords.dat").open(encoding="utf-8") as f:
        for line in f:
            informal, _, formal = line.strip().partition(" ")
            if informal and formal:
                mapping[informal.replace("\u200c", "")] = formal.replace("\u200c", "")
    return mapping


def translator(table: dict[int, str]):
    """`str.translate(table)` that first checks, with one regex scan, whether any
    character needs changing; most comments need none, and translate with a
    large table costs about as much per character as a dict lookup."""
    import re

    if not table:
        return lambda text: text
    chars = "".join(chr(c) for c in table)
    needed = re.compile("[" + re.escape(chars) + "]")

    def translate(text: str) -> str:
        return text.translate(table) if needed.search(text) else text

    return translate
