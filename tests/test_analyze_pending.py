"""What analyze picks up: only pending rows, per model version, across edits, re-imports and upgrades.

A stand-in classifier counts its calls, so each case shows which texts reached
the model and which were reused by content hash.
"""
from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
import sqlite_utils

from shenava.analyze import prepare_pending, tag_pending
from shenava.config import parse_config
from shenava.mention import Mention
from shenava.storage import Store
from shenava.storage.schema import MIGRATIONS

T0 = datetime(2026, 11, 20, 9, 30, tzinfo=timezone(timedelta(hours=3, minutes=30)))
CONFIG = parse_config('[[brands]]\nname = "تازه‌رس"\naliases = ["tazeres"]\n')
TEXTS = ["غذا سرد رسید، دیگه سفارش نمیدم 😡", "kheili khoob bood mamnoon", "کسی میدونه تخفیف دانشجویی دارن؟",
         "بسته‌بندی تخم‌مرغ‌ها رو محکم‌تر کنید، دوبار شکسته رسیده", "پشتیبانی جواب نمیده، افتضاحه"]


class Counting:
    def __init__(self, version: str):
        self.model_version = version
        self.texts: list[str] = []

    def classify(self, texts, progress=None, analysis=None):
        self.texts += texts
        return [{"sentiment": "negative", "sentiment_scores": {"negative": 0.9}, "complaint": "سرد" in t,
                 "complaint_categories": [], "suggestion": False, "comparison": False, "competitors": [],
                 "recommendation": "none", "question": t.endswith("؟"), "scores": {}} for t in texts]


def mentions(texts: list[str], prefix: str = "m") -> list[Mention]:
    return [Mention(external_id=f"{prefix}{i}", text=t, published_at=T0 + timedelta(minutes=i))
            for i, t in enumerate(texts)]


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "s.db") as s:
        s.upsert_mentions("chan", mentions(TEXTS))
        prepare_pending(CONFIG, s)
        yield s


def analyses(store: Store) -> list[tuple]:
    return store.db.execute("SELECT m.external_id, a.model_version FROM analyses a JOIN mentions m "
                            "ON m.id = a.mention_id ORDER BY 1, 2").fetchall()


def test_a_second_run_of_the_same_version_calls_the_model_for_nothing(store):
    first, second = Counting("v1"), Counting("v1")
    assert tag_pending(store, first) == (5, 0)
    assert tag_pending(store, second) == (0, 0)
    assert sorted(first.texts) == sorted(TEXTS) and second.texts == []


def test_a_new_version_retags_everything_and_the_old_one_comes_back_from_the_cache(store):
    tag_pending(store, Counting("v1"))
    v2 = Counting("v2")
    assert tag_pending(store, v2) == (5, 0)
    back = Counting("v1")  # e.g. a rollback: every text is in the store under v1 already
    assert tag_pending(store, back) == (0, 0) and back.texts == []
    assert tag_pending(store, Counting("v1")) == (0, 0)
    assert len(analyses(store)) == 10  # both versions' analyses are kept


def test_since_bounds_a_retag_to_recent_mentions(store):
    tag_pending(store, Counting("v1"))
    v2 = Counting("v2")
    assert tag_pending(store, v2, since=T0 + timedelta(minutes=3)) == (2, 0)
    assert sorted(v2.texts) == sorted(TEXTS[3:])


def test_an_edited_mention_is_tagged_again_and_only_it(store):
    tag_pending(store, Counting("v1"))
    store.upsert_mentions("chan", [Mention(external_id="m2", text="کسی میدونه تخفیف دانشجویی دارن؟ جواب ندادن",
                                           published_at=T0 + timedelta(minutes=2))])
    assert prepare_pending(CONFIG, store) == 1
    again = Counting("v1")
    assert tag_pending(store, again) == (1, 0)
    assert again.texts == ["کسی میدونه تخفیف دانشجویی دارن؟ جواب ندادن"]
    assert analyses(store).count(("m2", "v1")) == 2  # the old text's analysis stays


def test_the_same_texts_arriving_again_reuse_their_analyses_without_the_model(store):
    tag_pending(store, Counting("v1"))
    store.upsert_mentions("other-channel", mentions(TEXTS * 200, prefix="copy"))
    prepare_pending(CONFIG, store)
    reimport = Counting("v1")
    assert tag_pending(store, reimport) == (0, 1000)
    assert reimport.texts == []
    assert store.count("mentions", "tagged_by IS NULL") == 0


def test_limit_stops_after_that_many_mentions(store):
    assert tag_pending(store, Counting("v1"), limit=2) == (2, 0)
    assert tag_pending(store, Counting("v1")) == (3, 0)


def test_refreshed_counters_keep_the_search_index_sound(store):
    store.upsert_mentions("chan", [Mention(external_id="m4", text=TEXTS[4], published_at=T0 + timedelta(minutes=4),
                                           views=900, reactions=12)])
    assert store.mention_by_external("chan", "m4")["views"] == 900
    store.db.execute("INSERT INTO mentions_fts (mentions_fts, rank) VALUES ('integrity-check', 1)")
    hits = store.db.execute("SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH ?", ['"جواب"']).fetchall()
    assert hits == [(store.mention_by_external("chan", "m4")["id"],)]


def test_an_upgraded_store_knows_what_its_model_already_tagged(tmp_path):
    """Migration v5 fills tagged_by from the analyses, so upgrading does not re-tag the history."""
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    for version, migrate in enumerate(MIGRATIONS[:4], start=1):
        migrate(db)
        db.conn.execute(f"PRAGMA user_version = {version}")
    for i, (text, hashed) in enumerate([("عالی بود", "h0"), ("سرد رسید", "h1"), ("تازه", None)]):
        db["mentions"].insert({"id": i + 1, "source": "chan", "external_id": str(i), "raw_text": text,
                               "raw_hash": "x", "published_at": T0.isoformat(), "collected_at": T0.isoformat(),
                               "analysis_text": text, "content_hash": hashed})
    db["analyses"].insert_all([{"mention_id": 1, "model_version": "v1", "content_hash": "h0"},
                               {"mention_id": 2, "model_version": "v1", "content_hash": "old-text"}])
    db.conn.commit()
    db.close()
    with Store.open(path) as s:
        tagged = dict(s.db.execute("SELECT external_id, tagged_by FROM mentions").fetchall())
        assert tagged == {"0": "v1", "1": None, "2": None}
        clf = Counting("v1")
        assert tag_pending(s, clf) == (1, 0) and clf.texts == ["سرد رسید"]


def test_the_pending_query_reads_the_index_not_the_table(store):
    from shenava.analyze import _PENDING

    plan = " ".join(row[3] for row in store.db.execute(
        "EXPLAIN QUERY PLAN " + _PENDING.format(which="m.tagged_by IS NULL"),
        {"version": "v1", "after": 0, "floor": "", "size": 10}))
    assert "USING INDEX idx_mentions_tagged_by" in plan, plan
    with pytest.raises(sqlite3.OperationalError):  # INDEXED BY fails loudly if the index ever goes
        store.db.execute("DROP INDEX idx_mentions_tagged_by")
        store.db.execute(_PENDING.format(which="m.tagged_by IS NULL"),
                         {"version": "v1", "after": 0, "floor": "", "size": 10}).fetchall()
