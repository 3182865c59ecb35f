"""Training and evaluation code on a tiny data set we wrote (never the real one)."""
import json

import pytest

from shenava.config import ModelSettings
from shenava.errors import ModelError
from shenava.nlp.classifier import load_classifier
from shenava.nlp.classifier.agreement import agreement_table
from shenava.nlp.classifier.bundle import load_bundle
from shenava.nlp.classifier.cues import FEATURE_NAMES
from shenava.nlp.classifier.data import is_holdout, load_dataset, load_sentiment
from shenava.nlp.classifier.evaluation import evaluate_all, evaluate_fresh, names_match
from shenava.nlp.classifier.platform_tags import platform_tag_table
from shenava.nlp.classifier.training import TrainOptions, train_all

POSITIVE = ["خیلی خوشمزه بود مرسی", "کیفیتش عالیه راضیم", "ارسال سریع بود ممنون", "بسته‌بندی تمیز و عالی",
            "همه چی عالی بود", "گوشی فوق‌العاده‌ایه", "پیک مودب بود و غذا داغ", "واقعا ارزش خرید داره"]
NEGATIVE = ["غذا سرد بود افتضاح", "خیلی دیر رسید", "کیفیتش خیلی بده", "بعد دو روز خراب شد",
            "پشتیبانی جواب نمیده", "اصلا راضی نیستم", "بسته‌بندی پاره بود", "گرون و بی‌کیفیت"]
NEUTRAL = ["این گوشی دو سیم‌کارته است", "رنگ مشکی هم داره", "وزنش ۱۸۰ گرمه", "در سه مدل عرضه شده"]

HAND = [  # (text, sentiment, complaint, categories, suggestion, comparison, competitors, recommendation, question)
    ("غذا سرد رسید، کاش زودتر بیارید", "negative", True, ["delivery"], True, False, [], "none", False),
    ("عالی بود حتما بخرید", "positive", False, [], False, False, [], "recommends", False),
    ("اصلا نخرید خراب بود", "negative", True, ["quality"], False, False, [], "discourages", False),
    ("از سامسونگ بهتره", "positive", False, [], False, True, [{"name": "سامسونگ", "direction": "better"}], "none", False),
    ("کسی میدونه گارانتی داره؟", "neutral", False, [], False, False, [], "none", True),
    ("لطفا بسته‌بندی رو بهتر کنید", "negative", True, ["packaging"], True, False, [], "none", False),
    ("نسبت به مدل قبلی ضعیف‌تره", "negative", True, ["quality"], False, True,
     [{"name": "مدل قبلی", "direction": "worse"}], "none", False),
    ("طعمش خوبه ولی خیلی گرونه", "mixed", True, ["price"], False, False, [], "none", False),
]


def _write(tmp_path, n_copies=3):
    data = tmp_path / "data"
    for source, labels in (("snappfood", ("positive", "negative")), ("digikala", ("positive", "negative")),
                           ("sentipers", ("positive", "negative", "neutral")), ("neshan", ("positive", "negative", "neutral"))):
        (data / source).mkdir(parents=True)
        rows = []
        for label in labels:
            for k, text in enumerate({"positive": POSITIVE, "negative": NEGATIVE, "neutral": NEUTRAL}[label]):
                for c in range(n_copies):
                    rows.append({"id": f"{source}-{label}-{k}-{c}", "text": f"{text} {'!' * c}", "label": label})
        (data / source / f"{source}.jsonl").write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    labels = tmp_path / "labels"
    labels.mkdir()
    lines = []
    for copy in range(4):
        for k, (text, s, c, cats, sug, comp, comps, rec, q) in enumerate(HAND):
            lines.append({"id": f"w9-{k}-{copy}", "text": text + " " * copy, "sentiment": s, "complaint": c,
                          "complaint_categories": cats, "suggestion": sug, "comparison": comp,
                          "competitors": comps, "recommendation": rec, "question": q})
    (labels / "written_9.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines),
                                            encoding="utf-8")
    return data, labels


def test_absent_data_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ModelError, match="training data folder not found"):
        load_sentiment(tmp_path / "shared" / "data")
    with pytest.raises(ModelError, match="training data folder not found"):
        train_all(tmp_path / "nothing", tmp_path / "out")


def test_holdout_is_stable_and_about_a_fifth():
    ids = [f"snappfood-{i:08x}" for i in range(5000)]
    share = sum(map(is_holdout, ids)) / len(ids)
    assert 0.17 < share < 0.23
    assert [is_holdout(i) for i in ids[:50]] == [is_holdout(i) for i in ids[:50]]


@pytest.mark.parametrize("gold, predicted, match", [
    ("مدل قبلي", "مدل قبلی", True), ("سامسونگ", "گوشی سامسونگ", True), ("کانن", "نیکون", False), ("", "x", False)])
def test_names_match(gold, predicted, match):
    assert names_match(gold, predicted) is match


