"""Full-text search over stored mentions (SQLite FTS5 over the analysis text).

The query goes through the same analysis normalization as the mentions, so
«نمی‌خرم», «نمیخرم» and «نمي خرم» find the same rows. The user's syntax is
small and always safe: words (all must match), "a phrase", and prefix*.
A Latin word also matches its Finglish reading («kheili» finds «خیلی») and a
colloquial word its formal form and back («خونه» / «خانه», from hazm's list).
Every term is passed to FTS5 as a quoted string inside one bound parameter,
so operators such as NEAR( or a lone quote cannot break the query.
"""
from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from functools import cache

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
_TOKEN = re.compile(r"[^\W_]+")  # what FTS5's unicode61 tokenizer calls a token


@cache
def _normalizers():
    from shenava.nlp.text.normalize import TextNormalizer

    return TextNormalizer(), TextNormalizer(analysis_steps={"transliterate_finglish": False})


@cache
def _colloquial_pairs() -> dict[str, set[str]]:
    from shenava.nlp.text.lexicon import informal_words

    pairs: dict[str, set[str]] = {}
    for informal, formal in informal_words().items():
        if " " not in formal and informal != formal:
            pairs.setdefault(informal, {informal}).add(formal)
            pairs.setdefault(formal, {formal}).add(informal)
    return pairs


def _readings(text: str) -> list[list[str]]:
    """Token lists the text may be stored as: as normalized, and with Latin words
    left Latin when that differs (an English post keeps its Latin words)."""
    with_finglish, latin_kept = (n.analysis(text) for n in _normalizers())
    readings = [_TOKEN.findall(with_finglish)]
    kept = _TOKEN.findall(latin_kept)
    if kept != readings[0]:
        readings.append(kept)
    return [r for r in readings if r]


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _term(token: str, prefix: bool = False) -> str:
    star = "*" if prefix else ""
    forms = sorted(_colloquial_pairs().get(token, {token})) if not prefix else [token]
    alternatives = [_quote(f) + star for f in forms]
    return alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")"


def _any_of(expressions: list[str]) -> str:
    expressions = list(dict.fromkeys(expressions))
    return expressions[0] if len(expressions) == 1 else "(" + " OR ".join(expressions) + ")"


def build_match(query: str) -> str:
    """The FTS5 MATCH expression for a user query, every term quoted."""
    terms: list[str] = []
    run: list[str] = []  # plain words are normalized together, so «نمي خرم» joins like the stored text

    def flush() -> None:
        if run:
            readings = _readings(" ".join(run))
            if readings:
                terms.append(_any_of([" AND ".join(_term(t) for t in tokens) for tokens in readings]))
            run.clear()

    for phrase, word in _PIECE.findall(query):
        if phrase:
            flush()
            readings = _readings(phrase)
            if readings:
                terms.append(_any_of([_quote(" ".join(tokens)) for tokens in readings]))
        elif word.endswith("*") and word.strip("*"):
            flush()
            readings = _readings(word.strip("*"))
            if readings:
                terms.append(_any_of([" AND ".join([_term(t) for t in tokens[:-1]] + [_term(tokens[-1], True)])
                                      for tokens in readings]))
        else:
            run.append(word)
    flush()
    if not terms:
        raise SearchError(f"nothing to search for in {query!r}: give at least one word")
    return " AND ".join(terms)


# BM25 over every match costs ~2 µs a match: 0.5-0.8 s for a word in a third of a
# 1M-mention store. Ranking only the newest RECENT matches keeps p95 far under 200 ms
# there (bench/bench_store.py); a listening team wants what is being said now, and a
# query with fewer matches than that ranks all of them, exactly as before.
RECENT = 5000


def search(store: Store, query: str, limit: int = 20, brand: str | None = None,
           recent: int = RECENT) -> list[SearchHit]:
    """Mentions matching `query`, best first (BM25) among the `recent` newest matches
    (by collection order), with the match marked [like this]."""
    if limit < 1:
        raise SearchError(f"search limit must be at least 1, got {limit}")
    match = build_match(query)
    window = "SELECT mentions_fts.rowid AS id, bm25(mentions_fts) AS rank FROM mentions_fts "
    params: list = [match]
    if brand:
        window += "JOIN mentions b ON b.id = mentions_fts.rowid WHERE mentions_fts MATCH ? AND b.brand = ? "
        params.append(brand)
    else:
        window += "WHERE mentions_fts MATCH ? "
    window += "ORDER BY mentions_fts.rowid DESC LIMIT ?"
    try:
        ranked = store.db.execute(f"SELECT id, rank FROM ({window}) ORDER BY rank LIMIT ?",
                                  [*params, recent, limit]).fetchall()
        if not ranked:
            return []
        ids = [i for i, _ in ranked]
        marks = ",".join("?" * len(ids))
        # Snippets for the winners only, in one pass over their rowid range: an indexed
        # rowid IN re-merges a prefix query's doclists for every row (30 ms each at 1M),
        # hence the unary + that keeps the IN a plain filter.
        snippets = dict(store.db.execute(
            "SELECT rowid, snippet(mentions_fts, 0, '[', ']', '…', 16) FROM mentions_fts WHERE mentions_fts "
            f"MATCH ? AND rowid BETWEEN ? AND ? AND +rowid IN ({marks})", [match, min(ids), max(ids), *ids]))
        rows = {r[0]: r for r in store.db.execute(
            f"SELECT id, source, published_at, permalink, brand FROM mentions WHERE id IN ({marks})", ids)}
    except sqlite3.OperationalError as exc:
        raise SearchError(f"search for {query!r} failed: {exc}") from None
    return [SearchHit(*rows[i], snippets.get(i, ""), rank) for i, rank in ranked if i in rows]
