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

BATCH = 256
# Clusters stay stable across runs by seeding the duplicate index with recent mentions.
DEDUP_WINDOW = timedelta(days=30)


class Classifier(Protocol):
    model_version: str

    def classify(self, texts: list[str], progress: Callable[[int], None] | None = None) -> list[dict]: ...


@dataclass
class AnalyzeReport:
    prepared: int = 0
    tagged: int = 0
    reused: int = 0
    model_version: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def prepare_pending(config: Config, store: Store, limit: int | None = None,
                    progress: Callable[[int], None] | None = None) -> int:
    from shenava.nlp.text import prepare
    from shenava.nlp.text.brands import BrandMatcher
    from shenava.nlp.text.dedup import Deduplicator

    matcher = BrandMatcher(config.brands)
    dedup = Deduplicator()
    newest = store.db.execute("SELECT max(published_at) FROM mentions WHERE content_hash IS NOT NULL").fetchone()[0]
    since = (datetime.fromisoformat(newest) - DEDUP_WINDOW).isoformat() if newest else ""
    for mid, text, cluster in store.db.execute(
            "SELECT id, analysis_text, cluster_id FROM mentions WHERE content_hash IS NOT NULL "
            "AND published_at >= ? ORDER BY id", [since]):
        dedup.seed(mid, text or "", cluster)
    done = 0
    while limit is None or done < limit:
        size = BATCH if limit is None else min(BATCH, limit - done)
        rows = store.db.execute("SELECT id, raw_text, brand FROM mentions WHERE content_hash IS NULL "
                                "ORDER BY id LIMIT ?", [size]).fetchall()
        if not rows:
            break
        with store.transaction() as db:
            for mid, raw, brand in rows:
                p = prepare(raw)
                matches = matcher.find(p.display)
                if brand is None and matches:
                    own = [m for m in matches if not m.is_competitor]
                    brand = (own or matches)[0].brand
                span = next((m for m in matches if m.brand == brand), None)
                db["mentions"].update(mid, {
                    "display_text": p.display, "analysis_text": p.analysis, "content_hash": p.content_hash,
                    "language": p.language, "brand": brand,
                    "brand_span": json.dumps([span.start, span.end, span.span], ensure_ascii=False) if span else None,
                    "entities": json.dumps({"urls": p.urls, "mentions": p.mentions, "hashtags": p.hashtags,
                                            "phones_masked": p.phones, "cards_masked": p.cards},
                                           ensure_ascii=False),
                    "cluster_id": dedup.add(mid, p.analysis),
                })
        crash_point("analyze.prepared_batch")
        done += len(rows)
        if progress:
            progress(len(rows))
    return done


_PENDING = """
SELECT m.id, m.content_hash, m.raw_text FROM mentions m
WHERE m.content_hash IS NOT NULL AND m.published_at >= ? AND NOT EXISTS (
  SELECT 1 FROM analyses a WHERE a.mention_id = m.id AND a.model_version = ? AND a.content_hash = m.content_hash)
ORDER BY m.id LIMIT ?
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
    while limit is None or tagged + reused < limit:
        size = BATCH if limit is None else min(BATCH, limit - tagged - reused)
        rows = store.db.execute(_PENDING, [floor, version, size]).fetchall()
        if not rows:
            break
        known = _cached(store, version, {h for _, h, _ in rows})
        fresh = {}
        for _, content_hash, raw in rows:
            if content_hash not in known and content_hash not in fresh:
                fresh[content_hash] = raw
        if fresh:
            results = classifier.classify(list(fresh.values()))
            known.update({h: _row(r) for h, r in zip(fresh, results)})
        now = utcnow()
        with store.transaction() as db:
            db["analyses"].insert_all(
                ({**known[h], "mention_id": mid, "model_version": version, "content_hash": h, "created_at": now}
                 for mid, h, _ in rows),
                ignore=True)
            crash_point("analyze.tagging")
        crash_point("analyze.tagged_batch")
        tagged += len(fresh)
        reused += len(rows) - len(fresh)
        if progress:
            progress(len(rows))
    return tagged, reused


def _cached(store: Store, version: str, hashes: set[str]) -> dict[str, dict[str, Any]]:
    if not hashes:
        return {}
    marks = ",".join("?" * len(hashes))
    cols = ", ".join(_COLUMNS)
    found = {}
    for row in store.db.query(f"SELECT content_hash, {cols} FROM analyses WHERE model_version = ? "
                              f"AND content_hash IN ({marks}) GROUP BY content_hash", [version, *hashes]):
        found[row.pop("content_hash")] = row
    return found


_COLUMNS = ("sentiment", "sentiment_scores", "complaint", "complaint_score", "complaint_categories",
            "suggestion", "suggestion_score", "comparison", "comparison_score", "competitors",
            "recommendation", "recommendation_scores", "question", "question_score", "evidence")


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
