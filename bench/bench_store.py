"""The store at 10k, 100k and 1M mentions: size, search, weekly digest, incremental runs.

    .venv/bin/python bench/bench_store.py [--sizes 10000,100000,1000000] [--new 500] [--no-model]
    (or: make bench / python -m bench store)

Stores are built directly in SQL (one transaction, FTS index rebuilt once at
the end) from synthetic mentions with analyses: texts composed from a pool of
bench/synthetic.py texts put through the real nlp.text.prepare, 30 days of
dates, 8 sources, the brand and two competitors, exact forwards sharing a
cluster, and one analysis per mention with tags drawn at realistic rates.
Built stores are cached in .cache/bench/ keyed by schema version and size.

For each size: database size; `search` p50/p95 over realistic queries (words,
phrases, prefixes, Finglish; with and without a brand), run through the same
library call as `shenava search`; the week's digest (write_digest: figures +
HTML + Markdown); and one scheduled run of new mentions (a file source with
--new items: collect, then analyze with the shipped model) on a copy of the
store, so its cost can be compared between a small and a big history.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.synthetic import (BRAND, BRANDS_TOML, RIVALS, SOURCES, file_source_toml, mentions,  # noqa: E402
                             texts, write_jsonl)
from shenava.storage import Store, text_hash  # noqa: E402
from shenava.storage.schema import SCHEMA_VERSION  # noqa: E402

CACHE = ROOT / ".cache" / "bench"
GENERATOR = 1  # bump when the synthetic rows change, so cached stores are rebuilt
END = datetime(2026, 11, 22, 20, 30, tzinfo=timezone.utc)
DAYS = 30
POOL = 4000
MODEL_VERSION = "bench-synthetic"
CATEGORIES = ["quality", "delivery", "packaging", "price", "support", "authenticity", "app", "other"]
QUERIES = ["پشتیبانی", "پیک دیر", "بسته‌بندی افتضاح", "تخفیف", "نون سنگک", "kheili bad", "سبدچی",
           '"جواب نمیده"', '"دیر رسید"', '"پول از حسابم"', "پشتیب*", "تخف*", "سفارش*", "زعفرون",
           "کد پیگیری", "اصفهان ارسال"]

CONFIG = """
[store]
path = "shenava.db"

