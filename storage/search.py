"""Full-text search over stored mentions (SQLite FTS5 over the analysis text).

The query goes through the same analysis normalization as the mentions, so
«نمی‌خرم», «نمیخرم» and «نمي خرم» find the same rows. The user's syntax is
small and always safe: words (all must match), "a phrase", and prefix* —
every piece is passed to FTS5 as a quoted string through a parameter, so
operators such as NEAR( or a lone quote cannot break the query.
"""
from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from shenava.errors import ShenavaError
from shenava.storage.store import Store


class SearchError(ShenavaError):
    """The query cannot be searched (nothing searchable left after normalization)."""


@dataclass
class SearchHit:
    mention_id: int
    source: str
    published_at: str
    permalink: str | None
    brand: str | None
    snippet: str
    rank: float


_PIECE = re.compile(r'"([^"]*)"|(\S+)')


def build_match(query: str) -> str:
    """The FTS5 MATCH expression for a user query, every term quoted."""
    from shenava.nlp.text import prepare

    def tokens(text: str) -> list[str]:
        return re.findall(r"\w+", prepare(text).analysis)

    terms: list[str] = []
    run: list[str] = []  # plain words are normalized together, so «نمي خرم» joins like the stored text

    def flush() -> None:
        terms.extend(f'"{t}"' for t in tokens(" ".join(run)))
        run.clear()

    for phrase, word in _PIECE.findall(query):
        if phrase:
            flush()
            found = tokens(phrase)
            if found:
                terms.append('"' + " ".join(found) + '"')
        elif word.endswith("*") and word.strip("*"):
            flush()
            found = tokens(word.strip("*"))
            if found:
                terms.extend([f'"{t}"' for t in found[:-1]] + [f'"{found[-1]}"*'])
        else:
            run.append(word)
    flush()
    if not terms:
        raise SearchError(f"nothing to search for in {query!r}: give at least one word")
    return " AND ".join(terms)


def search(store: Store, query: str, limit: int = 20, brand: str | None = None) -> list[SearchHit]:
    match = build_match(query)
    sql = ("SELECT m.id, m.source, m.published_at, m.permalink, m.brand, "
           "snippet(mentions_fts, 0, '[', ']', '…', 16), bm25(mentions_fts) AS rank "
           "FROM mentions_fts JOIN mentions m ON m.id = mentions_fts.rowid "
           "WHERE mentions_fts MATCH ?")
    params: list = [match]
    if brand:
        sql += " AND m.brand = ?"
        params.append(brand)
    sql += " ORDER BY rank LIMIT ?"
    params.append(limit)
    try:
        rows = store.db.execute(sql, params).fetchall()
    except sqlite3.OperationalError as exc:
        raise SearchError(f"search for {query!r} failed: {exc}") from None
    return [SearchHit(*row) for row in rows]
