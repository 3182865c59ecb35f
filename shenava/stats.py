"""What the store holds, for `shenava stats` and the run logs."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from shenava.errors import ShenavaError
from shenava.storage import Store

TEHRAN = ZoneInfo("Asia/Tehran")


def latest_day(store: Store, tz: str = "Asia/Tehran") -> date:
    """The newest day (in `tz`) that has a mention: the default end of a digest period."""
    newest = store.db.execute("SELECT max(published_at) FROM mentions").fetchone()[0]
    if newest is None:
        raise ShenavaError(f"{store.path}: the store has no mentions yet; run `shenava collect` first")
    return datetime.fromisoformat(newest).astimezone(ZoneInfo(tz)).date()


def store_stats(store: Store, as_text: bool = False) -> dict[str, Any] | str:
    q = store.db.execute
    stats: dict[str, Any] = {
        "store": str(store.path),
        "size_bytes": store.path.stat().st_size if store.path.exists() else 0,
        "schema_version": store.schema_version,
        "mentions": q("SELECT count(*) FROM mentions").fetchone()[0],
        "prepared": q("SELECT count(*) FROM mentions WHERE content_hash IS NOT NULL").fetchone()[0],
        "duplicate_clusters": q("SELECT count(DISTINCT cluster_id) FROM mentions").fetchone()[0],
        "by_source": dict(q("SELECT source, count(*) FROM mentions GROUP BY source ORDER BY 2 DESC").fetchall()),
        "by_brand": dict(q("SELECT coalesce(brand, '-'), count(*) FROM mentions GROUP BY 1 ORDER BY 2 DESC")
                         .fetchall()),
        "by_language": dict(q("SELECT coalesce(language, '-'), count(*) FROM mentions GROUP BY 1 "
                              "ORDER BY 2 DESC").fetchall()),
        "analyses_by_model": dict(q("SELECT model_version, count(*) FROM analyses GROUP BY 1").fetchall()),
    }
    newest_model = q("SELECT model_version FROM analyses ORDER BY id DESC LIMIT 1").fetchone()
    if newest_model:
        row = q("""SELECT count(*), sum(sentiment='positive'), sum(sentiment='negative'), sum(sentiment='neutral'),
                   sum(sentiment='mixed'), sum(complaint), sum(suggestion), sum(comparison),
                   sum(recommendation='recommends'), sum(recommendation='discourages'), sum(question)
                   FROM analyses WHERE model_version = ?""", [newest_model[0]]).fetchone()
        names = ["tagged", "positive", "negative", "neutral", "mixed", "complaint", "suggestion", "comparison",
                 "recommends", "discourages", "question"]
        stats["tags"] = {"model_version": newest_model[0], **{n: v or 0 for n, v in zip(names, row)}}
    stats["last_runs"] = [dict(zip(("kind", "source", "started_at", "status", "new", "tagged", "error"), r))
                          for r in q("SELECT kind, source, started_at, status, new, tagged, error FROM runs "
                                     "ORDER BY id DESC LIMIT 5").fetchall()]
    if not as_text:
        return stats
    lines = [f"store {stats['store']} ({stats['size_bytes'] / 1e6:.1f} MB, schema v{stats['schema_version']})",
             f"mentions {stats['mentions']} (prepared {stats['prepared']}, "
             f"{stats['duplicate_clusters']} duplicate clusters)"]
    for key in ("by_source", "by_brand", "by_language", "analyses_by_model"):
        lines.append(f"{key.replace('_', ' ')}: " + ", ".join(f"{k} {v}" for k, v in stats[key].items()))
    if "tags" in stats:
        lines.append("tags: " + ", ".join(f"{k} {v}" for k, v in stats["tags"].items()))
    for r in stats["last_runs"]:
        lines.append(f"run {r['started_at']} {r['kind']} {r['source'] or ''} {r['status']}"
                     + (f" — {r['error']}" if r["error"] else ""))
    return "\n".join(lines)