[digest]
dir = "reports"
""" + BRANDS_TOML + file_source_toml("new-mentions", "new.jsonl")


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# -- building ----------------------------------------------------------------------------------
def _pool() -> list[tuple[str, str, str, str, str | None]]:
    from shenava.nlp.text import prepare

    out = []
    for raw in texts(POOL, seed=101):
        p = prepare(raw)
        tags = p.hashtags or p.urls or p.mentions
        out.append((raw, p.display, p.analysis, p.language, json.dumps({"urls": p.urls}) if tags else None))
    return out


def _analysis(rng: random.Random, mention_id: int, content_hash: str, created: str) -> tuple:
    sentiment = rng.choices(["negative", "positive", "neutral", "mixed"], [45, 30, 20, 5])[0]
    complaint = int(sentiment in ("negative", "mixed") and rng.random() < 0.75)
    cats = rng.sample(CATEGORIES, rng.choice((1, 1, 2))) if complaint else []
    comparison = int(rng.random() < 0.08)
    comps = ([{"name": rng.choice(RIVALS), "direction": rng.choice(["better", "worse", "equal"])}]
             if comparison else [])
    rec = rng.choices(["none", "recommends", "discourages"], [85, 9, 6])[0]
    question, suggestion = int(rng.random() < 0.1), int(rng.random() < 0.08)
    p = round(rng.random(), 4)
    return (mention_id, MODEL_VERSION, content_hash, created, sentiment,
            json.dumps({sentiment: 0.7}), complaint, p, json.dumps(cats), suggestion, p, comparison, p,
            json.dumps(comps, ensure_ascii=False), rec, json.dumps({rec: 0.8}), question, p,
            json.dumps({"sentiment": ["…"]} if sentiment != "neutral" else {}, ensure_ascii=False))


def _rows(n: int, pool: list, seed: int = 7):
    """(mention row, analysis row) pairs in id order, published_at increasing with id."""
    rng = random.Random(seed)
    span = DAYS * 86400
    stamps = sorted(rng.randrange(span) for _ in range(n))
    brands = [BRAND, RIVALS[0], RIVALS[1]]
    recent: list[tuple] = []
    for i, s in enumerate(stamps, start=1):
        published = (END - timedelta(seconds=span - s)).isoformat()
        if recent and rng.random() < 0.03:  # an exact forward of a recent mention: same text, same cluster
            raw, display, analysis, lang, ents, cluster, brand = rng.choice(recent)
        else:
            parts = [rng.choice(pool) for _ in range(rng.choices((1, 2, 3), (60, 30, 10))[0])]
            raw, display, analysis = (" ".join(p[k] for p in parts) for k in range(3))
            lang, ents, cluster = parts[0][3], parts[0][4], i
            brand = rng.choices(brands, [60, 20, 20])[0]
            recent.append((raw, display, analysis, lang, ents, cluster, brand))
            if len(recent) > 2000:
                del recent[:1000]
        source = rng.choice(SOURCES)
        content_hash = text_hash(analysis)
        mention = (i, source, f"{i}", f"https://t.me/{source}/{i}", f"user{rng.randrange(50000)}",
                   source, published, published, published, raw, text_hash(raw), display, analysis,
                   content_hash, lang, rng.randint(10, 30000), rng.randint(0, 300), rng.randint(0, 40),
                   rng.randint(0, 20), None, brand, 0, 1, "{}", cluster, None, ents, MODEL_VERSION)
        yield mention, _analysis(rng, i, content_hash, published)


MENTION_COLUMNS = ("id, source, external_id, permalink, author, channel, published_at, collected_at, updated_at, "
                   "raw_text, raw_hash, display_text, analysis_text, content_hash, language, views, reactions, "
                   "forwards, replies, parent_external_id, brand, edited, revision, extra, cluster_id, "
                   "brand_span, entities, tagged_by")
ANALYSIS_COLUMNS = ("mention_id, model_version, content_hash, created_at, sentiment, sentiment_scores, complaint, "
                    "complaint_score, complaint_categories, suggestion, suggestion_score, comparison, "
                    "comparison_score, competitors, recommendation, recommendation_scores, question, "
                    "question_score, evidence")


def build(n: int, path: Path, pool: list) -> None:
    tmp = path.with_suffix(f".building-{os.getpid()}")  # two benches may build at once; rename is atomic
    for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        p.unlink(missing_ok=True)
    Store.open(tmp).close()  # schema through the real migrations
    conn = sqlite3.connect(tmp, isolation_level=None)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -262144")
    triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'mentions'"
                            ).fetchall()
    conn.execute("BEGIN")
    for name, _ in triggers:  # the FTS index is rebuilt once at the end, not row by row
        conn.execute(f'DROP TRIGGER "{name}"')
    conn.executemany("INSERT INTO sources (name, kind, brand) VALUES (?, 'file', ?)", [(s, BRAND) for s in SOURCES])
    m_marks, a_marks = ",".join("?" * 28), ",".join("?" * 19)
    pairs = _rows(n, pool)
    while True:
        chunk = [pair for _, pair in zip(range(50_000), pairs)]
        if not chunk:
            break
        conn.executemany(f"INSERT INTO mentions ({MENTION_COLUMNS}) VALUES ({m_marks})", [m for m, _ in chunk])
        conn.executemany(f"INSERT INTO analyses ({ANALYSIS_COLUMNS}) VALUES ({a_marks})", [a for _, a in chunk])
    conn.execute("INSERT INTO mentions_fts (mentions_fts) VALUES ('rebuild')")
    for _, sql in triggers:
        conn.execute(sql)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    tmp.rename(path)


def cached_store(n: int, pool_holder: list) -> tuple[Path, float | None]:
    path = CACHE / f"store-s{SCHEMA_VERSION}-g{GENERATOR}-{n}.db"
    if path.exists():
        return path, None
    CACHE.mkdir(parents=True, exist_ok=True)
    if not pool_holder:
        pool_holder.append(_pool())
    start = time.perf_counter()
    build(n, path, pool_holder[0])
    return path, time.perf_counter() - start


def db_size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists()) / 2**20


# -- measuring ---------------------------------------------------------------------------------
def search_times(path: Path, repeats: int) -> tuple[list[float], list[tuple[str, int, float, float]]]:
    """Every search's time, and per query: matches, median ms without and with the brand filter."""
    from shenava.storage.search import build_match, search

    times: list[float] = []
    per_query = []
    with Store.open(path, readonly=True) as store:
        for q in QUERIES:  # warm the page cache as a long-running worker would have it
            for brand in (None, BRAND):  # the brand filter reads mention rows the plain search does not
                search(store, q, brand=brand)
        for q in QUERIES:
            matches = store.db.execute("SELECT count(*) FROM mentions_fts WHERE mentions_fts MATCH ?",
                                       [build_match(q)]).fetchone()[0]
            medians = []
            for brand in (None, BRAND):
                mine = []
                for _ in range(repeats):
                    start = time.perf_counter()
                    search(store, q, brand=brand)
                    mine.append(time.perf_counter() - start)
                times += mine
                medians.append(statistics.median(mine) * 1000)
            per_query.append((q, matches, *medians))
    return sorted(times), per_query


def percentile(sorted_values: list[float], p: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(p * len(sorted_values)))]


def digest_time(path: Path, work: Path) -> str:
    try:
        from shenava.digest import write_digest
    except ImportError as exc:
        return f"not available ({exc})"
    from shenava.config import load_config

    config = load_config(work / "shenava.toml")
    with Store.open(path, readonly=True) as store:
        start = time.perf_counter()
        files = write_digest(store, config, BRAND, "week", END.date())
        seconds = time.perf_counter() - start
    totals = files.digest.totals
    return f"{seconds:.2f} s ({totals['mentions']} mentions, {totals['clusters']} clusters in the week)"


