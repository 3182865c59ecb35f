"""`shenava evaluate --platform-tags FILE`: how far the binary corpora's own tags can be trusted.

SnappFood's happy/sad and Digikala's recommended/not tags are what the binary
sentiment accuracy is scored against. FILE holds careful readers' readings of
random held-out texts of those corpora, made blind to the tags, one row per
text and reader: {"id", "reader", "sentiment", "lean"}, where `lean` is the
tag the text itself supports when one of the two must be picked. A reader's
lean against the platform tag is the most any model reading the text can be
expected to reach; the model is scored beside it on the same rows.
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from shenava.config import ModelSettings
from shenava.errors import ModelError
from shenava.nlp.classifier.data import BINARY_SOURCES, SENTIMENTS, is_holdout, load_sentiment

LEANS = ("positive", "negative")


@dataclass(frozen=True)
class Reading:
    id: str
    reader: str
    sentiment: str
    lean: str


def read_readings(path: Path) -> list[Reading]:
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"{path}: no such file (readings of held-out texts, one JSON object a line)")
    readings = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            reading = Reading(str(obj["id"]), str(obj["reader"]), obj["sentiment"], obj["lean"])
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ModelError(f"{path}:{n}: not a reading row ({exc.__class__.__name__}: {exc})") from None
        if reading.sentiment not in SENTIMENTS or reading.lean not in LEANS or not reading.reader:
            raise ModelError(f"{path}:{n}: sentiment must be one of {SENTIMENTS}, lean one of {LEANS}, "
                             f"reader a name")
        readings.append(reading)
    return readings


def platform_tag_table(data_dir: Path, path: Path, settings: ModelSettings | None = None,
                       classifier=None) -> tuple[str, dict]:
    from shenava.nlp.classifier import load_classifier

    readings = read_readings(path)
    corpus = {r.id: r for r in load_sentiment(data_dir) if r.source in BINARY_SOURCES and is_holdout(r.id)}
    unknown = sorted({r.id for r in readings if r.id not in corpus})
    if unknown:
        raise ModelError(f"{path}: {len(unknown)} ids are not held-out SnappFood/Digikala texts "
                         f"of {data_dir} (first: {unknown[0]})")
    by_text: dict[str, list[Reading]] = defaultdict(list)
    for r in readings:
        by_text[r.id].append(r)
    ids = list(by_text)
    clf = classifier or load_classifier(settings or ModelSettings())
    preds = clf.classify([corpus[i].text for i in ids])
    model_lean = {i: max(LEANS, key=p["sentiment_scores"].get) for i, p in zip(ids, preds)}

    metrics: dict = {"model_version": clf.model_version}
    for source in BINARY_SOURCES:
        mine = [i for i in ids if corpus[i].source == source]
        if not mine:
            continue
        first = {i: by_text[i][0] for i in mine}
        twice = [i for i in mine if len(by_text[i]) > 1]
        metrics[source] = {
            "texts": len(mine),
            "reader_vs_tag": _share(first[i].lean == corpus[i].label for i in mine),
            "model_vs_tag": _share(model_lean[i] == corpus[i].label for i in mine),
            "model_vs_reader": _share(model_lean[i] == first[i].lean for i in mine),
            "read_twice": len(twice),
            "readers_agree": _share(by_text[i][0].lean == by_text[i][1].lean for i in twice) if twice else None,
        }
    return _format(metrics, Path(path).name), metrics


def _share(flags) -> float:
    flags = list(flags)
    return sum(flags) / len(flags)


def _format(m: dict, name: str) -> str:
    lines = [f"platform tags against a careful reading ({name}) — model {m['model_version']}", "",
             f"{'':<11}{'texts':>6}{'reader vs tag':>15}{'model vs tag':>14}{'model vs reader':>17}"
             f"{'two readers agree':>19}"]
    for source in BINARY_SOURCES:
        if source not in m:
            continue
        s = m[source]
        agree = f"{s['readers_agree']:.3f} of {s['read_twice']}" if s["read_twice"] else "—"
        lines.append(f"{source:<11}{s['texts']:>6}{s['reader_vs_tag']:>15.3f}{s['model_vs_tag']:>14.3f}"
                     f"{s['model_vs_reader']:>17.3f}{agree:>19}")
    return "\n".join(lines)
