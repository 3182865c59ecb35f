"""Brand matching tolerant of spelling, and duplicate clusters over analysis texts."""
from __future__ import annotations

import pytest

from shenava.config import Brand, Competitor
from shenava.nlp.text import prepare
from shenava.nlp.text.brands import BrandMatcher
from shenava.nlp.text.dedup import Deduplicator

BRANDS = [Brand(name="تازه‌رس", aliases=["tazeres", "taze res", "TazehRes"],
                competitors=[Competitor(name="سبدچی", aliases=["sabadchi"]), Competitor(name="زودبر")])]

MATCHES = [
    # (text, [(brand, span as written)])
    ("از تازه‌رس خریدم", [("تازه‌رس", "تازه‌رس")]),
    ("تازه رس خوبه", [("تازه‌رس", "تازه رس")]),             # space instead of half-space
    ("تازهرس عالیه", [("تازه‌رس", "تازهرس")]),              # no space at all
    ("اين تازه‌رس", [("تازه‌رس", "تازه‌رس")]),
    ("سفارش از تازه‌رس‌ها", [("تازه‌رس", "تازه‌رس‌ها")]),   # with a suffix
    ("TAZERES khube", [("تازه‌رس", "TAZERES")]),             # Finglish, any case
    ("tazehres ham khube", [("تازه‌رس", "tazehres")]),       # one-letter slip of TazehRes
    ("تازه‌رص بد بود", [("تازه‌رس", "تازه‌رص")]),            # common misspelling (س/ص)
    ("سبدچي بهتره", [("سبدچی", "سبدچي")]),                   # Arabic ي
    ("سبد چی و زودبر", [("سبدچی", "سبد چی"), ("زودبر", "زودبر")]),
    ("زودبرو امتحان کردم", [("زودبر", "زودبرو")]),
    ("تازه رسید دستم", []),                                   # «freshly arrived» is not the brand
    ("سبد خریدم پر شد", []),
]


@pytest.mark.parametrize("text, expected", MATCHES)
def test_brand_matching(text, expected):
    found = BrandMatcher(BRANDS).find(text)
    assert [(m.brand, m.span) for m in found] == expected
    for m in found:
        assert text[m.start:m.end] == m.span
        assert m.is_competitor == (m.brand != "تازه‌رس")


def test_competitor_knows_whose_competitor_it_is():
    [m] = BrandMatcher(BRANDS).find("sabadchi arzoontare")
    assert (m.brand, m.is_competitor, m.competitor_of) == ("سبدچی", True, "تازه‌رس")


FORWARD = "سه ساعته دارم سعی میکنم پرداخت کنم، هر بار خطا میده و پولم کسر میشه!!"


def test_forwards_and_copies_fall_into_one_cluster():
    d = Deduplicator()
    texts = [
        FORWARD,
        "سه ساعته دارم سعي ميكنم پرداخت کنم هر بار خطا میده و پولم کسر میشه",   # Arabic letters, no punctuation
        "فوروارد: " + FORWARD + " 😡",                                          # header and emoji added
        "پول برگشت خورد به حسابم، ممنون که پیگیری کردید",
        "عالی", "عالی!",                     # short: fifty people writing «عالی» are fifty opinions
        "پیک خیلی مودب بود و سفارش سریع رسید، ممنون",
        "پيک خيلی مودب بود و سفارش سريع رسيد ممنون!!",                           # exact once folded
        "پیک خیلی بی ادب بود و سفارش دیر رسید، ممنون از هیچی",                    # same frame, other opinion
    ]
    clusters = [d.add(i, prepare(t).analysis) for i, t in enumerate(texts)]
    assert clusters == [0, 0, 0, 3, 4, 5, 6, 6, 8]


def test_clusters_stay_stable_across_runs_when_seeded():
    first = Deduplicator()
    cluster = first.add(10, prepare(FORWARD).analysis)
    second = Deduplicator()
    second.seed(10, prepare(FORWARD).analysis, cluster)
    assert second.add(99, prepare(FORWARD + " 🙄").analysis) == cluster


def _one_slip(word: str, alias: str) -> bool:
    """True when `word` is `alias` with one letter added, dropped or changed."""
    if abs(len(word) - len(alias)) > 1 or word == alias:
        return False
    if len(word) == len(alias):
        return sum(a != b for a, b in zip(word, alias)) == 1
    short, long_ = sorted((word, alias), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def test_slip_index_agrees_with_the_one_slip_rule():
    from hypothesis import given, settings, strategies as st

    matcher = BrandMatcher(BRANDS)
    targets = [t for t, *_ in matcher._fuzzy]
    assert targets  # the fixture has long names, so the index is exercised

    @settings(max_examples=400, deadline=None)
    @given(st.sampled_from(targets), st.integers(0, 12), st.sampled_from("تازهرسبدچیxyz"),
           st.sampled_from(["drop", "add", "change", "keep", "other"]))
    def check(target, at, letter, how):
        at = at % len(target)
        word = {"drop": target[:at] + target[at + 1:], "add": target[:at] + letter + target[at:],
                "change": target[:at] + letter + target[at + 1:], "keep": target,
                "other": letter * len(target)}[how]
        expected = next((i for i, t in enumerate(targets) if _one_slip(word, t)), None)
        assert matcher._first_slip(word) == expected

    check()
