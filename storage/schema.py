"""Schema of the mention store, as numbered migrations run on open.

`PRAGMA user_version` records how many migrations a file has had; opening an
older file runs the rest, each in its own transaction. Never edit a released
migration: add the next one.
"""
from __future__ import annotations

from typing import Callable

import sqlite_utils


def _v1_base_tables(db: sqlite_utils.Database) -> None:
    db["sources"].create(
        {"name": str, "kind": str, "brand": str, "config": str, "first_seen": str, "last_collected_at": str},
        pk="name",
    )
    db["mentions"].create(
        {
            "id": int,
            "source": str,
            "external_id": str,
            "permalink": str,
            "author": str,
            "channel": str,
            "published_at": str,  # ISO 8601, UTC offset included
            "collected_at": str,
            "updated_at": str,
            "raw_text": str,
            "raw_hash": str,  # of raw_text: tells an edit from a re-collection
            "display_text": str,
            "analysis_text": str,
            "content_hash": str,  # of analysis_text: dedup and classifier cache key
            "language": str,
            "views": int,
            "reactions": int,
            "forwards": int,
            "replies": int,
            "parent_external_id": str,
            "brand": str,
            "edited": int,
            "revision": int,
            "extra": str,
        },
        pk="id",
        not_null={"source", "external_id", "raw_text", "raw_hash", "published_at", "collected_at"},
    )
    db["mentions"].create_index(["source", "external_id"], unique=True)
    db["mentions"].create_index(["published_at"])
    db["mentions"].create_index(["content_hash"])
    db["mentions"].create_index(["brand", "published_at"])
    db["mention_revisions"].create(
        {"mention_id": int, "revision": int, "raw_text": str, "raw_hash": str, "replaced_at": str},
        pk=("mention_id", "revision"),
        foreign_keys=[("mention_id", "mentions", "id")],
    )
    db["analyses"].create(
        {
            "id": int,
            "mention_id": int,
            "model_version": str,
            "content_hash": str,
            "created_at": str,
            "sentiment": str,
            "sentiment_scores": str,
            "complaint": int,
            "complaint_score": float,
            "complaint_categories": str,
            "suggestion": int,
            "suggestion_score": float,
            "comparison": int,
            "comparison_score": float,
            "competitors": str,
            "recommendation": str,
            "recommendation_scores": str,
            "question": int,
            "question_score": float,
            "evidence": str,
        },
        pk="id",
        foreign_keys=[("mention_id", "mentions", "id")],
        not_null={"mention_id", "model_version", "content_hash"},
    )
    db["analyses"].create_index(["mention_id", "model_version", "content_hash"], unique=True)
    db["analyses"].create_index(["content_hash", "model_version"])
    db["cursors"].create({"source": str, "state": str, "updated_at": str}, pk="source")
    db["runs"].create(
        {
            "id": int,
            "kind": str,
            "source": str,
            "started_at": str,
            "finished_at": str,
            "status": str,
            "collected": int,
            "new": int,
            "updated": int,
            "unchanged": int,
            "tagged": int,
            "skipped": int,
            "error": str,
            "details": str,
        },
        pk="id",
    )


def _v2_full_text_search(db: sqlite_utils.Database) -> None:
    # Search runs over the analysis text (normalized the same way as queries).
    db["mentions"].enable_fts(["analysis_text"], fts_version="FTS5", create_triggers=True,
                              tokenize="unicode61 remove_diacritics 0")


def _v3_text_fields(db: sqlite_utils.Database) -> None:
    # Filled by nlp when a mention is prepared: duplicate cluster, the brand
    # alias that matched (and where), and entities pulled out of the text.
    mentions = db["mentions"]
    mentions.add_column("cluster_id", int)
    mentions.add_column("brand_span", str)
    mentions.add_column("entities", str)
    mentions.create_index(["cluster_id"])


def _v4_leases(db: sqlite_utils.Database) -> None:
    # A lease per source keeps two collections of one source from overlapping,
    # whichever scheduler started them; an expired lease (a killed run) is taken over.
    db["leases"].create({"name": str, "owner": str, "acquired_at": str, "expires_at": str}, pk="name")


def _v5_speed_at_scale(db: sqlite_utils.Database) -> None:
    # Measured on a 1M-mention store (bench/bench_store.py, README "Speed").
    # 1. "Was this question answered?" looks up replies by (source, parent id); without
    #    an index every question scanned its whole source.
    db["mentions"].create_index(["source", "parent_external_id"], if_not_exists=True)
    # 2. Re-collecting a post refreshes its views and reactions; only a new analysis
    #    text has to touch the full-text index.
    db.execute('DROP TRIGGER IF EXISTS "mentions_au"')
    db.execute("""CREATE TRIGGER "mentions_au" AFTER UPDATE OF "analysis_text" ON "mentions" BEGIN
  INSERT INTO "mentions_fts" ("mentions_fts", rowid, "analysis_text") VALUES('delete', old.rowid, old."analysis_text");
  INSERT INTO "mentions_fts" (rowid, "analysis_text") VALUES (new.rowid, new."analysis_text");
END""")
    # 3. The model version whose analysis matches the current text (NULL: to tag), so
    #    finding what to tag reads the few pending rows, not every mention ever stored.
    db["mentions"].add_column("tagged_by", str)
    db.execute("""UPDATE mentions SET tagged_by = (
        SELECT a.model_version FROM analyses a WHERE a.mention_id = mentions.id
        AND a.content_hash = mentions.content_hash ORDER BY a.id DESC LIMIT 1)
        WHERE content_hash IS NOT NULL""")
    db["mentions"].create_index(["tagged_by"])


def _v6_digest_covering_index(db: sqlite_utils.Database) -> None:
    # The digest reads every mention of a brand and its competitors over three weeks;
    # this index holds every column it needs but the text, so it never reads the rows
    # (2-3x faster on a 1M store, bench/bench_digest.py). extra is read for questions only.
    db["mentions"].create_index(["brand", "published_at", "cluster_id", "source", "channel", "content_hash",
                                 "reactions", "forwards", "replies", "views", "external_id"],
                                index_name="idx_mentions_digest", if_not_exists=True)


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _v1_base_tables,
    _v2_full_text_search,
    _v3_text_fields,
    _v4_leases,
    _v5_speed_at_scale,
    _v6_digest_covering_index,
]
SCHEMA_VERSION = len(MIGRATIONS)
