"""Training and evaluation data: the shared sentiment corpora and our hand labels.

Sentiment rows are read at run time from ../shared/data (never copied into the
project). Hand labels live in nlp/labels: shared_batch_*.jsonl label texts of
../shared/data by id, written_*.jsonl carry their own text. Every row falls in
the held-out split or not by a hash of its id, the same way for both sources,
so a text held out of one is held out of the other.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from shenava.errors import ModelError

SOURCES = ("snappfood", "digikala", "sentipers", "neshan")
BINARY_SOURCES = ("snappfood", "digikala")
SENTIMENTS = ("positive", "negative", "neutral", "mixed")
RECOMMENDATIONS = ("none", "recommends", "discourages")
BINARY_TAGS = ("complaint", "suggestion", "comparison", "question")
HOLDOUT_PERCENT = 20
LABELS_DIR = Path(__file__).resolve().parents[1] / "labels"


def default_data_dir() -> Path:
    return Path(__file__).resolve().parents[2].parent / "shared" / "data"


def is_holdout(row_id: str, percent: int = HOLDOUT_PERCENT) -> bool:
    digest = hashlib.sha1(row_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % 100 < percent


@dataclass
class SentimentRow:
    id: str
    text: str
    label: str
    source: str


@dataclass
class HandRow:
    id: str
    text: str
    sentiment: str
    complaint: bool
    complaint_categories: list[str]
    suggestion: bool
    comparison: bool
    competitors: list[dict]
    recommendation: str
    question: bool
    origin: str = ""

    @property
    def source(self) -> str:
        return self.id.split("-", 1)[0] if self.id.split("-", 1)[0] in SOURCES else "written"


@dataclass
class Dataset:
    sentiment: list[SentimentRow] = field(default_factory=list)
    hand: list[HandRow] = field(default_factory=list)

    def split(self, holdout: bool) -> "Dataset":
        return Dataset([r for r in self.sentiment if is_holdout(r.id) == holdout],
                       [r for r in self.hand if is_holdout(r.id) == holdout])


def load_sentiment(data_dir: Path) -> list[SentimentRow]:
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise ModelError(f"{data_dir}: training data folder not found (expected ../shared/data with "
                         f"{', '.join(SOURCES)}); pass the folder that holds them")
    rows: list[SentimentRow] = []
    for source in SOURCES:
        path = data_dir / source / f"{source}.jsonl"
        if not path.is_file():
            raise ModelError(f"{path}: missing from the training data folder")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                rows.append(SentimentRow(obj["id"], obj["text"], obj["label"], source))
            except (json.JSONDecodeError, KeyError) as exc:
                raise ModelError(f"{path}:{n}: not a labelled row ({exc})") from None
    return rows


def load_hand_labels(texts_by_id: dict[str, str], labels_dir: Path = LABELS_DIR) -> list[HandRow]:
    """Hand-labelled rows; shared_batch rows get their text from `texts_by_id`.

    When one id is labelled twice (labellers overlap), the later file wins.
    """
    rows: dict[str, HandRow] = {}
    for path in sorted(Path(labels_dir).glob("*.jsonl")):
        found, _ = read_label_file(path, texts_by_id)
        rows.update((r.id, r) for r in found)
    return list(rows.values())


def read_label_file(path: Path, texts_by_id: dict[str, str]) -> tuple[list[HandRow], list[str]]:
    """The rows of one label file whose text is known (their own, or `texts_by_id`'s), and the
    ids of the others (a shared text we do not have: data folder absent or changed). Every
    row is checked, with or without its text."""
    if not Path(path).is_file():
        raise ModelError(f"{path}: no such file (hand labels, one JSON object a line)")
    found: list[HandRow] = []
    without_text: list[str] = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            row = HandRow(
                id=obj["id"], text=obj.get("text") or texts_by_id.get(obj["id"]),
                sentiment=obj["sentiment"], complaint=bool(obj["complaint"]),
                complaint_categories=list(obj.get("complaint_categories") or []),
                suggestion=bool(obj["suggestion"]), comparison=bool(obj["comparison"]),
                competitors=list(obj.get("competitors") or []),
                recommendation=obj["recommendation"], question=bool(obj["question"]), origin=Path(path).name)
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ModelError(f"{path}:{n}: not a hand-label row ({exc.__class__.__name__}: {exc})") from None
        if row.sentiment not in SENTIMENTS or row.recommendation not in RECOMMENDATIONS:
            raise ModelError(f"{path}:{n}: unknown sentiment or recommendation value")
        if row.text is None:
            without_text.append(row.id)
        else:
            found.append(row)
    return found, without_text


def load_dataset(data_dir: Path, labels_dir: Path = LABELS_DIR) -> Dataset:
    sentiment = load_sentiment(data_dir)
    hand = load_hand_labels({r.id: r.text for r in sentiment}, labels_dir)
    return Dataset(sentiment, hand)
