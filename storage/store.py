"""The mention store: one SQLite file, WAL mode, written through sqlite-utils.

Every write happens in one ``BEGIN IMMEDIATE`` transaction, so two processes
writing at once queue on the busy timeout instead of failing with "database is
locked", and a crash mid-write leaves the file as it was before the write.
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator
from urllib.parse import quote

import sqlite_utils

from shenava.errors import StoreError
from shenava.mention import Mention
from shenava.storage.processes import process_is_gone, this_process
from shenava.storage.schema import MIGRATIONS, SCHEMA_VERSION

BUSY_TIMEOUT_MS = 60_000
_LOOKUP_CHUNK = 500
_FIELDS = ("permalink", "author", "channel", "published_at", "views", "reactions", "forwards", "replies",
           "parent_external_id", "extra")
# A brand given by the connector wins; an unset one keeps the stored (or later matched) brand.
_SET_FIELDS = ", ".join(f"{f} = ?" for f in _FIELDS) + ", brand = coalesce(?, brand)"
_INSERT_MENTION = (f"INSERT INTO mentions ({', '.join(_FIELDS)}, brand, source, external_id, raw_text, raw_hash, "
                   f"collected_at, updated_at, edited, revision) VALUES ({', '.join('?' * (len(_FIELDS) + 8))}, 1)")
_REFRESH_MENTION = f"UPDATE mentions SET {_SET_FIELDS} WHERE id = ?"
_EDIT_MENTION = (f"UPDATE mentions SET {_SET_FIELDS}, raw_text = ?, raw_hash = ?, edited = 1, revision = ?, "
                 "updated_at = ?, display_text = NULL, analysis_text = NULL, content_hash = NULL, language = NULL, "
                 "tagged_by = NULL WHERE id = ?")


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


@dataclass
class UpsertResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    ids: list[int] = field(default_factory=list)

    def __iadd__(self, other: "UpsertResult") -> "UpsertResult":
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.ids += other.ids
        return self


class Store:
    """Open with `Store.open(path)`; close with `.close()` or use as a context manager."""

    def __init__(self, db: sqlite_utils.Database, path: Path):
        self.db = db
        self.path = path

    # -- opening ---------------------------------------------------------------
    @classmethod
    def open(cls, path: Path | str, *, readonly: bool = False) -> "Store":
        path = Path(path)
        try:
            if readonly:
                conn = sqlite3.connect(_read_only_uri(path), uri=True, isolation_level=None,
                                       timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000,
                                       check_same_thread=False)
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"{path}: cannot open the store: {exc}") from None
        store = cls(sqlite_utils.Database(conn), path)
        try:
            store._configure(readonly)
            if not readonly:
                store._migrate()
            elif store.schema_version != SCHEMA_VERSION:
                raise StoreError(f"{path}: store has schema v{store.schema_version}, "
                                 f"this shenava needs v{SCHEMA_VERSION}; open it once read-write to migrate")
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(_explain(path, exc)) from None
        except StoreError:
            conn.close()
            raise
        return store

    def _configure(self, readonly: bool) -> None:
        conn = self.db.conn
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # Reading the header first turns "not a database" into an error here, not mid-run.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        if not readonly:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise StoreError(f"{self.path}: cannot switch the store to WAL mode (got {mode})")
            conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")

    @property
    def schema_version(self) -> int:
        return self.db.conn.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        current = self.schema_version
        if current > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: store has schema v{current}, newer than this shenava "
                             f"(v{SCHEMA_VERSION}); upgrade shenava")
        for version in range(current, SCHEMA_VERSION):
            with self.transaction():
                # Another process may have migrated while we waited for the lock.
                if self.schema_version > version:
                    continue
                MIGRATIONS[version](self.db)
                self.db.conn.execute(f"PRAGMA user_version = {version + 1}")

    def close(self) -> None:
        self.db.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """One write transaction; nested calls join the outer one."""
        conn = self.db.conn
        if conn.in_transaction:
            yield self.db
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as exc:
            raise StoreError(_explain(self.path, exc)) from None
        try:
            yield self.db
            conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise StoreError(_explain(self.path, exc)) from None
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    # -- sources and cursors ---------------------------------------------------
    def register_source(self, name: str, kind: str, brand: str | None, config: dict[str, Any]) -> None:
        with self.transaction() as db:
            row = {"name": name, "kind": kind, "brand": brand,
                   "config": json.dumps(config, ensure_ascii=False, default=str, sort_keys=True)}
            if db["sources"].count_where("name = ?", [name]):
                db["sources"].update(name, row)
            else:
                db["sources"].insert({**row, "first_seen": utcnow()})

    def get_cursor(self, source: str) -> dict[str, Any]:
        row = self.db.execute("SELECT state FROM cursors WHERE source = ?", [source]).fetchone()
        return json.loads(row[0]) if row else {}

    def save_cursor(self, source: str, state: dict[str, Any]) -> None:
        with self.transaction() as db:
            db["cursors"].upsert({"source": source, "state": json.dumps(state, sort_keys=True),
                                  "updated_at": utcnow()}, pk="source")

    # -- mentions --------------------------------------------------------------
    def upsert_mentions(self, source: str, mentions: Iterable[Mention],
                        collected_at: str | None = None) -> UpsertResult:
        """Insert new mentions, update edited ones in place, leave the rest.

        Idempotent on (source, external_id). An edit keeps the old text in
        `mention_revisions`; analyses of the old text stay in `analyses`.
        """
        collected_at = collected_at or utcnow()
        result = UpsertResult()
        mentions = list(mentions)
        # Plain SQL with one lookup per chunk: sqlite-utils' per-row insert/update
        # cost more than the writes themselves (bench/bench_pipeline.py).
        with self.transaction() as db:
            conn = db.conn
            known: dict[str, tuple[int, str, str, int]] = {}
            for start in range(0, len(mentions), _LOOKUP_CHUNK):
                ids = list({m.external_id for m in mentions[start:start + _LOOKUP_CHUNK]})
                known.update((row[0], row[1:]) for row in conn.execute(
                    "SELECT external_id, id, raw_hash, raw_text, revision FROM mentions "
                    f"WHERE source = ? AND external_id IN ({','.join('?' * len(ids))})", [source, *ids]))
            for m in mentions:
                raw_hash = text_hash(m.text)
                # The Mention's own attributes, not to_row(): asdict() deep-copies every field
                # and was two thirds of the cost of storing a batch.
                fields = [m.permalink, m.author, m.channel, m.published_at.astimezone(timezone.utc).isoformat(),
                          m.views, m.reactions, m.forwards, m.replies, m.parent_external_id,
                          json.dumps(m.extra, ensure_ascii=False, default=str, sort_keys=True), m.brand]
                existing = known.get(m.external_id)
                if existing is None:
                    pk = conn.execute(_INSERT_MENTION, [*fields, source, m.external_id, m.text, raw_hash,
                                                        collected_at, collected_at, int(m.edited)]).lastrowid
                    known[m.external_id] = (pk, raw_hash, m.text, 1)
                    result.new += 1
                else:
                    pk, old_hash, old_text, revision = existing
                    if old_hash == raw_hash:
                        # Engagement counters move on every re-read; the text did not change.
                        conn.execute(_REFRESH_MENTION, [*fields, pk])
                        result.unchanged += 1
                    else:
                        conn.execute("INSERT INTO mention_revisions (mention_id, revision, raw_text, raw_hash, "
                                     "replaced_at) VALUES (?, ?, ?, ?, ?)",
                                     [pk, revision, old_text, old_hash, collected_at])
                        # The new text has to be normalized and tagged again.
                        conn.execute(_EDIT_MENTION, [*fields, m.text, raw_hash, revision + 1, collected_at, pk])
                        known[m.external_id] = (pk, raw_hash, m.text, revision + 1)
                        result.updated += 1
                result.ids.append(pk)
        return result

    def store_collected(self, source: str, mentions: list[Mention], cursor: dict[str, Any] | None) -> UpsertResult:
        """Store a batch and, in the same transaction, the cursor that follows it."""
        with self.transaction():
            result = self.upsert_mentions(source, mentions)
            if cursor is not None:
                self.save_cursor(source, cursor)
                self.db.execute("UPDATE sources SET last_collected_at = ? WHERE name = ?", [utcnow(), source])
        return result

    def count(self, table: str = "mentions", where: str | None = None, params: list | None = None) -> int:
        return self.db[table].count_where(where, params) if where else self.db[table].count

    def mention(self, mention_id: int) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM mentions WHERE id = ?", [mention_id]))
        return rows[0] if rows else None

    def mention_by_external(self, source: str, external_id: str) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM mentions WHERE source = ? AND external_id = ?",
                                  [source, str(external_id)]))
        return rows[0] if rows else None

    # -- runs ------------------------------------------------------------------
    def start_run(self, kind: str, source: str | None = None, details: dict | None = None) -> int:
        with self.transaction() as db:
            self._close_abandoned_runs(db)
            details = {**(details or {}), "process": this_process()}
            return db["runs"].insert({"kind": kind, "source": source, "started_at": utcnow(),
                                      "status": "running",
                                      "details": json.dumps(details, ensure_ascii=False, default=str)}).last_pk

    @staticmethod
    def _close_abandoned_runs(db, stale_after: timedelta = timedelta(hours=24)) -> None:
        """A run killed mid-way never finishes its row; mark it so `stats` does not show it running forever."""
        cutoff = (datetime.now(timezone.utc) - stale_after).isoformat(timespec="seconds")
        for row in db.query("SELECT id, started_at, details FROM runs WHERE status = 'running'"):
            owner = (json.loads(row["details"] or "{}") or {}).get("process", "")
            if process_is_gone(owner) or row["started_at"] < cutoff:
                db["runs"].update(row["id"], {"status": "abandoned", "finished_at": utcnow(),
                                              "error": f"process {owner or '?'} ended without finishing the run "
                                                       "(killed or crashed); the next run picks up what it left"})

    def finish_run(self, run_id: int, status: str = "completed", error: str | None = None, **counts: int) -> None:
        with self.transaction() as db:
            db["runs"].update(run_id, {"finished_at": utcnow(), "status": status, "error": error, **counts})


def _read_only_uri(path: Path) -> str:
    uri = f"file:{quote(str(path))}?mode=ro"
    # On a read-only disk SQLite cannot create the -shm file WAL readers share; a store
    # left without a -wal file is complete in itself and can be read as immutable.
    wal = Path(f"{path}-wal")
    if path.exists() and not os.access(path.parent, os.W_OK) and (not wal.exists() or not wal.stat().st_size):
        uri += "&immutable=1"
    return uri


def _explain(path: Path, exc: sqlite3.DatabaseError) -> str:
    msg = str(exc)
    if "unable to open" in msg and path.exists() and not os.access(path.parent, os.W_OK):
        return (f"{path}: the store's folder is read-only (a read-only disk or mount?); writing needs it "
                f"writable for SQLite's -wal and -shm files: {msg}")
    if "not a database" in msg or "malformed" in msg:
        return f"{path}: not a valid SQLite store (corrupt or another kind of file): {msg}"
    if "readonly" in msg or "read-only" in msg:
        return f"{path}: the store is read-only (check file and folder permissions): {msg}"
    if "disk" in msg and "full" in msg or "disk I/O" in msg:
        return f"{path}: cannot write the store (disk full or failing): {msg}"
    if "locked" in msg or "busy" in msg:
        return f"{path}: the store stayed locked by another writer for {BUSY_TIMEOUT_MS // 1000}s: {msg}"
    return f"{path}: store error: {msg}"
