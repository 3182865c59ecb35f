"""CSV / JSON Lines import with a column map (connectors/files.py)."""
from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from shenava.connectors.base import build_connector
from shenava.connectors.replay import replay_config
from shenava.errors import ConnectorError, LayoutChanged

FILES = Path(__file__).parent / "fixtures" / "files"
TEHRAN = timezone(timedelta(hours=3, minutes=30))
CSV_COLUMNS = {"id": "review_id", "text": "body", "published_at": "created", "author": "user", "permalink": "url",
               "views": "views"}
JSONL_COLUMNS = {"id": "id", "text": "message", "published_at": "ts", "author": "from", "reactions": "likes"}


@pytest.fixture
def folder(tmp_path):
    for f in FILES.iterdir():
        shutil.copy(f, tmp_path / f.name)
    return tmp_path


def run(folder, path, cursor=None, **options):
    config = replay_config({"name": "f", "kind": "file", "path": path, **options}, base_dir=folder)
    conn = build_connector(config, config.sources[0])
    mentions = list(conn.collect(cursor or {}))
    return {m.external_id: m for m in mentions}, conn.cursor


def test_csv_with_column_map(folder):
    mentions, cursor = run(folder, "reviews.csv", columns=CSV_COLUMNS)
    assert list(mentions) == ["r-501", "r-502", "r-503", "r-504"]
    assert list(cursor["files"]) == [str(folder / "reviews.csv")]


@pytest.mark.parametrize("ext_id, field, expected", [
    ("r-501", "text", "سفارشم ۲ روز دیر رسید، پشتیبانی هم جواب نداد 😡"),
    ("r-504", "text", "پیشنهاد: کاش ساعت تحویل رو خودمون انتخاب کنیم\nمثلا عصرها"),  # quoted newline kept
    ("r-501", "published_at", datetime(2025, 11, 18, 20, 15, tzinfo=TEHRAN)),  # naive: the source's timezone
    ("r-502", "published_at", datetime(2025, 11, 19, 9, 0, tzinfo=TEHRAN)),
    ("r-501", "views", 120),
    ("r-502", "views", None),
    ("r-503", "permalink", None),
    ("r-501", "author", "مهسا"),
])
def test_csv_fields(folder, ext_id, field, expected):
    mentions, _ = run(folder, "reviews.csv", columns=CSV_COLUMNS)
    assert getattr(mentions[ext_id], field) == expected


def test_jsonl_with_epoch_and_iso_dates_and_blank_lines(folder):
    mentions, _ = run(folder, "comments.jsonl", columns=JSONL_COLUMNS)
    assert list(mentions) == ["9001", "9002", "9003"]
    assert mentions["9001"].published_at.astimezone(timezone.utc) == datetime(2025, 11, 19, 14, 0, tzinfo=timezone.utc)
    assert mentions["9003"].author is None and mentions["9001"].reactions == 12


def test_unchanged_file_is_skipped_and_a_changed_one_reread(folder):
    _, cursor = run(folder, "reviews.csv", columns=CSV_COLUMNS)
    again, cursor = run(folder, "reviews.csv", cursor, columns=CSV_COLUMNS)
    assert again == {}
    with open(folder / "reviews.csv", "a", encoding="utf-8") as f:
        f.write('r-505,"ارسال رایگان رو برگردونید",2025-11-21 10:00:00,سینا,,2,1\n')
    changed, _ = run(folder, "reviews.csv", cursor, columns=CSV_COLUMNS)
    assert "r-505" in changed  # the store tells new rows from ones it already has


def test_glob_reads_every_match(folder):
    (folder / "more").mkdir()
    shutil.copy(folder / "comments.jsonl", folder / "more" / "a.jsonl")
    (folder / "more" / "b.jsonl").write_text('{"id": 1, "message": "یکی دیگه", "ts": 1763560800}\n', encoding="utf-8")
    mentions, cursor = run(folder, "more/*.jsonl", columns=JSONL_COLUMNS)
    assert sorted(mentions) == ["1", "9001", "9002", "9003"] and len(cursor["files"]) == 2


def test_windows_1256_csv_needs_its_encoding(folder):
    with pytest.raises(ConnectorError, match=r"reviews_1256.csv: not utf-8 .* set encoding in the source"):
        run(folder, "reviews_1256.csv")
    mentions, _ = run(folder, "reviews_1256.csv", encoding="windows-1256")
    assert mentions["k-2"].text == "كيفيت عالي، باز هم ميخرم"


@pytest.mark.parametrize("path, options, error, message", [
    ("reviews.csv", {"columns": {**CSV_COLUMNS, "text": "comment"}}, LayoutChanged,
     r"column\(s\) \['comment'\] from the column map are not in the header"),
    ("reviews.csv", {"columns": {**CSV_COLUMNS, "mood": "stars"}}, ConnectorError, r"unknown field\(s\) \['mood'\]"),
    ("reviews.csv", {"columns": {"id": "review_id"}}, ConnectorError, "columns must map 'text'"),
    ("bad_line.jsonl", {"columns": JSONL_COLUMNS}, ConnectorError, r"bad_line.jsonl:2: not valid JSON"),
    ("missing.csv", {}, ConnectorError, "file not found"),
    ("../outside.csv", {}, ConnectorError, "outside"),
    ("nothing-*.csv", {}, ConnectorError, "no file matches 'nothing-\\*.csv'"),
])
def test_bad_input_is_named(folder, path, options, error, message):
    (folder.parent / "outside.csv").write_text("id,text\n1,x\n", encoding="utf-8")
    with pytest.raises(error, match=message):
        run(folder, path, **options)


def test_row_without_text_or_date_names_the_line(folder):
    (folder / "gaps.csv").write_text("id,text,published_at\n1,سلام,2025-11-01 10:00:00\n2,,2025-11-01\n",
                                     encoding="utf-8")
    with pytest.raises(ConnectorError, match=r"gaps.csv:3: row has no 'id' or no text"):
        run(folder, "gaps.csv")
    (folder / "dates.csv").write_text("id,text,published_at\n1,سلام,دیروز\n", encoding="utf-8")
    with pytest.raises(ConnectorError, match=r"dates.csv:2: date 'دیروز' is not ISO 8601"):
        run(folder, "dates.csv")
