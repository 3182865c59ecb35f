"""Analyze stage: prepare (normalize, language, brand, duplicates) then tag.

Both steps pick up only what is pending, so a run that died half-way is
finished by the next one, and a mention whose text is already tagged by the
same model version (same content hash, e.g. a forward) reuses that analysis
instead of calling the model.
"""
from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Protocol

from shenava.config import Config
from shenava.faults import crash_point
from shenava.storage import Store, utcnow

log = logging.getLogger("shenava")

# Rows per transaction. A tagging call of 512 texts is 8 classifier chunks, and only the
# first waits for the encoder: 256 measured 422 mentions/s end to end, 512 449/s.
BATCH = 512
# A tagging batch that needed no model call (forwards, re-imports: texts this version
# already tagged) costs only SQL, so the next one reads twice as many rows, up to this:
# fewer, larger transactions write each page of the analyses' content-hash index once
# per batch instead of once per BATCH rows (3x faster on a 100k re-import).
MAX_REUSE_BATCH = 4096
# Newest prepared mentions indexed for near-duplicate search at the start of a run. A
# forward follows its original within days, and 20k is days of mentions even at 1M a
# month; indexing the whole window made every run cost as much as the store is big.
SEED_LIMIT = 20_000
# Rows read at once when preparing over worker processes (then written BATCH at a
# time); below batch.MIN_PARALLEL pending the work stays in this process.
PARALLEL_READ = 8192
# Clusters stay stable across runs by seeding the duplicate index with recent mentions.
DEDUP_WINDOW = timedelta(days=30)


class Classifier(Protocol):
    model_version: str

    def classify(self, texts: list[str], progress: Callable[[int], None] | None = None,
                 analysis: list[str] | None = None) -> list[dict]: ...


@dataclass
class AnalyzeReport:
    prepared: int = 0
    tagged: int = 0
    reused: int = 0
    model_version: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def prepare_pending(config: Config, store: Store, limit: int | None = None,
                    progress: Callable[[int], None] | None = None, workers: int | None = None) -> int:
    """Prepare mentions not yet prepared, fingerprints hashed per batch; with `workers` > 1
    (default: batch.DEFAULT_WORKERS) over that many processes when thousands are
    pending. Rows are still written and committed BATCH at a time."""
    from shenava.nlp.text.batch import Preparer

    matcher = dedup = None  # built on the first pending batch: a run with nothing new costs nothing
    done = 0
    with Preparer(workers) as preparer:
        # Read enough rows at once for the workers to be worth it; one process reads BATCH.
        read = BATCH if preparer.workers < 2 else PARALLEL_READ
        while limit is None or done < limit:
            size = read if limit is None else min(read, limit - done)
            rows = store.db.execute("SELECT id, raw_text, brand, raw_hash FROM mentions WHERE content_hash IS NULL "
                                    "ORDER BY id LIMIT ?", [size]).fetchall()
            if not rows:
                break
            matcher = matcher or _brand_matcher(config)
            dedup = dedup or _seeded_deduplicator(store)
            prepared = preparer([raw for _, raw, _, _ in rows])
            for start in range(0, len(rows), BATCH):
                batch = rows[start:start + BATCH]
                _write_prepared(store, batch, prepared[start:start + BATCH], matcher, dedup)
                done += len(batch)
                if progress:
                    progress(len(batch))
    return done


def _brand_matcher(config: Config):
    from shenava.nlp.text.brands import BrandMatcher

    return BrandMatcher(config.brands)


def _write_prepared(store: Store, rows: list, prepared: list, matcher, dedup) -> None:
    """Brand, cluster and entities of one BATCH of prepared rows, committed together."""
    _seed_exact_copies(store, dedup, {p.content_hash for p, _ in prepared})
    updates = []
    for (mid, _, brand, raw_hash), (p, fp) in zip(rows, prepared):
        matches = matcher.find(p.display)
        if brand is None and matches:
            own = [m for m in matches if not m.is_competitor]
            brand = (own or matches)[0].brand
        span = next((m for m in matches if m.brand == brand), None)
        updates.append((
            p.display, p.analysis, p.content_hash, p.language, brand,
            json.dumps([span.start, span.end, span.span], ensure_ascii=False) if span else None,
            json.dumps({"urls": p.urls, "mentions": p.mentions, "hashtags": p.hashtags,
                        "phones_masked": p.phones, "cards_masked": p.cards}, ensure_ascii=False),
            dedup.add(mid, p.analysis, fp), mid, raw_hash))
    with store.transaction() as db:
        db.conn.executemany(
            "UPDATE mentions SET display_text = ?, analysis_text = ?, content_hash = ?, language = ?, "
            "brand = ?, brand_span = ?, entities = ?, cluster_id = ?, tagged_by = NULL "
            # A collect may have stored an edit since the read: that text is prepared next round.
            "WHERE id = ? AND raw_hash = ?", updates)
    crash_point("analyze.prepared_batch")


