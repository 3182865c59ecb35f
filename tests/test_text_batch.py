"""The batch paths give exactly what one-by-one preparation gives: `Preparer`
in one process and over two workers, batched MinHash, and analyze's
prepare_pending with and without workers."""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shenava.analyze import prepare_pending
from shenava.config import parse_config
from shenava.mention import Mention
from shenava.nlp.text import prepare
from shenava.nlp.text import dedup as dd
from shenava.nlp.text.batch import MIN_PARALLEL, Preparer, _can_fork, prepare_many
from shenava.samples.texts import COMMENTS, GROUP, REVIEWS
from shenava.storage import Store

FIXTURES = Path(__file__).parent / "fixtures" / "text"
HEADERS = ["فوروارد از کانال تخفیف‌ها: ", "Forwarded from @tazeres_news\n", "", "", ""]
EXTRAS = ["😡", "😍😍", "!!!", "؟", "۰۹۱۲۱۲۳۴۵۶۷", "6037-9975-1234-5678", "https://t.me/x/9", "#تخفیف_ویژه",
          "kheili", "خیییییلی", "مي خرم", "ـــ", "\u200c", "", "", ""]


def realistic(n: int, seed: int = 5) -> list[str]:
    """Comments, group chat and reviews from the demo, Finglish lines, and their
    forwards and copies with a header, an emoji or a number added."""
    rng = random.Random(seed)
    base = [c[4] for c in COMMENTS] + [g[3] for g in GROUP] + [r[4] for r in REVIEWS]
    for path in FIXTURES.glob("finglish*.tsv"):
        base += [line.split("\t")[0] for line in path.read_text(encoding="utf-8").splitlines()
                 if line and not line.startswith("#")]
    out = []
    for _ in range(n):
        words = rng.choice(base).split()
        if rng.random() < 0.5:  # a new sentence from the same words, not a copy
            rng.shuffle(words)
            words = words[: rng.randint(1, len(words))]
        out.append(rng.choice(HEADERS) + " ".join(words) + " " + rng.choice(EXTRAS))
    return out


def same_fingerprint(a: dd.Fingerprint | None, b: dd.Fingerprint | None) -> bool:
    if a is None or b is None:
        return a is b
    return (a.norm, a.digest, a.band_keys) == (b.norm, b.digest, b.band_keys) and np.array_equal(a.signature, b.signature)


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return realistic(MIN_PARALLEL + 700)


def test_two_workers_prepare_exactly_what_one_by_one_does(texts):
    one_by_one = [prepare(t) for t in texts]
    with Preparer(workers=1) as preparer:
        single = preparer(texts)
    with Preparer(workers=2) as preparer:
        double = preparer(texts)
        if _can_fork():
            assert preparer._pool is not None  # the batch was large enough to use the workers
    assert [p for p, _ in single] == one_by_one
    assert [p for p, _ in double] == one_by_one
    for (_, a), (_, b), p in zip(single, double, one_by_one):
        assert same_fingerprint(a, b) and same_fingerprint(a, dd.fingerprint(p.analysis))
    assert prepare_many(texts, workers=2) == one_by_one


def test_clusters_from_batches_equal_clusters_one_by_one(texts):
    one = dd.Deduplicator()
    expected = [one.add(i, prepare(t).analysis) for i, t in enumerate(texts)]
    batch = dd.Deduplicator()
    with Preparer(workers=2) as preparer:
        got = [batch.add(i, p.analysis, fp) for i, (p, fp) in enumerate(preparer(texts))]
    assert got == expected
    assert sum(c != i for i, c in enumerate(expected)) > 100  # forwards and copies were merged


def reference_minhash(text: str) -> np.ndarray:
    """MinHash one text at a time, as dedup computed it before batching."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    if len(codes) < dd.SHINGLE:
        codes = np.pad(codes, (0, dd.SHINGLE - len(codes)))
    grams = (codes[:-3] << np.uint64(42)) ^ (codes[1:-2] << np.uint64(28)) ^ (codes[2:-1] << np.uint64(14)) ^ codes[3:]
    permuted = dd._A[:, None] * dd._mix(grams)[None, :] + dd._B[:, None]
    return (permuted.min(axis=1) >> np.uint64(32)).astype(np.uint32)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(st.characters(codec=None, categories=None, exclude_categories=[]), max_size=60), max_size=12))
def test_batched_minhash_equals_one_text_at_a_time(batch):
    signatures = dd.minhash_many(batch)
    assert signatures.shape == (len(batch), dd.NUM_PERM)
    for text, signature in zip(batch, signatures):
        assert np.array_equal(signature, reference_minhash(text))


def test_minhash_passes_split_a_large_batch_without_changing_it(texts, monkeypatch):
    whole = dd.minhash_many(texts)
    monkeypatch.setattr(dd, "_GRAMS_PER_PASS", 100)
    assert np.array_equal(dd.minhash_many(texts), whole)


T0 = datetime(2026, 11, 20, 9, 30, tzinfo=timezone(timedelta(hours=3, minutes=30)))
CONFIG = parse_config('[[brands]]\nname = "تازه‌رس"\naliases = ["tazeres"]\n'
                      '[[brands.competitors]]\nname = "سبدچی"\naliases = ["sabadchi"]\n')


def prepared_rows(tmp_path: Path, texts: list[str], workers: int) -> list[tuple]:
    with Store.open(tmp_path / f"w{workers}.db") as store:
        store.upsert_mentions("chan", [Mention(external_id=f"m{i}", text=t, published_at=T0 + timedelta(minutes=i))
                                       for i, t in enumerate(texts)])
        assert prepare_pending(CONFIG, store, workers=workers) == len(texts)
        return store.db.execute("SELECT external_id, display_text, analysis_text, content_hash, language, brand, "
                                "brand_span, entities, cluster_id FROM mentions ORDER BY id").fetchall()


def test_analyze_prepares_the_same_rows_with_two_workers(tmp_path, texts):
    assert prepared_rows(tmp_path, texts, workers=2) == prepared_rows(tmp_path, texts, workers=1)
