"""`shenava evaluate`: figures on the held-out splits (never trained on).

Sentiment per source (binary sources judged on positive vs negative only,
three-class sources on positive / negative / neutral), and on the held-out hand
labels every intent tag: F1 for complaint, suggestion, comparison, question,
macro-F1 for recommendation, micro-F1 of complaint categories, and
competitor-name recall (a gold name counts as found when a predicted name
matches it after folding, contains it or is contained in it).
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score

from shenava.config import ModelSettings
from shenava.errors import ModelError
from shenava.nlp.classifier.data import (BINARY_SOURCES, BINARY_TAGS, LABELS_DIR, SOURCES, Dataset, is_holdout,
                                         load_dataset, load_hand_labels, load_sentiment, read_label_file)
from shenava.nlp.classifier.textprep import fold

TARGETS = {
    "snappfood.accuracy": 0.90, "digikala.accuracy": 0.90, "three_class.macro_f1": 0.72,
    "complaint.f1": 0.85, "suggestion.f1": 0.80, "comparison.f1": 0.80,
}


def evaluate_all(data_dir: Path, settings: ModelSettings | None = None, classifier=None,
                 dataset: Dataset | None = None, write: bool = True) -> tuple[str, dict]:
    """Classify the held-out splits and score them; returns (table text, metrics dict)."""
    from tqdm import tqdm

    from shenava.nlp.classifier import load_classifier

    settings = settings or ModelSettings()
    clf = classifier or load_classifier(settings)
    held = (dataset or load_dataset(data_dir)).split(holdout=True)
    texts = [r.text for r in held.sentiment] + [r.text for r in held.hand]
    t0 = time.time()
    with tqdm(total=len(texts), desc="evaluate", unit="text", file=sys.stderr, leave=False) as bar:
        preds = clf.classify(texts, progress=bar.update)
    elapsed = time.time() - t0
    sent_preds, hand_preds = preds[:len(held.sentiment)], preds[len(held.sentiment):]
    metrics: dict = {"model_version": clf.model_version, "held_out_rows": len(texts),
                     "classify_seconds": round(elapsed, 1)}

    three_gold, three_pred = [], []
    for source in SOURCES:
        rows = [(r, p) for r, p in zip(held.sentiment, sent_preds) if r.source == source]
        if not rows:
            continue
        labels = ["positive", "negative"] if source in BINARY_SOURCES else ["positive", "negative", "neutral"]
        gold = [r.label for r, _ in rows if r.label in labels]
        pred = [max(labels, key=p["sentiment_scores"].get) for r, p in rows if r.label in labels]
        metrics[source] = {"n": len(gold), "accuracy": accuracy_score(gold, pred),
                           "macro_f1": f1_score(gold, pred, labels=labels, average="macro")}
        if source not in BINARY_SOURCES:
            three_gold += gold
            three_pred += pred
    if three_gold:
        metrics["three_class"] = {"n": len(three_gold), "accuracy": accuracy_score(three_gold, three_pred),
                                  "macro_f1": f1_score(three_gold, three_pred, average="macro")}
    if held.hand:
        metrics.update(_hand_metrics(held.hand, hand_preds))
        # Our own written texts cover domains the corpora do not (banks, telecom, shows, cafés):
        # the nearest we have to the sources the model will meet.
        written = [(r, p) for r, p in zip(held.hand, hand_preds) if r.source == "written"]
        if written:
            metrics["written_texts"] = _hand_metrics([r for r, _ in written], [p for _, p in written])
    table = format_table(metrics)
    if write and classifier is None:
        path = Path(clf.bundle.path) / "metrics.json"
        path.write_text(json.dumps(_rounded(metrics), ensure_ascii=False, indent=1), encoding="utf-8")
    return table, metrics


def evaluate_fresh(data_dir: Path, paths: list[Path], settings: ModelSettings | None = None,
                   classifier=None, labels_dir: Path = LABELS_DIR) -> tuple[str, dict]:
    """Score the model on hand-label files it was never trained on (nlp/labels/fresh: labelled
    after the model was frozen, so no choice was ever made on them).

    A row whose id is also a training-split hand label would have been trained on: refused.
    """
    from shenava.nlp.classifier import load_classifier

    texts = {r.id: r.text for r in load_sentiment(data_dir)}
    trained = {r.id for r in load_hand_labels(texts, labels_dir) if not is_holdout(r.id)}
    rows = []
    for path in paths:
        found, without_text = read_label_file(Path(path), texts)
        if without_text:
            raise ModelError(f"{path}: {len(without_text)} ids are not texts of {data_dir} "
                             f"(first: {without_text[0]})")
        seen = [r.id for r in found if r.id in trained]
        if seen:
            raise ModelError(f"{path}: {len(seen)} ids are training-split hand labels the model was "
                             f"trained on (first: {seen[0]})")
        rows += found
    clf = classifier or load_classifier(settings or ModelSettings())
    t0 = time.time()
    metrics = {"model_version": clf.model_version, "held_out_rows": len(rows)}
    metrics.update(_hand_metrics(rows, clf.classify([r.text for r in rows])))
    metrics["classify_seconds"] = round(time.time() - t0, 1)
    title = f"labels the model never saw ({', '.join(Path(p).name for p in paths)})"
    return format_table(metrics, title), metrics


def _hand_metrics(rows, preds) -> dict:
    m: dict = {}
    gold_s = [r.sentiment for r in rows]
    pred_s = [p["sentiment"] for p in preds]
    m["hand.sentiment"] = {"n": len(rows), "accuracy": accuracy_score(gold_s, pred_s),
                           "macro_f1": f1_score(gold_s, pred_s, average="macro")}
    # No corpus has `mixed`: its own precision and recall are the figures to watch.
    gold_m, pred_m = [g == "mixed" for g in gold_s], [p == "mixed" for p in pred_s]
    m["hand.mixed"] = {"n_true": int(sum(gold_m)), "precision": precision_score(gold_m, pred_m, zero_division=0),
                       "recall": recall_score(gold_m, pred_m, zero_division=0)}
    for tag in BINARY_TAGS:
        g = [bool(getattr(r, tag)) for r in rows]
        p = [bool(x[tag]) for x in preds]
        m[tag] = {"n_true": int(sum(g)), "f1": f1_score(g, p, zero_division=0),
                  "precision": precision_score(g, p, zero_division=0), "recall": recall_score(g, p, zero_division=0)}
    g = [r.recommendation for r in rows]
    p = [x["recommendation"] for x in preds]
    m["recommendation"] = {"n_not_none": sum(v != "none" for v in g), "accuracy": accuracy_score(g, p),
                           "macro_f1": f1_score(g, p, labels=["none", "recommends", "discourages"], average="macro")}
    tp = fp = fn = 0
    for r, x in zip(rows, preds):
        if r.complaint:
            gs, ps = set(r.complaint_categories), set(x["complaint_categories"])
            tp, fp, fn = tp + len(gs & ps), fp + len(ps - gs), fn + len(gs - ps)
    m["complaint_categories"] = {"micro_f1": 2 * tp / max(1, 2 * tp + fp + fn)}
    found = total = direction_ok = 0
    for r, x in zip(rows, preds):
        for comp in r.competitors:
            total += 1
            match = next((c for c in x["competitors"] if names_match(comp["name"], c["name"])), None)
            if match:
                found += 1
                direction_ok += match["direction"] == comp.get("direction")
    m["competitors"] = {"gold_names": total, "name_recall": found / total if total else float("nan"),
                        "direction_accuracy_of_found": direction_ok / found if found else float("nan")}
    return m


def names_match(gold: str, predicted: str) -> bool:
    g, p = fold(gold).text.replace(" ", ""), fold(predicted).text.replace(" ", "")
    return bool(g and p) and (g == p or g in p or p in g)


def format_table(m: dict, title: str = "held-out evaluation") -> str:
    lines = [f"{title} — model {m.get('model_version')} ({m.get('held_out_rows')} texts, "
             f"{m.get('classify_seconds')} s)", "",
             f"{'sentiment':<40}{'n':>6}{'acc':>8}{'macroF1':>9}"]
    for key in (*SOURCES, "three_class", "hand.sentiment"):
        if key in m:
            v = m[key]
            lines.append(f"  {key:<38}{v['n']:>6}{v['accuracy']:>8.3f}{v['macro_f1']:>9.3f}{_mark(m, key)}")
    if "hand.mixed" in m:
        v = m["hand.mixed"]
        lines.append(f"    of which mixed ({v['n_true']} labelled): precision {v['precision']:.3f}, "
                     f"recall {v['recall']:.3f}")
    if "complaint" in m:
        lines += ["", f"{'intent tags (hand labels)':<40}{'pos':>6}{'F1':>8}{'P':>7}{'R':>7}"]
        for tag in BINARY_TAGS:
            v = m[tag]
            if v["n_true"] == 0:  # F1 is undefined without a positive
                lines.append(f"  {tag:<38}{0:>6}{'—':>8}")
                continue
            lines.append(f"  {tag:<38}{v['n_true']:>6}{v['f1']:>8.3f}{v['precision']:>7.3f}{v['recall']:>7.3f}"
                         f"{_mark(m, tag)}")
        v = m["recommendation"]
        lines.append(f"  {'recommendation (macro-F1, 3 classes)':<38}{v['n_not_none']:>6}{v['macro_f1']:>8.3f}")
        lines.append(f"  {'complaint categories (micro-F1)':<38}{'':>6}{m['complaint_categories']['micro_f1']:>8.3f}")
        c = m["competitors"]
        lines.append(f"  {'competitor-name recall':<38}{c['gold_names']:>6}{c['name_recall']:>8.3f}"
                     f"   (direction right on {c['direction_accuracy_of_found']:.3f} of found)")
    if "written_texts" in m:
        w = m["written_texts"]
        lines += ["", f"  of which our own written texts (other domains), n={w['hand.sentiment']['n']}: "
                  f"sentiment acc {w['hand.sentiment']['accuracy']:.3f}, "
                  + ", ".join(f"{t} F1 {w[t]['f1']:.3f}" for t in BINARY_TAGS)
                  + f", recommendation macro-F1 {w['recommendation']['macro_f1']:.3f}"]
    return "\n".join(lines)


def _mark(m: dict, key: str) -> str:
    for target_key, goal in TARGETS.items():
        name, metric = target_key.rsplit(".", 1)
        if name == key:
            value = m[key][metric]
            return f"   target {metric} >= {goal:.2f}: {'ok' if value >= goal else 'MISSED'}"
    return ""


def _rounded(obj):
    if isinstance(obj, dict):
        return {k: _rounded(v) for k, v in obj.items()}
    if isinstance(obj, float):
        return None if np.isnan(obj) else round(obj, 4)
    return obj
