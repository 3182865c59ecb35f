"""Throughput and memory of text preparation: normalize + language id + duplicates.

    .venv/bin/python bench/bench_text.py [N]

Three ways over the same mentions: one by one in one process, the library's
batch path in one process, and the batch path over two worker processes (the
target: >= 5,000 mentions/s on 2 cores). The machine may be shared: check
`uptime` and report the load average with the figures.

Mentions are real comments read at run time from ../shared/data (when that
folder is there), else the demo's sample texts with words shuffled; numbers,
emoji, links and Finglish are mixed into some of them.
"""
from __future__ import annotations

import json
import random
import resource
import sys
import time
from pathlib import Path

from shenava.nlp.text import prepare, warm_up
from shenava.nlp.text.batch import MIN_PARALLEL, Preparer
from shenava.nlp.text.dedup import Deduplicator
from shenava.samples.texts import COMMENTS, GROUP, REVIEWS

EXTRA = ["😡", "😍", "🙏", "kheili", "bood", "lotfan", "!!", "؟", "۱۲۰", "2", "واقعا", "https://t.me/x/9"]


SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def real_texts() -> list[str]:
    texts = []
    for path in sorted(SHARED.glob("*/*.jsonl")):
        with path.open(encoding="utf-8") as f:
            texts += [json.loads(line)["text"] for line in f if line.strip()]
    return texts


def corpus(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    real = real_texts()
    if real:
        print(f"texts: {len(real):,} real comments from {SHARED}, some with extras mixed in")
        rng.shuffle(real)
        out = [(t + " " + rng.choice(EXTRA)) if rng.random() < 0.3 else t for t in real]
        return (out * (n // len(out) + 1))[:n]
    print("texts: sample texts shuffled (../shared/data not found)")
    base = [c[4] for c in COMMENTS] + [g[3] for g in GROUP] + [r[4] for r in REVIEWS]
    out = []
    for _ in range(n):
        words = rng.choice(base).split()
        rng.shuffle(words)
        words.insert(rng.randrange(len(words) + 1), rng.choice(EXTRA))
        out.append(" ".join(words[: rng.randint(5, 30)]))
    return out


def run(n: int) -> None:
    texts = corpus(n)
    warm_up()
    print(f"mentions: {n:,}")

    # One by one, as a caller without batches would.
    start, cpu = time.perf_counter(), time.process_time()
    prepared = [prepare(t) for t in texts]
    t_prepare = time.perf_counter() - start
    dedup = Deduplicator()
    clusters = [dedup.add(i, p.analysis) for i, p in enumerate(prepared)]
    t_one, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"1 process, one by one: prepare {n / t_prepare:,.0f}/s; prepare+language+dedup {n / t_one:,.0f}/s "
          f"({n / cpu:,.0f} per CPU second)")
    print(f"  per mention: prepare {t_prepare / n * 1e3:.3f} ms, dedup {(t_one - t_prepare) / n * 1e3:.3f} ms")

    # The library's batch path (what analyze uses): fingerprints hashed per batch.
    start, cpu = time.perf_counter(), time.process_time()
    dedup = Deduplicator()
    with Preparer(workers=1) as preparer:
        batch = [dedup.add(i, p.analysis, fp) for i, (p, fp) in enumerate(preparer(texts))]
    t_batch, cpu = time.perf_counter() - start, time.process_time() - cpu
    # Per CPU second too: on a shared machine wall time also counts other processes' turns.
    print(f"1 process, batch      : prepare+language+dedup {n / t_batch:,.0f}/s ({n / cpu:,.0f} per CPU second)")

    # Two workers prepare and fingerprint; the parent owns the duplicate index.
    with Preparer(workers=2) as preparer:
        preparer(texts[:MIN_PARALLEL])  # fork the pool before the clock starts
        start = time.perf_counter()
        dedup = Deduplicator()
        two = [dedup.add(i, p.analysis, fp) for i, (p, fp) in enumerate(preparer(texts))]
        t_two = time.perf_counter() - start
    print(f"2 processes, batch    : prepare+language+dedup {n / t_two:,.0f}/s (dedup index in the parent)")
    same = clusters == batch == two
    print(f"clusters: {len(set(clusters)):,}; identical on all three paths: {same}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory: parent {peak:,.0f} MB, largest worker {workers:,.0f} MB")
    if not same:
        sys.exit("the batch paths disagree with the one-by-one path")


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
