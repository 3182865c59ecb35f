"""The SQL behind a digest: one pass over the store into temp tables, then aggregates.

Loading copies the period's and the previous period's mentions of the brand
and its competitors (with each mention's current analysis) into a temp table
keyed by local day; the history days before them (chart and spike baseline)
are only counted per day, straight from the store. Every figure is then a
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
        self._daily: dict[str, list[tuple[int, int, int, int]]] | None = None

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
        day_params = {f"b{i}": edge for i, edge in enumerate(bounds[1:-1])}
        cases = " ".join(f"WHEN m.published_at < :b{i} THEN {i}" for i in range(len(bounds) - 2))
        day_case = f"CASE {cases} ELSE {len(bounds) - 2} END" if cases else "0"
        mv = "AND x.model_version = :mv" if self.model_version else ""
        # The current analysis: the newest row for the mention's current text (by one model if given).
        # "brand IN" lets SQLite read the (brand, published_at, ...) covering index of migration v6.
        self._from = f"""FROM mentions m JOIN {self.alias_t} al ON al.alias = m.brand
            LEFT JOIN analyses a ON a.id = (SELECT max(x.id) FROM analyses x WHERE x.mention_id = m.id
                                            AND x.content_hash = m.content_hash {mv})
            WHERE m.brand IN (SELECT alias FROM {self.alias_t})
              AND m.published_at >= :lo AND m.published_at < :hi"""
        base = {**day_params, "mv": self.model_version}
        # Sorts analysed before unanalysed, then by time; the id only breaks exact ties.
        rk = "(a.sentiment IS NULL) || m.published_at || '#' || m.id"
        # Days before the previous period feed only the daily series (chart, spike baseline):
        # counted straight from the store, never copied.
        self._history = self.q(f"""
            SELECT ent, day, count(*), count(s), sum(s = 'positive'), sum(s = 'negative') FROM (
              SELECT al.ent AS ent, {day_case} AS day, coalesce(m.cluster_id * 2, m.id * 2 + 1) AS ckey,
                     min({rk}), a.sentiment AS s {self._from} GROUP BY ent, day, ckey)
            GROUP BY ent, day""", {**base, "lo": bounds[0], "hi": bounds[w.prev0]}) if w.prev0 else []
        reply_in_extra = " OR ".join(
            f"coalesce(json_type(m.extra, '$.{k}'), 'null') != 'null'" for k in REPLY_KEYS)
        # The period and the one before, one row per mention; id is the rowid so lookups are free.
        c.execute(f"""
            CREATE TEMP TABLE {self.m_t} (id INTEGER PRIMARY KEY, ent TEXT, day INTEGER, ckey INTEGER, rk TEXT,
              source TEXT, channel TEXT, content_hash TEXT, eng INTEGER, views INTEGER, sentiment TEXT,
              complaint INTEGER, categories TEXT, suggestion INTEGER, comparison INTEGER, competitors TEXT,
              recommendation TEXT, question INTEGER, reply_at TEXT)""")
        c.execute(f"""
            INSERT INTO {self.m_t}
            SELECT m.id, al.ent, {day_case}, coalesce(m.cluster_id * 2, m.id * 2 + 1),
                   -- which member stands for its cluster: the earliest analysed one
                   {rk}, m.source, m.channel, m.content_hash,
                   coalesce(m.reactions, 0) + coalesce(m.forwards, 0) + coalesce(m.replies, 0),
                   coalesce(m.views, 0), a.sentiment, a.complaint,
                   CASE WHEN a.complaint = 1 THEN a.complaint_categories END, a.suggestion, a.comparison,
                   CASE WHEN a.comparison = 1 THEN a.competitors END, a.recommendation, a.question,
                   -- when a question got its first reply ('' = a seller reply of unknown time)
                   CASE WHEN a.question = 1 THEN
                     CASE WHEN json_valid(m.extra) AND ({reply_in_extra}) THEN ''
                     -- min() over an expression: a bare min(published_at) lets SQLite walk the
                     -- published_at index for it instead of looking the replies up by parent.
                     ELSE (SELECT min(r.published_at || '') FROM mentions r WHERE r.source = m.source
                           AND r.parent_external_id = m.external_id) END
                   END
            {self._from}""", {**base, "lo": bounds[w.prev0], "hi": bounds[-1]})
        # (ent, day, ckey): the daily series groups in index order, with no sort.
        c.execute(f"CREATE INDEX temp.{self.m_t}_ent_day ON {self.m_t} (ent, day, ckey)")
        # One row per (entity, period, cluster): win 1 is the period, 0 the one before. With a
        # single min() in the query SQLite takes the bare columns from the row holding that
        # min, i.e. the cluster's representative; one GROUP BY instead of window functions.
        # The grouping sorts only narrow rows; the representative's tags are joined back by rowid.
        c.execute(f"""
            CREATE TEMP TABLE {self.pu_t} AS
            SELECT g.ent, g.win, g.ckey, g.id, r.source, r.channel, r.content_hash, r.sentiment, r.complaint,
                   r.categories, r.suggestion, r.comparison, r.competitors, r.recommendation, r.question,
                   g.ceng, g.cviews, g.csize, g.canswered
            FROM (SELECT ent, (day >= :cur0) AS win, ckey, min(rk), id, sum(eng) AS ceng, sum(views) AS cviews,
                         count(*) AS csize,
                         -- Answered by the end of its own period, so a past digest reads the same later.
                         sum(reply_at IS NOT NULL AND reply_at < CASE WHEN day >= :cur0 THEN :end
                                                                 ELSE :cur_start END) > 0 AS canswered
                  FROM {self.m_t} GROUP BY ent, win, ckey) AS g
            JOIN {self.m_t} r ON r.id = g.id""",
                  {"cur0": w.cur0, "end": bounds[-1], "cur_start": bounds[w.cur0]})
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
        if self._daily is None:
            n = len(self.window.days)
            out = {e: [(0, 0, 0, 0)] * n for e in self.entities}
            rows = self._history + self.q(f"""
                SELECT ent, day, count(*), count(sentiment), sum(sentiment = 'positive'), sum(sentiment = 'negative')
                FROM (SELECT ent, day, ckey, min(rk), sentiment FROM {self.m_t} GROUP BY ent, day, ckey)
                GROUP BY ent, day""")
            for ent, day, *vals in rows:
                out[ent] = [*out[ent]]
                out[ent][day] = tuple(int(v or 0) for v in vals)
            self._daily = out
        return self._daily

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
    def suggestion_texts(self, limit: int) -> list[tuple[int, str, int, int, str]]:
        """(id, analysis text, engagement, copies, display text) of the period's suggestions."""
        return self.q(f"""
            SELECT u.id, coalesce(m.analysis_text, m.raw_text), u.ceng, u.csize,
                   coalesce(m.display_text, m.raw_text) FROM {self.pu_t} u
            JOIN mentions m ON m.id = u.id
            WHERE u.ent = :brand AND u.win = 1 AND u.suggestion = 1
            ORDER BY u.ceng DESC, u.id LIMIT :limit""", {"brand": self.brand.name, "limit": limit})

    def day_units(self, day: int, negative_only: bool) -> str:
        """A temp table of the brand's clusters on one day; the caller drops it."""
        name = f"{self.m_t}_d{day}{'n' if negative_only else ''}"
        self.conn.execute(f"DROP TABLE IF EXISTS temp.{name}")
        self.conn.execute(f"""
            CREATE TEMP TABLE {name} AS SELECT * FROM (
              SELECT ckey, min(rk), id, sentiment, content_hash, sum(eng) AS ceng, count(*) AS csize
              FROM {self.m_t} WHERE ent = :brand AND day = :day GROUP BY ckey)
            {"WHERE sentiment = 'negative'" if negative_only else ""}""", {"brand": self.brand.name, "day": day})
        return name

    def unit_texts(self, table: str, limit: int) -> list[tuple[str, str]]:
        """(analysis text, display text) of a day's clusters, most engaged first."""
        return [(t, d) for t, d in self.q(f"""
            SELECT coalesce(m.analysis_text, m.raw_text), coalesce(m.display_text, m.raw_text)
            FROM {table} u JOIN mentions m ON m.id = u.id
            ORDER BY u.ceng DESC, u.id LIMIT :limit""", {"limit": limit}) if t]

    def baseline_texts(self, day: int, days: int, negative_only: bool, limit: int) -> list[str]:
        """The brand's most recent mention texts in the `days` before `day` (negative ones only if asked)."""
        bounds = self.window.bounds_utc()
        neg = "AND a.sentiment = 'negative'" if negative_only else ""
        ids = [i for (i,) in self.q(f"""
            SELECT m.id {self._from} AND al.ent = :brand {neg} ORDER BY m.published_at DESC LIMIT :limit""",
                                    {"lo": bounds[max(0, day - days)], "hi": bounds[day], "brand": self.brand.name,
                                     "mv": self.model_version, "limit": limit})]
        texts = self.texts(ids)
        return [t for t in (texts[i]["analysis_text"] or texts[i]["raw_text"] for i in ids if i in texts) if t]
