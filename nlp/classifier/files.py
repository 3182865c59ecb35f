"""`shenava classify IN.jsonl -o OUT.jsonl`: the contract the evaluation harness reads.

Each input line is {"id": ..., "text": ...}; each output line is the classifier's
dict plus the id, in input order. Input is checked whole before the model loads,
so a malformed line is reported (with its number) without minutes of work lost.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from shenava.config import Brand, ModelSettings
from shenava.errors import ShenavaError


class InputError(ShenavaError):
    """An input file line is not {"id": ..., "text": "..."}."""


def read_mentions(in_path: Path) -> list[tuple[object, str]]:
    try:
        lines = Path(in_path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError(f"{in_path}: input file not found") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{in_path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise InputError(f"{in_path}: cannot read: {exc.strerror}") from None
    rows = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{in_path}:{n}: not valid JSON ({exc.msg} at column {exc.colno})") from None
        if not isinstance(obj, dict):
            raise InputError(f"{in_path}:{n}: expected an object {{\"id\", \"text\"}}, got {type(obj).__name__}")
        missing = [k for k in ("id", "text") if k not in obj]
        if missing:
            raise InputError(f"{in_path}:{n}: missing {' and '.join(repr(k) for k in missing)}")
        if not isinstance(obj["text"], str):
            raise InputError(f"{in_path}:{n}: \"text\" must be a string, got {type(obj['text']).__name__}")
        rows.append((obj["id"], obj["text"]))
    return rows


def classify_file(in_path: Path, out_path: Path, settings: ModelSettings | None = None,
                  brands: list[Brand] | tuple = ()) -> int:
    """Classify every line of `in_path` into `out_path`; returns the number of lines written."""
    from tqdm import tqdm

    from shenava.nlp.classifier import load_classifier

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    rows = read_mentions(Path(in_path))
    clf = load_classifier(settings or ModelSettings(), brands)
    with tqdm(total=len(rows), desc="classify", unit="mention", file=sys.stderr) as bar:
        results = clf.classify([text for _, text in rows], progress=bar.update)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(out_path.name + ".part")
    with open(tmp, "w", encoding="utf-8") as fh:
        for (row_id, _), result in zip(rows, results):
            fh.write(json.dumps({"id": row_id, **result}, ensure_ascii=False) + "\n")
    tmp.replace(out_path)  # never leave a half-written output behind
    return len(results)
