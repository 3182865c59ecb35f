"""`shenava search`: FTS5 over analysis text, queries normalized the same way, never crashing."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from shenava.cli import main
from shenava.mention import Mention
from shenava.nlp.text import prepare
from shenava.storage import Store
from shenava.storage.search import SearchError, search

ROWS = [
    ("1", "دیگه از اینجا نمی‌خرم، غذا سرد بود", "تازه‌رس"),
    ("2", "من که دیگه نمیخرم ازشون 😡", "تازه‌رس"),
    ("3", "نمي خرم ديگه، پشتیبانی جواب نداد", "سبدچی"),
    ("4", "پشتیبانی خیلی سریع جواب داد، ممنون", "تازه‌رس"),
    ("5", "پشتیبانیشون عالیه", "تازه‌رس"),
    ("6", "ارسال رایگان شد، خیلی خوبه", "تازه‌رس"),
    ("7", "kheili dir resid, ghaza sard bood", "تازه‌رس"),          # Finglish, stored in Persian letters
    ("8", "My iPhone charger never arrived", "سبدچی"),               # English stays English
    ("9", "برگشتم خونه دیدم بسته رو دم در گذاشته", "تازه‌رس"),        # colloquial «خونه»
]


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "s.db") as s:
        s.upsert_mentions("t", [Mention(i, text, datetime(2026, 11, 20, tzinfo=timezone.utc), brand=brand,
                                        permalink=f"https://t.me/x/{i}") for i, text, brand in ROWS])
        for mid, raw in s.db.execute("SELECT id, raw_text FROM mentions").fetchall():
            p = prepare(raw)
            s.db["mentions"].update(mid, {"analysis_text": p.analysis, "content_hash": p.content_hash})
        yield s


def ids(hits):
    return sorted(int(h.mention_id) for h in hits)


@pytest.mark.parametrize("query", ["نمی‌خرم", "نمیخرم", "نمي خرم"])
def test_three_spellings_find_the_same_mentions(store, query):
    assert ids(search(store, query)) == [1, 2, 3]


def test_prefix_phrase_and_brand(store):
    assert ids(search(store, "پشتیبانی*")) == [3, 4, 5]
    assert ids(search(store, '"جواب داد"')) == [4]
    assert ids(search(store, "نمیخرم", brand="سبدچی")) == [3]
    assert ids(search(store, "پشتیبانی جواب")) == [3, 4]


@pytest.mark.parametrize("query, expected", [
    ("kheili", [4, 6, 7]),          # a Finglish query finds Persian and Finglish posts alike
    ("خیلی دیر", [7]),
    ("iphone", [8]),                # an English word still finds the English post
    ("charger*", [8]),
    ("خانه", [9]),                  # formal query, colloquial text (hazm's informal word list)
    ('"ghaza sard"', [1, 7]),       # a phrase, normalized like the text
])
def test_queries_cross_scripts_and_registers(store, query, expected):
    assert ids(search(store, query)) == expected


def test_only_the_newest_matches_are_ranked(store):
    # The window keeps search fast on a big store; within it, BM25 order as before.
    assert ids(search(store, "پشتیبانی*", recent=2)) == [4, 5]
    assert ids(search(store, "نمیخرم", brand="تازه‌رس", recent=1)) == [2]
    hits = search(store, "kheili", recent=50)
    assert [h.rank for h in hits] == sorted(h.rank for h in hits)


def test_hits_carry_a_marked_snippet_and_a_rank(store):
    [hit] = search(store, "رایگان")
    assert "[رایگان]" in hit.snippet and hit.permalink == "https://t.me/x/6" and isinstance(hit.rank, float)


@pytest.mark.parametrize("query", ['"', "NEAR(", "AND", '"" OR *', "'; DROP TABLE mentions; --", "*", "()"])
def test_hostile_queries_give_clean_errors_or_results(store, query):
    try:
        search(store, query)
    except SearchError as exc:
        assert query in str(exc) or "nothing to search" in str(exc)
    assert store.count() == len(ROWS)


def test_cli_search_prints_hits_and_a_clean_error(tmp_path, store, capsys):
    cfg = tmp_path / "shenava.toml"
    cfg.write_text(f'[store]\npath = "{store.path.name}"\n', encoding="utf-8")
    assert main(["--config", str(cfg), "search", "نمي خرم"]) == 0
    out = capsys.readouterr().out
    assert out.count("https://t.me/x/") == 3
    assert main(["--config", str(cfg), "search", '"']) == 2
    assert capsys.readouterr().err.startswith("shenava: error: nothing to search for")
