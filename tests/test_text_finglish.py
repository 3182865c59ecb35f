"""Finglish to Persian script, measured as word accuracy on sentences the team wrote."""
from __future__ import annotations

from pathlib import Path

from shenava.nlp.text.finglish import transliterate

PAIRS = [line.split("\t") for line in (Path(__file__).parent / "fixtures" / "text" / "finglish.tsv")
         .read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]


def word_accuracy() -> tuple[float, int, list[tuple[str, str, str]]]:
    right = total = 0
    misses = []
    for latin, persian in PAIRS:
        got, want = transliterate(latin).split(), persian.split()
        assert len(got) == len(want), (latin, got, want)
        for g, w, l in zip(got, want, latin.split()):
            total += 1
            right += g == w
            if g != w:
                misses.append((l, g, w))
    return right / total, total, misses


def test_word_accuracy_on_the_team_written_set():
    accuracy, total, misses = word_accuracy()
    print(f"\nFinglish word accuracy: {accuracy:.3f} on {total} words; misses: {misses}")
    assert total >= 200
    assert accuracy >= 0.85


def test_the_examples_from_the_issue():
    assert transliterate("kheili bad bood") == "خیلی بد بود"
    assert transliterate("mamnoon") == "ممنون"


def test_non_latin_text_is_left_alone():
    assert transliterate("خیلی خوب 😍 123") == "خیلی خوب 😍 123"