class Relabelled:
    """The shipped model, recording its analyses under the bench store's model version.

    The built store reads as analysed by MODEL_VERSION; a scheduled run with the
    real version string would re-tag all of it, as a model change does.
    """

    model_version = MODEL_VERSION

    def __init__(self, inner):
        self.inner = inner
        self.calls = 0

    def classify(self, texts, progress=None, analysis=None):
        self.calls += 1
        return self.inner.classify(texts, progress, analysis)


def scheduled_runs(path: Path, work: Path, new: int, clf, runs: int = 2) -> list[str]:
    """Hourly runs on a copy of the store: each collects `new` mentions from a file and analyzes them."""
    from shenava.config import load_config

    copy = work / "shenava.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(path, copy)
    os.sync()  # else the copy's writeback lands on the first run's commits
    config = load_config(work / "shenava.toml")
    lines = []
    with Store.open(copy) as store:
        for hour in range(1, runs + 1):
            write_jsonl(work / "new.jsonl", mentions(new, seed=400 + hour, days=1, end=END + timedelta(hours=hour),
                                                     id_prefix=f"new{hour}-"))
            lines.append(one_run(config, store, new, clf))
        if clf is not None:
            lines.append(run_again(config, store, clf))
    return lines


def one_run(config, store: Store, new: int, clf) -> str:
    from shenava.analyze import prepare_pending, tag_pending
    from shenava.pipeline import collect

    start = time.perf_counter()
    [report] = collect(config, store)
    t_collect = time.perf_counter() - start
    assert report.error is None and report.new == new, report
    start = time.perf_counter()
    prepare_pending(config, store)
    line = f"collect {t_collect:.2f} s, prepare {time.perf_counter() - start:.2f} s"
    if clf is not None:
        start = time.perf_counter()
        tagged, reused = tag_pending(store, clf)
        line += f", tag {time.perf_counter() - start:.2f} s ({tagged} by the model, {reused} reused)"
    return line


def run_again(config, store: Store, clf) -> str:
    """The same analyze once more: every mention of the store is analysed by this version already."""
    from shenava.analyze import prepare_pending, tag_pending

    calls, start = clf.calls, time.perf_counter()
    again = prepare_pending(config, store), *tag_pending(store, clf)
    seconds = time.perf_counter() - start
    assert again == (0, 0, 0) and clf.calls == calls, again
    total = store.count()
    return (f"analyze again over all {total:,}: {seconds * 1000:.1f} ms, no model call "
            f"(nothing pending: the tagged_by index answers without reading the analysed rows)")


def warm_up(work: Path) -> None:
    """Imports and one-time tables (hazm, lexicons, brand patterns, connectors) loaded before timing."""
    import shenava.connectors.builtin  # noqa: F401
    from shenava.config import load_config
    from shenava.nlp.text import prepare
    from shenava.nlp.text.brands import BrandMatcher

    BrandMatcher(load_config(work / "shenava.toml").brands).find(prepare("گرم کردن tazeres").display)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--new", type=int, default=500, help="mentions in the scheduled run")
    parser.add_argument("--repeats", type=int, default=5, help="passes over the search queries")
    parser.add_argument("--no-model", action="store_true", help="scheduled run without the tagging step")
    parser.add_argument("--per-query", action="store_true", help="search time and match count of each query")
    parser.add_argument("--threads", type=int, default=2, help="torch threads for the scheduled run's model")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    clf = None
    if not args.no_model:
        from shenava.config import ModelSettings
        from shenava.nlp.classifier import load_classifier

        clf = Relabelled(load_classifier(ModelSettings(threads=args.threads), []))
    print(f"store benchmark, schema v{SCHEMA_VERSION}; load average at start {load_average()}")
    pool: list = []
    with tempfile.TemporaryDirectory(prefix="shenava-bench-store-") as tmp:
        work = Path(tmp)
        (work / "shenava.toml").write_text(CONFIG, encoding="utf-8")
        warm_up(work)
        for n in sizes:
            path, built = cached_store(n, pool)
            print(f"\n{n:,} mentions + analyses: {path.relative_to(ROOT)} "
                  f"({'built in %.1f s' % built if built is not None else 'cached'}), {db_size_mb(path):,.0f} MB")
            times, per_query = search_times(path, args.repeats)
            print(f"  search      p50 {percentile(times, .5) * 1000:6.1f} ms   p95 {percentile(times, .95) * 1000:6.1f} ms"
                  f"   max {times[-1] * 1000:6.1f} ms  ({len(times)} searches: {len(QUERIES)} queries x with/without "
                  f"brand x {args.repeats}; target p95 <= 200 ms)")
            if args.per_query:
                for q, matches, plain, branded in per_query:
                    print(f"    {q:<18} {matches:>9,} matches ({matches / n:6.1%})  {plain:7.1f} ms  "
                          f"with brand {branded:7.1f} ms")
            print(f"  digest week {digest_time(path, work)}  (target <= 10 s)")
            for i, line in enumerate(scheduled_runs(path, work, args.new, clf)):
                what = f"scheduled run {i + 1} ({args.new} new)" if i < 2 else "re-run"
                print(f"  {what:<26} {line}")
            print(f"  load average {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
