"""Classify throughput, model load time and peak memory of the shipped classifier.

    .venv/bin/python bench/bench_classify.py [--n 3000] [--threads 2] [--sweep]

Texts: the real comments of ../shared/data when present (read at run time, not
copied), else our own sample sentences repeated. The model is loaded once; the
figure is end to end (text preparation, encoder, n-grams, heads, evidence,
competitors). --sweep also times the bare encoder at several depths in float32,
bfloat16 and int8, the trade-off behind the shipped configuration.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

OWN_SAMPLES = [
    "غذا سرد رسید و پیک هم یک ساعت دیر اومد، دیگه سفارش نمیدم",
    "کیفیتش عالیه، واقعا راضیم. حتما بخرید 👌",
    "کسی میدونه این مدل گارانتی داره؟",
    "نسبت به مدل قبلی باتریش ضعیف‌تره ولی دوربینش خیلی بهتر شده",
    "پیشنهاد میکنم بسته بندی رو عوض کنید، همش له میرسه",
    "kheili bad bood, pool-e-tuno dour narizid",
    "قيمتش نسبت به باسلام گرونتره ولی ارسالش سريعتره",
    "خوب بود",
]


def load_texts(n: int) -> tuple[list[str], str]:
    from shenava.nlp.classifier.data import default_data_dir

    data = default_data_dir()
    texts = []
    if data.is_dir():
        for path in sorted(data.glob("*/*.jsonl")):
            texts += [json.loads(l)["text"] for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]
    if texts:
        random.Random(0).shuffle(texts)
        return texts[:n], f"{min(n, len(texts))} real comments from {data}"
    return (OWN_SAMPLES * (n // len(OWN_SAMPLES) + 1))[:n], "our own sample sentences, repeated"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--sweep", action="store_true")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    from shenava.config import ModelSettings
    from shenava.nlp.classifier import load_classifier
    from shenava.nlp.encoder import ensure_encoder

    settings = ModelSettings(threads=args.threads)
    ensure_encoder(settings)  # the one-time conversion is a setup step, not load time
    texts, what = load_texts(args.n)
    t0 = time.perf_counter()
    clf = load_classifier(settings)
    load_s = time.perf_counter() - t0
    clf.classify(texts[:64])  # warm-up
    t0 = time.perf_counter()
    clf.classify(texts)
    elapsed = time.perf_counter() - t0
    chars = sum(map(len, texts)) / len(texts)
    print(f"classifier {clf.model_version}, {args.threads} threads, texts: {what} (mean {chars:.0f} chars)")
    print(f"  model load        {load_s:6.2f} s")
    print(f"  classify          {len(texts) / elapsed:6.0f} mentions/s  ({len(texts)} in {elapsed:.1f} s; target >= 300)")
    print(f"  peak memory (RSS) {peak_rss_mb():6.0f} MB  (target <= 1536)")
    if args.sweep:
        sweep(settings, texts[:1000])
    return 0


def sweep(settings, texts: list[str]) -> None:
    from shenava.nlp.classifier.bundle import load_bundle
    from shenava.nlp.classifier.embedder import Embedder
    from shenava.nlp.classifier.textprep import model_text
    from shenava.nlp.encoder import ensure_encoder

    prepared = [model_text(t) for t in texts]
    folder = ensure_encoder(settings)
    max_length = load_bundle(settings.heads).manifest.get("max_length", 64)  # what the shipped heads read
    print("  bare encoder, mentions/s (max_length %d):" % max_length)
    for layers in (2, 4, 6, 12):
        row = []
        for precision, quantize in (("float32", False), ("bfloat16", False), ("float32", True)):
            emb = Embedder(folder, layers, max_length, settings.batch_size, quantize=quantize, precision=precision)
            emb.embed(prepared[:64])
            t0 = time.perf_counter()
            emb.embed(prepared)
            row.append(len(prepared) / (time.perf_counter() - t0))
        print(f"    {layers:2d} layers: fp32 {row[0]:5.0f}   bf16 {row[1]:5.0f}   int8 {row[2]:5.0f}")

if __name__ == "__main__":
    sys.exit(main())
