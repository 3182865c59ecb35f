"""`shenava evaluate --agreement FILE`: how far a second labeller agrees with our labels.

FILE holds a second, independent labelling (ids and labels, the format of
nlp/labels/shared_batch_*.jsonl) of some held-out hand-labelled texts. The
labeller against our labels is the most a model can be expected to reach;
the model is scored on the same rows beside it, so the gap is the model's.
"""
from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from shenava.config import ModelSettings
from shenava.errors import ModelError
from shenava.nlp.classifier.data import BINARY_TAGS, load_dataset, read_label_file
from shenava.nlp.classifier.evaluation import _hand_metrics


def agreement_table(data_dir: Path, second_path: Path, settings: ModelSettings | None = None,
                    classifier=None) -> tuple[str, dict]:
    from shenava.nlp.classifier import load_classifier

    second_path = Path(second_path)
    held = {r.id: r for r in load_dataset(data_dir).split(holdout=True).hand}
    # Only held-out texts are scored: the reader skips every other id as a text it does not have.
    second, skipped = read_label_file(second_path, {i: r.text for i, r in held.items()})
    if not second:
        raise ModelError(f"{second_path}: none of its {len(skipped)} ids is a held-out hand-labelled text")
    rows = [held[r.id] for r in second]
    clf = classifier or load_classifier(settings or ModelSettings())
    labeller = _hand_metrics(rows, [asdict(r) for r in second])
    model = _hand_metrics(rows, clf.classify([r.text for r in rows]))
    lines = [f"agreement on {len(rows)} held-out texts ({len(skipped)} ids of {second_path.name} "
             f"not held out, skipped) — model {clf.model_version}", "",
             f"{'against our labels':<32}{'second labeller':>16}{'model':>8}"]
    for tag in BINARY_TAGS:
        if labeller[tag]["n_true"] == 0:  # F1 is undefined without a positive
            lines.append(f"  {tag + ' F1':<30}{'no ' + tag + ' labelled':>24}")
        else:
            lines.append(f"  {tag + ' F1':<30}{labeller[tag]['f1']:>16.3f}{model[tag]['f1']:>8.3f}")
    for key, metric, label in (("hand.sentiment", "accuracy", "sentiment accuracy"),
                               ("hand.sentiment", "macro_f1", "sentiment macro-F1"),
                               ("recommendation", "macro_f1", "recommendation macro-F1")):
        lines.append(f"  {label:<30}{labeller[key][metric]:>16.3f}{model[key][metric]:>8.3f}")
    lines.append(f"  {'complaint categories micro-F1':<30}{labeller['complaint_categories']['micro_f1']:>16.3f}"
                 f"{model['complaint_categories']['micro_f1']:>8.3f}")
    return "\n".join(lines), {"rows": len(rows), "second_labeller": labeller, "model": model}
