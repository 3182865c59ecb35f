"""Hypothesis against the text side: the normalizer, brand matching, duplicate clusters and search queries.

tests/test_text_normalize.py already checks idempotence and URL/brand survival
on Persian-heavy text; these runs use every code point there is (controls,
bidi overrides, unassigned planes, half surrogate pairs) glued to the pieces
real comments carry, and check what later steps and outputs rely on.
Each test records how many examples ran.
"""
from __future__ import annotations

import re

import pytest
from hypothesis import strategies as st

from shenava.config import Brand, Competitor
from shenava.mention import Mention
from shenava.nlp.text import prepare
from shenava.nlp.text.brands import BrandMatcher
from shenava.nlp.text.dedup import Deduplicator, fingerprint
from shenava.storage import Store, text_hash
from shenava.storage.search import SearchError, search
from test_reliability_kit import T0, run_fuzz

pytestmark = pytest.mark.slow

EXAMPLES = 500

PIECES = st.sampled_from([
    "https://t.me/tazeres_news/12", "www.digikala.com/product/dkp-1?a=b", "@tazeres_shop", "#تخفیف_ویژه",
    "۰۹۱۲۱۲۳۴۵۶۷", "6037-9975-1234-5678", "IR820540102680020817909002", "می خرم", "نمی‌خرم", "خیییییلی",
    "kheili khoob bood", "تازه‌رس", "تازه رس", "TAZERES", "سبدچي", "ي ك", "\u200c", "\u200d", "\u202e", "\x1b[31m",
    "\n\n\n", " ", "😡", "👨‍👩‍👧", "؟!!!", "ـــــ", "َ", "\ufeff", "\x00",
])
ANY_CHAR = st.characters(codec=None, categories=None, exclude_categories=[])  # surrogates included
NO_SURROGATE = st.characters(exclude_categories=["Cs"])
WILD = st.lists(st.one_of(PIECES, st.text(ANY_CHAR, max_size=30)), max_size=15).map("".join)
STORABLE = st.lists(st.one_of(PIECES, st.text(NO_SURROGATE, max_size=30)), max_size=15).map("".join)

# Nothing a reader cannot see, or that moves text around, may survive into the shown or analysed form.
INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff]")

BRANDS = [Brand(name="تازه‌رس", aliases=["tazeres", "تازه رس"],
                competitors=[Competitor(name="سبدچی", aliases=["sabadchi"]), Competitor(name="میوه‌بان")])]


def test_fuzz_prepare_never_raises(record_property):
    def check(text):
        p = prepare(text)
        assert isinstance(p.display, str) and isinstance(p.analysis, str)
        assert p.content_hash == text_hash(p.analysis) == prepare(text).content_hash

    run_fuzz(record_property, "prepare, any code point", WILD, check, EXAMPLES)


def test_fuzz_prepared_text_is_clean_and_keeps_its_links(record_property):
    """What a mention can hold (no half surrogates: Mention replaces them) comes out printable."""
    def check(text):
        p = prepare(Mention("1", text, T0).text)
        assert not INVISIBLE.search(p.display), repr(p.display)
        assert not INVISIBLE.search(p.analysis), repr(p.analysis)
        assert all(u in p.display and not INVISIBLE.search(u) for u in p.urls), (p.urls, p.display)
        # The shown form stores: no half surrogates, valid UTF-8.
        p.display.encode("utf-8")
        p.analysis.encode("utf-8")

    run_fuzz(record_property, "prepare, storable text", STORABLE, check, EXAMPLES)


def test_fuzz_brand_matcher_spans_point_at_what_was_written(record_property):
    matcher = BrandMatcher(BRANDS)

    def check(text):
        for shown in (text, prepare(text).display):
            for m in matcher.find(shown):
                assert shown[m.start:m.end] == m.span and m.brand in ("تازه‌رس", "سبدچی", "میوه‌بان")

    run_fuzz(record_property, "brand matcher", WILD, check, EXAMPLES)


def test_fuzz_duplicate_clusters(record_property):
    def check(texts):
        dedup = Deduplicator()
        analyses = [prepare(t).analysis for t in texts]
        clusters = [dedup.add(i, a) for i, a in enumerate(analyses)]
        for i, a in enumerate(analyses):
            assert clusters[i] in range(len(texts))
            if fingerprint(a) is not None:  # texts too short to cluster stay on their own
                assert clusters[i] == clusters[analyses.index(a)], "exact copies share a cluster"

    run_fuzz(record_property, "duplicate clusters", st.lists(WILD, min_size=1, max_size=8), check, EXAMPLES)


QUERY_BITS = st.sampled_from(['"', "*", "(", ")", "NEAR(", "NEAR/3", "AND", "OR", "NOT", "^", ":", "-", "+", "{", "}",
                              "mentions_fts", "rank", "'", ";", "--", "\\", "دیر", "رسید", "نمي خرم", "tazeres",
                              "\x00", "\u200c", " "])


def test_fuzz_search_queries(record_property, tmp_path):
    """Any query: hits, or a SearchError saying why; the store is never touched."""
    texts = ["سفارشم خیلی دیر رسید 😡", "نمی‌خرم دیگه از تازه‌رس", "kheili dir resid", "NEAR OR AND \"quoted\" (x)*"]
    with Store.open(tmp_path / "s.db") as store:
        ids = store.upsert_mentions("src", [Mention(str(i), t, T0) for i, t in enumerate(texts)]).ids
        for mid, t in zip(ids, texts):
            p = prepare(t)
            store.db.execute("UPDATE mentions SET analysis_text = ?, content_hash = ? WHERE id = ?",
                             [p.analysis, p.content_hash, mid])

        def check(example):
            query, brand = example
            try:
                hits = search(store, query, brand=brand)
            except SearchError as exc:
                assert str(exc)
                return
            assert {h.mention_id for h in hits} <= set(ids)

        queries = st.lists(st.one_of(QUERY_BITS, st.text(ANY_CHAR, max_size=8)), max_size=10).map("".join)
        run_fuzz(record_property, "search queries", st.tuples(queries, st.one_of(st.none(), st.text(max_size=10))),
                 check, EXAMPLES)
        assert store.count() == len(texts)
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
