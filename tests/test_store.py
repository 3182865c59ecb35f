"""The mention store: idempotent upserts, edits, migrations, two writers, bad files."""
from __future__ import annotations

import multiprocessing
import os
import sqlite3
import stat
from datetime import datetime, timedelta, timezone

import pytest
import sqlite_utils

from shenava.errors import StoreError
from shenava.mention import Mention
from shenava.storage import Store
from shenava.storage.schema import MIGRATIONS, SCHEMA_VERSION

T0 = datetime(2026, 11, 20, 9, 30, tzinfo=timezone(timedelta(hours=3, minutes=30)))


def mention(ext_id: str, text: str, **kw) -> Mention:
    return Mention(external_id=ext_id, text=text, published_at=T0, **kw)


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "s.db") as s:
        yield s


def test_open_sets_wal_busy_timeout_and_latest_schema(store):
    conn = store.db.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 30_000
    assert store.schema_version == SCHEMA_VERSION
    assert {"sources", "mentions", "analyses", "cursors", "runs"} <= set(store.db.table_names())


def test_upsert_is_idempotent_on_source_and_external_id(store):
    batch = [mention("101", "سفارشم دیر رسید 😡"), mention("102", "kheili khoob bood mamnoon")]
    first = store.upsert_mentions("chan", batch)
    again = store.upsert_mentions("chan", batch)
    assert (first.new, first.updated, first.unchanged) == (2, 0, 0)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)
    assert again.ids == first.ids
    assert store.count() == 2
    # The same external id in another source is another mention.
    store.upsert_mentions("other", [mention("101", "سفارشم دیر رسید 😡")])
    assert store.count() == 3


def test_recollection_refreshes_engagement_without_a_new_revision(store):
    store.upsert_mentions("chan", [mention("7", "قیمتاش خیلی رفته بالا", views=100)])
    store.upsert_mentions("chan", [mention("7", "قیمتاش خیلی رفته بالا", views=1200)])
    row = store.mention_by_external("chan", "7")
    assert row["views"] == 1200 and row["revision"] == 1 and row["edited"] == 0


def test_edited_message_updates_in_place_and_keeps_history(store):
    [mid] = store.upsert_mentions("chan", [mention("9", "غذا سرد بود")]).ids
    store.db.execute("UPDATE mentions SET analysis_text = 'غذا سرد بود', content_hash = 'h1' WHERE id = ?", [mid])
    store.db["analyses"].insert({"mention_id": mid, "model_version": "m1", "content_hash": "h1",
                                 "sentiment": "negative"})
    result = store.upsert_mentions("chan", [mention("9", "غذا سرد بود، ولی پشتیبانی سریع جبران کرد", edited=True)])
    assert (result.new, result.updated) == (0, 1) and result.ids == [mid]
    row = store.mention(mid)
    assert row["raw_text"].endswith("جبران کرد") and row["revision"] == 2 and row["edited"] == 1
    # The new text needs analysis again; the analysis of the old text is kept as history.
    assert row["content_hash"] is None
    assert store.count("analyses", "mention_id = ?", [mid]) == 1
    old = list(store.db.query("SELECT raw_text, revision FROM mention_revisions WHERE mention_id = ?", [mid]))
    assert old == [{"raw_text": "غذا سرد بود", "revision": 1}]


def test_cursor_is_saved_with_its_batch(store):
    store.store_collected("chan", [mention("1", "سلام")], cursor={"last_id": 1})
    assert store.get_cursor("chan") == {"last_id": 1}
    assert store.get_cursor("never-seen") == {}


def test_failed_batch_leaves_neither_mentions_nor_cursor(store, monkeypatch):
    store.store_collected("chan", [mention("1", "اولی")], cursor={"last_id": 1})

    def boom(*a, **k):
        raise RuntimeError("disk went away")

    monkeypatch.setattr(store, "save_cursor", boom)
    with pytest.raises(RuntimeError):
        store.store_collected("chan", [mention("2", "دومی")], cursor={"last_id": 2})
    assert store.count() == 1
    monkeypatch.undo()
    assert store.get_cursor("chan") == {"last_id": 1}