def test_train_then_evaluate_ngrams_only(tmp_path):
    data_dir, labels_dir = _write(tmp_path)
    dataset = load_dataset(data_dir, labels_dir)
    out = tmp_path / "model"
    bundle = train_all(data_dir, out, options=TrainOptions(layers=0, cache=False), dataset=dataset,
                       log=lambda m: None)
    assert {"sentiment", "complaint", "suggestion", "comparison", "question", "recommendation"} <= set(bundle.heads)
    assert load_bundle(out).version == bundle.version
    clf = load_classifier(ModelSettings(heads=out))
    [good, bad] = clf.classify(["کیفیتش عالیه راضیم", "غذا سرد بود افتضاح"])
    assert good["sentiment"] == "positive" and bad["sentiment"] == "negative"
    table, metrics = evaluate_all(data_dir, ModelSettings(heads=out), dataset=dataset)
    assert "snappfood" in table and "complaint" in metrics
    assert "our own written texts" in table and metrics["written_texts"]["hand.sentiment"]["n"] > 0
    assert (out / "metrics.json").exists()
    # Retraining the same data gives the same files, hence the same version (skip-by-hash relies on it).
    again = train_all(data_dir, tmp_path / "model2", options=TrainOptions(layers=0, cache=False), dataset=dataset,
                      log=lambda m: None)
    assert again.version == bundle.version
    # A model trained with other cue patterns would weigh the wrong columns: refused at load, by name.
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["cues"]["columns"] == len(FEATURE_NAMES) + 1  # + the competitor-phrase count
    manifest["cues"]["patterns"] = "0" * 12
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ModelError, match="another set of cue patterns.*nlp/classifier/cues.py.*shenava train"):
        load_bundle(out)


def test_agreement_of_a_second_labeller(tmp_path, monkeypatch):
    data_dir, labels_dir = _write(tmp_path)
    dataset = load_dataset(data_dir, labels_dir)
    out = tmp_path / "model"
    train_all(data_dir, out, options=TrainOptions(layers=0, cache=False), dataset=dataset, log=lambda m: None)
    held = dataset.split(holdout=True).hand
    assert held, "the tiny data set should hold some hand rows out"
    second = tmp_path / "second.jsonl"
    # The second labeller agrees on every row but flips the complaint flag of the first.
    rows = [{"id": r.id, "sentiment": r.sentiment, "complaint": r.complaint != (k == 0),
             "complaint_categories": r.complaint_categories if r.complaint == (k != 0) else [],
             "suggestion": r.suggestion, "comparison": r.comparison, "competitors": r.competitors,
             "recommendation": r.recommendation, "question": r.question} for k, r in enumerate(held)]
    rows.append({**rows[-1], "id": "not-held-out"})
    second.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    monkeypatch.setattr("shenava.nlp.classifier.agreement.load_dataset", lambda d: dataset)  # not nlp/labels
    table, m = agreement_table(data_dir, second, ModelSettings(heads=out))
    assert m["rows"] == len(held) and "1 ids of second.jsonl not held out" in table
    assert m["second_labeller"]["hand.sentiment"]["accuracy"] == 1.0
    assert m["second_labeller"]["complaint"]["f1"] < 1.0
    (tmp_path / "bad.jsonl").write_text('{"id": "x"}\n', encoding="utf-8")
    with pytest.raises(ModelError, match="bad.jsonl:1: not a hand-label row"):
        agreement_table(data_dir, tmp_path / "bad.jsonl", ModelSettings(heads=out))


@pytest.mark.slow
def test_train_with_finetuned_encoder(tmp_path):
    data_dir, labels_dir = _write(tmp_path, n_copies=1)
    dataset = load_dataset(data_dir, labels_dir)
    out = tmp_path / "model"
    options = TrainOptions(layers=1, finetune=True, finetune_minutes=0.1, cache=False)
    bundle = train_all(data_dir, out, options=options, dataset=dataset, log=lambda m: None)
    assert bundle.adapters and all("lora_" in k for k in bundle.adapters)
    assert (out / "adapters.safetensors").stat().st_size < 1_000_000
    clf = load_classifier(ModelSettings(heads=out))
    assert clf.classify(["خیلی دیر رسید"])[0]["model_version"] == clf.model_version
    with pytest.raises(ModelError, match="trained on 'e5-small'"):
        load_classifier(ModelSettings(heads=out, encoder=str(tmp_path)))