def _seeded_deduplicator(store: Store):
    """A duplicate index holding the newest prepared mentions of the window, so clusters stay stable across runs.

    Older exact copies are found by content hash, batch by batch (_seed_exact_copies).
    """
    from shenava.nlp.text.dedup import Deduplicator

    dedup = Deduplicator()
    since = _window_start(store)
    rows = store.db.execute("SELECT id, analysis_text, cluster_id FROM mentions WHERE content_hash IS NOT NULL "
                            "AND published_at >= ? ORDER BY id DESC LIMIT ?", [since, SEED_LIMIT]).fetchall()
    dedup.seed_many((mid, text or "", cluster) for mid, text, cluster in reversed(rows))
    return dedup


def _window_start(store: Store) -> str:
    newest = store.db.execute("SELECT max(published_at) FROM mentions WHERE content_hash IS NOT NULL").fetchone()[0]
    return (datetime.fromisoformat(newest) - DEDUP_WINDOW).isoformat() if newest else ""


def _seed_exact_copies(store: Store, dedup, hashes: set[str]) -> None:
    """Seed the earliest stored mention of the window with each of these content hashes (an exact copy)."""
    marks = ",".join("?" * len(hashes))
    # Bare columns with min(): SQLite takes them from the row holding the minimum.
    dedup.seed_many((mid, text or "", cluster) for mid, text, cluster in store.db.execute(
        f"SELECT min(id), analysis_text, cluster_id FROM mentions WHERE content_hash IN ({marks}) "
        f"AND published_at >= ? GROUP BY content_hash ORDER BY 1", [*hashes, _window_start(store)]))


# Mentions to tag: prepared, and the model version that tagged the current text (if any) is not this one.
# Through the tagged_by index each query reads only pending rows, in id order after a cursor; the
# planner, seeing few distinct values there, would rather walk the whole table (100x slower).
_PENDING = """
SELECT m.id, m.content_hash, m.raw_text, m.analysis_text, EXISTS (
  SELECT 1 FROM analyses a WHERE a.mention_id = m.id AND a.model_version = :version
  AND a.content_hash = m.content_hash) AS done
FROM mentions m INDEXED BY idx_mentions_tagged_by
WHERE {which} AND m.id > :after AND m.content_hash IS NOT NULL AND m.published_at >= :floor
ORDER BY m.id LIMIT :size
"""
# Other versions present, by skipping through the tagged_by index (one probe per version).
_VERSIONS = """
WITH RECURSIVE v(x) AS (
  SELECT min(tagged_by) FROM mentions
  UNION ALL SELECT (SELECT min(tagged_by) FROM mentions WHERE tagged_by > x) FROM v WHERE x IS NOT NULL)
SELECT x FROM v WHERE x IS NOT NULL
"""