def test_migrates_an_older_schema_and_keeps_its_rows(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    MIGRATIONS[0](db)  # a store written by the first release
    db.conn.execute("PRAGMA user_version = 1")
    db["mentions"].insert({"source": "chan", "external_id": "5", "raw_text": "کیفیتش عالیه، راضیم",
                           "raw_hash": "x", "published_at": T0.isoformat(), "collected_at": T0.isoformat(),
                           "analysis_text": "کیفیتش عالیه راضیم"})
    db.conn.commit()
    db.close()
    with Store.open(path) as s:
        assert s.schema_version == SCHEMA_VERSION
        assert s.count() == 1
        assert "cluster_id" in s.db["mentions"].columns_dict
        # Migration v2 indexes rows that existed before it.
        hits = s.db.execute("SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH ?", ["راضیم"]).fetchall()
        assert len(hits) == 1


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "future.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    with pytest.raises(StoreError, match="newer than this shenava"):
        Store.open(path)


def test_corrupt_file_gives_a_clear_error_and_is_left_alone(tmp_path):
    path = tmp_path / "shenava.db"
    junk = b"this is not sqlite at all\n" * 200
    path.write_bytes(junk)
    with pytest.raises(StoreError, match=r"shenava\.db: not a valid SQLite store"):
        Store.open(path)
    assert path.read_bytes() == junk


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_read_only_file_gives_a_clear_error(tmp_path):  # pragma: no cover - runs as non-root
    path = tmp_path / "ro.db"
    with Store.open(path) as s:
        s.upsert_mentions("chan", [mention("1", "سلام")])
    path.chmod(stat.S_IRUSR)
    with pytest.raises(StoreError, match="read-only"):
        with Store.open(path) as s:
            s.upsert_mentions("chan", [mention("2", "دو")])


def test_read_only_open_refuses_writes_and_keeps_rows(tmp_path):
    path = tmp_path / "ro.db"
    with Store.open(path) as s:
        s.upsert_mentions("chan", [mention("1", "سلام")])
    with Store.open(path, readonly=True) as ro:
        with pytest.raises(StoreError, match="read-only"):
            ro.upsert_mentions("chan", [mention("2", "دو")])
    with Store.open(path) as s:
        assert s.count() == 1 and s.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _writer(path: str, source: str, n: int, start: multiprocessing.Event) -> None:
    start.wait()
    with Store.open(path) as s:
        for i in range(n):
            # Small transactions interleave with the other process as much as possible.
            s.store_collected(source, [Mention(f"{i}", f"پیام شماره {i} از {source}", T0)], cursor={"last": i})


def test_two_writers_at_once_do_not_hit_database_is_locked(tmp_path):
    path = str(tmp_path / "shared.db")
    Store.open(path).close()
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    procs = [ctx.Process(target=_writer, args=(path, name, 150, start)) for name in ("a", "b")]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0]
    with Store.open(path) as s:
        assert s.count() == 300
        assert s.get_cursor("a") == {"last": 149} and s.get_cursor("b") == {"last": 149}


def test_a_lease_is_exclusive_until_released_or_expired(store):
    from shenava.storage.leases import LeaseHeld, lease

    store.db.execute("INSERT INTO leases VALUES ('collect:chan', 'other-host:1', '2026-11-23T08:00:00+00:00', "
                     "'2999-01-01T00:00:00+00:00')")
    with pytest.raises(LeaseHeld, match="collect:chan is already running.*other-host:1"):
        with lease(store, "collect:chan"):
            pass
    # A holder killed long ago does not block forever.
    store.db.execute("UPDATE leases SET expires_at = '2000-01-01T00:00:00+00:00'")
    with lease(store, "collect:chan") as owner:
        assert store.db.execute("SELECT owner FROM leases").fetchone()[0] == owner
    assert store.count("leases") == 0


def test_a_killed_runs_row_is_marked_abandoned_by_the_next_run(store):
    child = multiprocessing.get_context("fork").Process(target=os._exit, args=(0,))
    child.start()
    child.join()
    killed = store.start_run("collect", "telegram-a")
    dead = f"{os.uname().nodename}:{child.pid}"
    store.db.execute("UPDATE runs SET details = ? WHERE id = ?", [f'{{"process": "{dead}"}}', killed])
    store.db.conn.commit()
    alive = store.start_run("analyze")
    stale = store.start_run("digest")
    rows = {r["id"]: r for r in store.db.query("SELECT id, status, error FROM runs")}
    assert rows[killed]["status"] == "abandoned" and dead in rows[killed]["error"]
    # a run whose process still exists keeps running
    assert rows[alive]["status"] == "running" and rows[stale]["status"] == "running"


def test_a_run_from_another_machine_is_abandoned_only_after_a_day(store):
    old = store.start_run("collect", "site")
    store.db.execute("UPDATE runs SET details = ?, started_at = ? WHERE id = ?",
                     ['{"process": "other-host:12"}', (datetime.now(timezone.utc) - timedelta(hours=25)).isoformat(timespec="seconds"), old])
    recent = store.start_run("collect", "site2")
    store.db.execute("UPDATE runs SET details = ? WHERE id = ?", ['{"process": "other-host:13"}', recent])
    store.db.conn.commit()
    store.start_run("analyze")
    status = {r["id"]: r["status"] for r in store.db.query("SELECT id, status FROM runs")}
    assert status[old] == "abandoned" and status[recent] == "running"
