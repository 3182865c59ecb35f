"""The SQL behind a digest: one pass over the store into temp tables, then aggregates.

`DigestData.load()` copies the window's mentions of the brand and its
competitors (with each mention's current analysis) into a temp table, keyed by
local day, through the (brand, published_at) index. Every figure is then a
GROUP BY over that table or over its duplicate-free form, in which each
duplicate/forward cluster is one row per period (its earliest analysed member
stands for it; engagement and copies are summed over the cluster).

All of it runs inside one read transaction, so a collection writing at the
same time cannot make two figures of one digest disagree.
"""
from __future__ import annotations

import re
import sqlite3
import unicodedata
import uuid
from typing import Any, Iterable

from shenava.config import Brand
from shenava.digest.model import DigestError
from shenava.digest.period import Window

# Keys in mentions.extra that hold the brand's or seller's own answer to the mention.
REPLY_KEYS = ("seller_reply",)
# A complaint tagged without a category is counted under this one.
FALLBACK_CATEGORY = "other"
_JSON_LIST = "CASE WHEN json_valid({c}) AND json_type({c}) = 'array' THEN {c} ELSE '[]' END"


def norm_name(name: Any) -> str | None:
    """How a competitor name as written is matched to a configured name or alias."""
    if not isinstance(name, str):
        return None
    text = unicodedata.normalize("NFKC", name).replace("ي", "ی").replace("ك", "ک").replace("\u200c", " ")
    return re.sub(r"\s+", " ", text).strip().casefold() or None


