"""`classify IN.jsonl -o OUT.jsonl`: order, ids, and errors that name the bad line."""
import json

import pytest

from shenava.config import ModelSettings
from shenava.nlp.classifier.files import InputError, classify_file, read_mentions


@pytest.mark.parametrize("content, message", [
    ('{"id": 1, "text": "خوب بود"}\n{"id": 2, "text": "بد بود"\n', r"in\.jsonl:2: not valid JSON"),
    ('{"id": 1, "text": "خوب بود"}\n\n{"text": "بی شناسه"}\n', r"in\.jsonl:3: missing 'id'"),
    ('{"id": 1}\n', r"in\.jsonl:1: missing 'text'"),
    ('{"id": 1, "text": 42}\n', r"in\.jsonl:1: \"text\" must be a string"),
    ('["id", "text"]\n', r"in\.jsonl:1: expected an object"),
])
def test_malformed_input_names_the_line(tmp_path, content, message):
    path = tmp_path / "in.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_mentions(path)


def test_missing_and_non_utf8_files(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_mentions(tmp_path / "nope.jsonl")
    bad = tmp_path / "cp1256.jsonl"
    bad.write_bytes('{"id": 1, "text": "سلام"}'.encode("cp1256"))
    with pytest.raises(InputError, match="not UTF-8"):
        read_mentions(bad)


@pytest.mark.slow
def test_round_trip_keeps_order_and_ids(tmp_path, capfd):
    rows = [{"id": "b-2", "text": "ارسال خیلی دیر بود و غذا سرد رسید"},
            {"id": 7, "text": "عالی بود مرسی 😍"},
            {"id": "a-1", "text": "kasi midoone in gooshi garanti dare?"}]
    src, out = tmp_path / "in.jsonl", tmp_path / "out" / "result.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    assert classify_file(src, out, ModelSettings()) == 3
    lines = [json.loads(l) for l in out.read_text(encoding="utf-8").splitlines()]
    assert [l["id"] for l in lines] == ["b-2", 7, "a-1"]
    assert lines[0]["complaint"] is True and lines[1]["sentiment"] == "positive"
    assert not (out.parent / "result.jsonl.part").exists()
    err = capfd.readouterr().err
    assert "classify" in err and "3/3" in err  # progress goes to stderr