def test_platform_tags_against_a_careful_reading(tmp_path):
    data_dir, labels_dir = _write(tmp_path)
    out = tmp_path / "model"
    train_all(data_dir, out, options=TrainOptions(layers=0, cache=False), dataset=load_dataset(data_dir, labels_dir),
              log=lambda m: None)
    held = [r for r in load_sentiment(data_dir) if r.source in ("snappfood", "digikala") and is_holdout(r.id)]
    snapp = [r for r in held if r.source == "snappfood"]
    assert len(snapp) >= 2, "the tiny data set should hold some SnappFood rows out"
    flip = {"positive": "negative", "negative": "positive"}
    # The first reader reads every tag but the first SnappFood one as the platform did; a second
    # reader, of SnappFood texts only, disagrees with the first on one text.
    rows = [{"id": r.id, "reader": "a", "sentiment": "mixed",
             "lean": flip[r.label] if r is snapp[0] else r.label} for r in held]
    rows += [{"id": r.id, "reader": "b", "sentiment": r.label, "lean": r.label} for r in snapp]
    path = tmp_path / "readings.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    settings = ModelSettings(heads=out)
    table, m = platform_tag_table(data_dir, path, settings)
    assert m["snappfood"]["texts"] == len(snapp) and m["snappfood"]["read_twice"] == len(snapp)
    assert m["snappfood"]["reader_vs_tag"] == pytest.approx(1 - 1 / len(snapp))
    assert m["snappfood"]["readers_agree"] == pytest.approx(1 - 1 / len(snapp))
    assert m["digikala"]["reader_vs_tag"] == 1.0 and m["digikala"]["read_twice"] == 0
    preds = load_classifier(settings).classify([r.text for r in snapp])
    model_right = sum(max(("positive", "negative"), key=p["sentiment_scores"].get) == r.label
                      for r, p in zip(snapp, preds))
    assert m["snappfood"]["model_vs_tag"] == pytest.approx(model_right / len(snapp))
    assert "readings.jsonl" in table and "snappfood" in table

    (tmp_path / "bad.jsonl").write_text('{"id": "x", "reader": "a", "sentiment": "happy", "lean": "positive"}\n',
                                        encoding="utf-8")
    with pytest.raises(ModelError, match="bad.jsonl:1: sentiment must be one of"):
        platform_tag_table(data_dir, tmp_path / "bad.jsonl", settings)
    stranger = tmp_path / "stranger.jsonl"
    stranger.write_text('{"id": "neshan-positive-0-0", "reader": "a", "sentiment": "positive", "lean": "positive"}\n',
                        encoding="utf-8")
    with pytest.raises(ModelError, match="1 ids are not held-out SnappFood/Digikala texts.*neshan-positive-0-0"):
        platform_tag_table(data_dir, stranger, settings)


def test_fresh_labels_are_scored_and_never_trained_on(tmp_path):
    data_dir, labels_dir = _write(tmp_path)
    fresh_dir = labels_dir / "fresh"
    fresh_dir.mkdir()
    fresh = fresh_dir / "new.jsonl"
    rows = [{"id": f"fresh-{k}", "text": text, "sentiment": s, "complaint": c, "complaint_categories": cats,
             "suggestion": sug, "comparison": comp, "competitors": comps, "recommendation": rec, "question": q}
            for k, (text, s, c, cats, sug, comp, comps, rec, q) in enumerate([
                ("پیتزا سرد رسید و نونش خمیر بود", "negative", True, ["delivery", "quality"], False, False, [],
                 "none", False),
                ("کاش سس بیشتری بذارید، بقیه‌اش عالی بود", "positive", False, [], True, False, [], "none", False),
                ("از اسنپ‌فود خیلی زودتر رسید 👌", "positive", False, [], False, True,
                 [{"name": "اسنپ‌فود", "direction": "better"}], "none", False),
            ])]
    fresh.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    dataset = load_dataset(data_dir, labels_dir)
    assert not any(r.id.startswith("fresh-") for r in dataset.hand)  # a subfolder is not training data
    out = tmp_path / "model"
    train_all(data_dir, out, options=TrainOptions(layers=0, cache=False), dataset=dataset, log=lambda m: None)
    settings = ModelSettings(heads=out)
    table, m = evaluate_fresh(data_dir, [fresh], settings, labels_dir=labels_dir)
    preds = load_classifier(settings).classify([r["text"] for r in rows])
    assert m["held_out_rows"] == 3 and m["complaint"]["n_true"] == 1 and m["comparison"]["n_true"] == 1
    assert m["hand.sentiment"]["accuracy"] == pytest.approx(
        sum(p["sentiment"] == r["sentiment"] for p, r in zip(preds, rows)) / 3)
    assert "labels the model never saw (new.jsonl)" in table and "question" in table

    trained = next(r for r in dataset.hand if not is_holdout(r.id))
    (tmp_path / "seen.jsonl").write_text(json.dumps({**rows[0], "id": trained.id, "text": trained.text}) + "\n",
                                         encoding="utf-8")
    with pytest.raises(ModelError, match="seen.jsonl: 1 ids are training-split hand labels.*" + trained.id):
        evaluate_fresh(data_dir, [tmp_path / "seen.jsonl"], settings, labels_dir=labels_dir)
    with pytest.raises(ModelError, match="absent.jsonl: no such file"):
        evaluate_fresh(data_dir, [tmp_path / "absent.jsonl"], settings, labels_dir=labels_dir)
    shared = {k: v for k, v in rows[0].items() if k != "text"}
    (tmp_path / "gone.jsonl").write_text(json.dumps({**shared, "id": "snappfood-gone"}) + "\n", encoding="utf-8")
    with pytest.raises(ModelError, match="gone.jsonl: 1 ids are not texts of .*snappfood-gone"):
        evaluate_fresh(data_dir, [tmp_path / "gone.jsonl"], settings, labels_dir=labels_dir)