class DigestData:
    """Temp tables for one digest; use as a context manager (drops them, ends the snapshot)."""

    def __init__(self, conn: sqlite3.Connection, window: Window, brand: Brand,
                 model_version: str | None = None):
        self.conn, self.window, self.brand, self.model_version = conn, window, brand, model_version
        self.entities = [brand.name, *[c.name for c in brand.competitors]]
        tag = uuid.uuid4().hex[:10]
        self.alias_t, self.m_t, self.pu_t, self.cmp_t = (f"dg_{tag}_{k}" for k in ("alias", "m", "pu", "cmp"))
        self._own_tx = False

    # -- lifecycle -------------------------------------------------------------
    def __enter__(self) -> "DigestData":
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN")
            self._own_tx = True
        try:
            self.conn.create_function("dg_norm", 1, norm_name, deterministic=True)
            self._load()
        except sqlite3.OperationalError as exc:
            self.__exit__(None, None, None)
            raise DigestError(f"cannot read the store for the digest: {exc}") from None
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        for t in (self.cmp_t, self.pu_t, self.m_t, self.alias_t):
            self.conn.execute(f"DROP TABLE IF EXISTS temp.{t}")
        if self._own_tx and self.conn.in_transaction:
            self.conn.execute("COMMIT")
        self._own_tx = False

    def q(self, sql: str, params: Any = ()) -> list[tuple]:
        return self.conn.execute(sql, params).fetchall()

    # -- loading -----------------------------------------------------------------
    def _load(self) -> None:
        c, w = self.conn, self.window
        c.execute(f"CREATE TEMP TABLE {self.alias_t} (alias TEXT PRIMARY KEY, ent TEXT NOT NULL)")
        groups = [(self.brand.name, self.brand.all_aliases())]
        groups += [(comp.name, [comp.name, *comp.aliases]) for comp in self.brand.competitors]
        for ent, aliases in groups:  # the brand first: an alias shared with a competitor stays ours
            forms = {f for a in aliases for f in (a, norm_name(a)) if f}
            c.executemany(f"INSERT OR IGNORE INTO {self.alias_t} VALUES (?, ?)", [(f, ent) for f in forms])

        bounds = w.bounds_utc()
        params: dict[str, Any] = {"start": bounds[0], "end": bounds[-1], "mv": self.model_version}
        cases = []
        for i, edge in enumerate(bounds[1:-1]):
            params[f"b{i}"] = edge
            cases.append(f"WHEN m.published_at < :b{i} THEN {i}")
        day_case = f"CASE {' '.join(cases)} ELSE {len(bounds) - 2} END" if cases else "0"
        reply_in_extra = " OR ".join(
            f"coalesce(json_type(m.extra, '$.{k}'), 'null') != 'null'" for k in REPLY_KEYS)
        mv = "AND x.model_version = :mv" if self.model_version else ""
        c.execute(f"""
            CREATE TEMP TABLE {self.m_t} AS
            SELECT m.id AS id, m.source AS source, m.channel AS channel, al.ent AS ent,
                   {day_case} AS day, m.published_at AS published_at,
                   coalesce(m.cluster_id * 2, m.id * 2 + 1) AS ckey, m.content_hash AS content_hash,
                   coalesce(m.reactions, 0) + coalesce(m.forwards, 0) + coalesce(m.replies, 0) AS eng,
                   coalesce(m.views, 0) AS views,
                   a.sentiment AS sentiment, a.complaint AS complaint, a.complaint_categories AS categories,
                   a.suggestion AS suggestion, a.comparison AS comparison, a.competitors AS competitors,
                   a.recommendation AS recommendation, a.question AS question,
                   -- When a question got its first reply ('' = a seller reply of unknown time).
                   CASE WHEN a.question = 1 THEN
                     CASE WHEN json_valid(m.extra) AND ({reply_in_extra}) THEN ''
                     -- min() over an expression: a bare min(published_at) lets SQLite walk the
                     -- published_at index for it instead of looking the replies up by parent.
                     ELSE (SELECT min(r.published_at || '') FROM mentions r WHERE r.source = m.source
                           AND r.parent_external_id = m.external_id) END
                   END AS reply_at
            FROM {self.alias_t} al
            JOIN mentions m ON m.brand = al.alias
            LEFT JOIN analyses a ON a.id = (
                SELECT x.id FROM analyses x WHERE x.mention_id = m.id AND x.content_hash = m.content_hash {mv}
                ORDER BY x.created_at DESC, x.id DESC LIMIT 1)
            WHERE m.published_at >= :start AND m.published_at < :end""", params)
        c.execute(f"CREATE INDEX temp.{self.m_t}_ent_day ON {self.m_t} (ent, day)")
        # One row per (entity, period, cluster): win 1 is the period, 0 the one before.
        c.execute(f"""
            CREATE TEMP TABLE {self.pu_t} AS
            SELECT * FROM (
              SELECT x.*,
                     ROW_NUMBER() OVER (PARTITION BY ent, win, ckey
                                        ORDER BY sentiment IS NULL, published_at, id) AS rn,
                     SUM(eng) OVER c AS ceng, SUM(views) OVER c AS cviews, COUNT(*) OVER c AS csize,
                     -- Answered by the end of its own period, so a past digest reads the same later.
                     MAX(reply_at IS NOT NULL AND reply_at < CASE WHEN win = 1 THEN :end ELSE :cur_start END)
                       OVER c AS canswered
              FROM (SELECT *, (day >= :cur0) AS win FROM {self.m_t} WHERE day >= :prev0) AS x
              WINDOW c AS (PARTITION BY ent, win, ckey)
            ) WHERE rn = 1""", {"cur0": w.cur0, "prev0": w.prev0, "end": bounds[-1], "cur_start": bounds[w.cur0]})
        c.execute(f"CREATE INDEX temp.{self.pu_t}_ent_win ON {self.pu_t} (ent, win)")
        # The brand's comparisons, one row per (cluster, competitor named); unknown names get ent ''.
        c.execute(f"""
            CREATE TEMP TABLE {self.cmp_t} AS
            SELECT c.*, coalesce(al.ent, '') AS comp FROM (
              SELECT u.id, u.ckey, u.ceng, u.csize, u.content_hash, u.sentiment,
                     CASE WHEN je.type = 'object' THEN json_extract(je.value, '$.name') ELSE je.value END AS name,
                     CASE WHEN je.type = 'object' THEN json_extract(je.value, '$.direction') END AS dir
              FROM {self.pu_t} u, json_each({_JSON_LIST.format(c='u.competitors')}) je
              WHERE u.ent = :brand AND u.win = 1 AND u.comparison = 1) AS c
            LEFT JOIN {self.alias_t} al ON al.alias = dg_norm(c.name) AND al.ent != :brand""",
                  {"brand": self.brand.name})

    # -- aggregates ----------------------------------------------------------------
    def period_counts(self) -> dict[tuple[str, int], dict[str, int]]:
        """Per (entity, win): clusters, mentions, analysed and each tag's count."""
        names = ["clusters", "mentions", "analysed", "positive", "negative", "neutral", "mixed", "complaints",
                 "suggestions", "comparisons", "recommends", "discourages", "questions", "unanswered",
                 "engagement"]
        rows = self.q(f"""
            SELECT ent, win, count(*), sum(csize), count(sentiment), sum(sentiment = 'positive'),
                   sum(sentiment = 'negative'), sum(sentiment = 'neutral'), sum(sentiment = 'mixed'),
                   sum(complaint = 1), sum(suggestion = 1), sum(comparison = 1),
                   sum(recommendation = 'recommends'), sum(recommendation = 'discourages'), sum(question = 1),
                   sum(question = 1 AND coalesce(canswered, 0) = 0), sum(ceng)
            FROM {self.pu_t} GROUP BY ent, win""")
        out = {(e, win): dict.fromkeys(names, 0) for e in self.entities for win in (0, 1)}
        for ent, win, *values in rows:
            out[(ent, win)] = {n: int(v or 0) for n, v in zip(names, values)}
        return out

    def daily(self) -> dict[str, list[tuple[int, int, int, int]]]:
        """Per entity, per loaded day: (clusters, analysed, positive, negative); a cluster once a day."""
        n = len(self.window.days)
        out = {e: [(0, 0, 0, 0)] * n for e in self.entities}
        for ent, day, *vals in self.q(f"""
                SELECT ent, day, count(*), count(sentiment), sum(sentiment = 'positive'),
                       sum(sentiment = 'negative')
                FROM (SELECT ent, day, sentiment,
                             ROW_NUMBER() OVER (PARTITION BY ent, day, ckey
                                                ORDER BY sentiment IS NULL, published_at, id) AS rn
                      FROM {self.m_t})
                WHERE rn = 1 GROUP BY ent, day"""):
            out[ent] = [*out[ent]]
            out[ent][day] = tuple(int(v or 0) for v in vals)
        return out

    def complaint_categories(self) -> dict[str, tuple[int, int]]:
        """category -> (clusters this period, clusters the period before)."""
        cats = _JSON_LIST.format(c="u.categories")
        rows = self.q(f"""
            SELECT coalesce(je.value, :other) AS cat, u.win, count(DISTINCT u.ckey)
            FROM {self.pu_t} u LEFT JOIN json_each({cats}) je
            WHERE u.ent = :brand AND u.complaint = 1 GROUP BY cat, u.win""",
                      {"brand": self.brand.name, "other": FALLBACK_CATEGORY})
        out: dict[str, list[int]] = {}
        for cat, win, count in rows:
            out.setdefault(str(cat), [0, 0])[1 - win] = count
        return {k: (v[0], v[1]) for k, v in out.items()}

    def comparisons(self) -> list[tuple[str, str, int]]:
        """(competitor or '', direction, clusters)."""
        return self.q(f"SELECT comp, coalesce(dir, ''), count(DISTINCT ckey) FROM {self.cmp_t} GROUP BY comp, dir")

    def comparison_names(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for comp, name in self.q(f"SELECT DISTINCT comp, name FROM {self.cmp_t} WHERE name IS NOT NULL "
                                 f"ORDER BY comp, name"):
            out.setdefault(comp, []).append(str(name))
        return out

    def voice_via_comparisons(self) -> dict[str, int]:
        return dict(self.q(f"SELECT comp, count(DISTINCT ckey) FROM {self.cmp_t} WHERE comp != '' GROUP BY comp"))

    def sources(self, limit: int = 10) -> list[tuple]:
        return self.q(f"""
            SELECT source, channel, count(*), count(DISTINCT ckey), sum(eng), sum(views) FROM {self.m_t}
            WHERE ent = :brand AND day >= :cur0 GROUP BY source, channel
            ORDER BY 3 DESC, 5 DESC, source, channel LIMIT :limit""",
                      {"brand": self.brand.name, "cur0": self.window.cur0, "limit": limit})

    # -- picking quotes ---------------------------------------------------------------
    def top(self, table: str, where: str, params: dict[str, Any], group: str = "''", k: int = 3,
            join: str = "") -> dict[str, list[tuple[int, int, int, str | None]]]:
        """Per group, the k most engaged rows (id, engagement, copies, sentiment), one per distinct text."""
        rows = self.q(f"""
            SELECT g, id, ceng, csize, sentiment FROM (
              SELECT *, ROW_NUMBER() OVER (PARTITION BY g ORDER BY ceng DESC, csize DESC, id) AS r FROM (
                SELECT {group} AS g, u.id, u.ceng, u.csize, u.sentiment,
                       ROW_NUMBER() OVER (PARTITION BY {group}, coalesce(u.content_hash, u.id)
                                          ORDER BY u.ceng DESC, u.id) AS d
                FROM {table} u {join} WHERE {where}) WHERE d = 1)
            WHERE r <= :k ORDER BY g, r""", {**params, "k": k})
        out: dict[str, list[tuple[int, int, int, str | None]]] = {}
        for g, *rest in rows:
            out.setdefault(str(g), []).append(tuple(rest))  # type: ignore[arg-type]
        return out

    def category_quotes(self, k: int) -> dict[str, list[tuple]]:
        group = f"coalesce(je.value, '{FALLBACK_CATEGORY}')"
        return self.top(self.pu_t, "u.ent = :brand AND u.win = 1 AND u.complaint = 1",
                        {"brand": self.brand.name}, group=group, k=k,
                        join=f"LEFT JOIN json_each({_JSON_LIST.format(c='u.categories')}) je")

    def comparison_quotes(self, k: int) -> dict[str, list[tuple]]:
        """Keyed 'competitor|direction'."""
        return self.top(self.cmp_t, "u.dir IN ('better', 'worse')", {}, group="u.comp || '|' || u.dir", k=k)

    def texts(self, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        ids = list(dict.fromkeys(ids))
        out: dict[int, dict[str, Any]] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            cur = self.conn.execute(
                "SELECT id, display_text, raw_text, analysis_text, permalink, source, channel, published_at "
                f"FROM mentions WHERE id IN ({','.join('?' * len(chunk))})", chunk)
            cols = [d[0] for d in cur.description]
            out.update({row[0]: dict(zip(cols, row)) for row in cur})
        return out

    # -- inputs for text grouping (bounded, most engaged first) ---------------------------
    def suggestion_texts(self, limit: int) -> list[tuple[int, str, int, int]]:
        return self.q(f"""
            SELECT u.id, coalesce(m.analysis_text, m.raw_text), u.ceng, u.csize FROM {self.pu_t} u
            JOIN mentions m ON m.id = u.id
            WHERE u.ent = :brand AND u.win = 1 AND u.suggestion = 1
            ORDER BY u.ceng DESC, u.id LIMIT :limit""", {"brand": self.brand.name, "limit": limit})

    def day_units(self, day: int, negative_only: bool) -> str:
        """A temp table of the brand's clusters on one day; the caller drops it."""
        name = f"{self.m_t}_d{day}{'n' if negative_only else ''}"
        self.conn.execute(f"DROP TABLE IF EXISTS temp.{name}")
        self.conn.execute(f"""
            CREATE TEMP TABLE {name} AS SELECT * FROM (
              SELECT *, ROW_NUMBER() OVER (PARTITION BY ckey ORDER BY sentiment IS NULL, published_at, id) AS rn,
                     SUM(eng) OVER (PARTITION BY ckey) AS ceng, COUNT(*) OVER (PARTITION BY ckey) AS csize
              FROM {self.m_t} WHERE ent = :brand AND day = :day)
            WHERE rn = 1 {"AND sentiment = 'negative'" if negative_only else ""}""",
                          {"brand": self.brand.name, "day": day})
        return name

    def unit_texts(self, table: str, limit: int) -> list[str]:
        return [t for (t,) in self.q(f"""
            SELECT coalesce(m.analysis_text, m.raw_text) FROM {table} u JOIN mentions m ON m.id = u.id
            ORDER BY u.ceng DESC, u.id LIMIT :limit""", {"limit": limit}) if t]

    def baseline_texts(self, day: int, days: int, negative_only: bool, limit: int) -> list[str]:
        neg = "AND t.sentiment = 'negative'" if negative_only else ""
        return [t for (t,) in self.q(f"""
            SELECT coalesce(m.analysis_text, m.raw_text) FROM {self.m_t} t JOIN mentions m ON m.id = t.id
            WHERE t.ent = :brand AND t.day >= :lo AND t.day < :day {neg}
            ORDER BY t.id DESC LIMIT :limit""",
                                     {"brand": self.brand.name, "lo": max(0, day - days), "day": day,
                                      "limit": limit}) if t]