def tag_pending(store: Store, classifier: Classifier, limit: int | None = None,
                progress: Callable[[int], None] | None = None,
                since: datetime | None = None) -> tuple[int, int]:
    """Tag prepared mentions lacking an analysis by this model version; returns (tagged, reused).

    `since` bounds a re-tag after a model change to recent mentions.
    """
    version = classifier.model_version
    floor = since.astimezone(timezone.utc).isoformat() if since else ""
    tagged = reused = 0
    # Never tagged (new or edited) first, then whatever another model version tagged last.
    others = [v for (v,) in store.db.execute(_VERSIONS) if v != version]
    for which, other in [("m.tagged_by IS NULL", None), *(("m.tagged_by = :other", v) for v in others)]:
        sql, after, batch = _PENDING.format(which=which), 0, BATCH
        while limit is None or tagged + reused < limit:
            size = batch if limit is None else min(batch, limit - tagged - reused)
            rows = store.db.execute(sql, {"version": version, "other": other, "after": after, "floor": floor,
                                          "size": size}).fetchall()
            if not rows:
                break
            after = rows[-1][0]
            todo = [(mid, h, raw, analysis) for mid, h, raw, analysis, done in rows if not done]
            known = _cached(store, version, {h for _, h, _, _ in todo})
            fresh = {}
            for _, content_hash, raw, analysis in todo:
                if content_hash not in known and content_hash not in fresh:
                    fresh[content_hash] = (raw, analysis)
            if fresh:
                # The stored analysis text is what the model reads; passing it spares preparing it again.
                results = classifier.classify([raw for raw, _ in fresh.values()],
                                              analysis=[a for _, a in fresh.values()])
                known.update({h: _row(r) for h, r in zip(fresh, results)})
            batch = BATCH if fresh else min(2 * batch, MAX_REUSE_BATCH)
            now = utcnow()
            with store.transaction() as db:
                db.conn.executemany(_INSERT_ANALYSIS, [
                    (mid, version, h, now, *(known[h][c] for c in _COLUMNS)) for mid, h, _, _ in todo])
                crash_point("analyze.tagging")
                db.conn.executemany("UPDATE mentions SET tagged_by = ? WHERE id = ? AND content_hash = ?",
                                    [(version, mid, h) for mid, h, _, _, _ in rows])
            crash_point("analyze.tagged_batch")
            tagged += len(fresh)
            reused += len(todo) - len(fresh)
            if progress:
                progress(len(rows))
    return tagged, reused


def _cached(store: Store, version: str, hashes: set[str]) -> dict[str, dict[str, Any]]:
    if not hashes:
        return {}
    marks = ",".join("?" * len(hashes))
    rows = store.db.execute(f"SELECT content_hash, {', '.join(_COLUMNS)} FROM analyses WHERE model_version = ? "
                            f"AND content_hash IN ({marks}) GROUP BY content_hash", [version, *hashes])
    return {row[0]: dict(zip(_COLUMNS, row[1:])) for row in rows}


_COLUMNS = ("sentiment", "sentiment_scores", "complaint", "complaint_score", "complaint_categories",
            "suggestion", "suggestion_score", "comparison", "comparison_score", "competitors",
            "recommendation", "recommendation_scores", "question", "question_score", "evidence")
_INSERT_ANALYSIS = (f"INSERT OR IGNORE INTO analyses (mention_id, model_version, content_hash, created_at, "
                    f"{', '.join(_COLUMNS)}) VALUES ({', '.join('?' * (4 + len(_COLUMNS)))})")


def _row(result: dict[str, Any]) -> dict[str, Any]:
    """A classifier result (the `shenava classify` contract) as an analyses row."""
    scores = result.get("scores", {})

    def dumps(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)

    return {
        "sentiment": result["sentiment"],
        "sentiment_scores": dumps(result["sentiment_scores"]),
        "complaint": int(result["complaint"]),
        "complaint_score": scores.get("complaint"),
        "complaint_categories": dumps(result["complaint_categories"]),
        "suggestion": int(result["suggestion"]),
        "suggestion_score": scores.get("suggestion"),
        "comparison": int(result["comparison"]),
        "comparison_score": scores.get("comparison"),
        "competitors": dumps(result["competitors"]),
        "recommendation": result["recommendation"],
        "recommendation_scores": dumps(scores.get("recommendation", {})),
        "question": int(result["question"]),
        "question_score": scores.get("question"),
        "evidence": dumps(result.get("evidence", {})),
    }


def analyze(config: Config, store: Store, classifier: Classifier | None = None, limit: int | None = None,
            progress: Callable[[int], None] | None = None, since: datetime | None = None) -> AnalyzeReport:
    if classifier is None:
        from shenava.nlp.classifier import load_classifier

        classifier = load_classifier(config.model, config.brands)
    run_id = store.start_run("analyze", details={"model_version": classifier.model_version})
    report = AnalyzeReport(model_version=classifier.model_version)
    try:
        report.prepared = prepare_pending(config, store, limit, progress)
        report.tagged, report.reused = tag_pending(store, classifier, limit, progress, since)
    except BaseException as exc:
        store.finish_run(run_id, "failed", f"{type(exc).__name__}: {exc}", tagged=report.tagged,
                         skipped=report.reused)
        raise
    store.finish_run(run_id, tagged=report.tagged, skipped=report.reused)
    log.info("analyzed: %d prepared, %d tagged by %s, %d reused by content hash",
             report.prepared, report.tagged, report.model_version, report.reused)
    return report
