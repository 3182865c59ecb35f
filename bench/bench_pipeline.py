"""End to end on new mentions: collect -> store -> prepare + dedup + classify -> store.

    .venv/bin/python bench/bench_pipeline.py [--n 5000] [--threads 2] [--profile-n 3000]
    (or: make bench / python -m bench pipeline)

N synthetic Persian mentions (bench/synthetic.py: ~90% distinct texts, forwards
and near copies among them) are written to a JSON Lines file and go through
the library exactly as `shenava collect` + `shenava analyze` run them, with
the shipped classifier. Printed: mentions/s of each stage and overall (model
load reported apart), peak RSS, then a second `analyze` over the same store
(must make no model call), then the reuse path (the same texts arriving as new
mentions: tagged from the analyses of their content hash, no model call), then
a smaller end-to-end run with wall-clock timers around the stages that explain it.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.synthetic import BRANDS_TOML, file_source_toml, mentions, write_jsonl  # noqa: E402

CONFIG = """
[store]
path = "shenava.db"

[model]
threads = {threads}
batch_size = {batch_size}
"""
SOURCE = BRANDS_TOML + file_source_toml("channel-export", "mentions.jsonl")


class CountingClassifier:
    """Passes through to the real classifier, counting calls and texts."""

    def __init__(self, inner):
        self.inner = inner
        self.model_version = inner.model_version
        self.calls = self.texts = 0

    def classify(self, texts, progress=None, analysis=None):
        self.calls += 1
        self.texts += len(texts)
        return self.inner.classify(texts, progress, analysis)


def rss_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def workdir(root: Path, n: int, args, seed: int) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    write_jsonl(root / "mentions.jsonl", mentions(n, seed=seed))
    (root / "shenava.toml").write_text(CONFIG.format(threads=args.threads, batch_size=args.batch_size) + SOURCE,
                                       encoding="utf-8")
    return root


def timed(fn, *a, **kw):
    start = time.perf_counter()
    out = fn(*a, **kw)
    return out, time.perf_counter() - start


def end_to_end(root: Path, clf: CountingClassifier) -> dict[str, float]:
    from shenava.analyze import prepare_pending, tag_pending
    from shenava.config import load_config
    from shenava.pipeline import collect
    from shenava.storage import Store

    config = load_config(root / "shenava.toml")
    with Store.open(config.store_path) as store:
        [report], t_collect = timed(collect, config, store)
        assert report.error is None, report.error
        prepared, t_prepare = timed(prepare_pending, config, store)
        (tagged, reused), t_tag = timed(tag_pending, store, clf)
    return {"collected": report.new, "prepared": prepared, "tagged": tagged, "reused": reused,
            "collect": t_collect, "prepare": t_prepare, "tag": t_tag}


def rerun(root: Path, clf: CountingClassifier) -> tuple[int, float, object]:
    from shenava.analyze import analyze
    from shenava.config import load_config
    from shenava.storage import Store

    config = load_config(root / "shenava.toml")
    with Store.open(config.store_path) as store:
        total = store.count()
        report, seconds = timed(analyze, config, store, classifier=clf)
    return total, seconds, report


def reuse_path(root: Path, clf: CountingClassifier) -> tuple[int, int, float]:
    """Every stored mention copied as a new, prepared mention of another source; then tag."""
    from shenava.analyze import tag_pending
    from shenava.storage import Store

    with Store.open(root / "shenava.db") as store:
        with store.transaction() as db:
            # Prepared (same analysis text and content hash) but not tagged yet: tagged_by stays NULL.
            cols = [c for c in db["mentions"].columns_dict if c not in ("id", "source", "tagged_by")]
            names = ", ".join(cols)
            db.execute("INSERT INTO sources (name, kind) VALUES ('re-import', 'file')")
            db.execute(f"INSERT INTO mentions (source, {names}) SELECT 're-import', {names} FROM mentions")
        (tagged, reused), seconds = timed(tag_pending, store, clf)
    return tagged, reused, seconds


def profile(root: Path, clf: CountingClassifier) -> None:
    """Wall-clock timers around the functions that explain a run (cProfile's per-call cost
    inflated the Python-heavy stages about threefold and cannot see the encoder thread)."""
    import importlib

    spent: dict[str, float] = dict.fromkeys((label for label, _ in WHERE), 0.0)
    originals = []
    for label, dotted in WHERE:
        module_name, _, attr = dotted.rpartition(":")
        owner = importlib.import_module(module_name)
        *path, name = attr.split(".")
        for part in path:
            owner = getattr(owner, part)
        original = getattr(owner, name)
        originals.append((owner, name, original))

        def wrapper(*a, _original=original, _label=label, **kw):
            start = time.perf_counter()
            try:
                return _original(*a, **kw)
            finally:
                spent[_label] += time.perf_counter() - start
        setattr(owner, name, wrapper)
    try:
        stages = end_to_end(root, clf)
    finally:
        for owner, name, original in reversed(originals):
            setattr(owner, name, original)
    total = sum(stages[k] for k in ("collect", "prepare", "tag"))
    print(f"  timed {stages['collected']} mentions end to end: {total:.1f} s, {stages['collected'] / total:.0f}/s "
          f"(collect {stages['collect']:.1f}, prepare {stages['prepare']:.1f}, tag {stages['tag']:.1f})")
    print("  where the time goes (wall s, share of the run; indented rows are inside the row above them):")
    for label, _ in WHERE:
        print(f"    {label:<62} {spent[label]:7.2f} s  {spent[label] / total:5.1%}")


# (label, "module:attribute") — timed in the profile run. The encoder row runs on the
# classifier's worker thread, beside the main thread's rows, not inside them.
WHERE = [
    ("collect: file connector + upsert into SQLite", "shenava.storage.store:Store.upsert_mentions"),
    ("prepare: text forms + fingerprints", "shenava.nlp.text.batch:prepare_chunk"),
    ("prepare: brand matching", "shenava.nlp.text.brands:BrandMatcher.find"),
    ("prepare: duplicate clusters (MinHash/LSH)", "shenava.nlp.text.dedup:Deduplicator.add"),
    ("tag: classifier.classify", "shenava.nlp.classifier.model:Classifier.classify"),
    ("tag:   cue features", "shenava.nlp.classifier.model:with_cues"),
    ("tag:   n-gram features (mentions and evidence clauses)", "shenava.nlp.classifier.heads:Ngrams.transform"),
    ("tag:   heads", "shenava.nlp.classifier.heads:LinearHead.proba"),
    ("tag:   per-mention tags, evidence cues, competitors", "shenava.nlp.classifier.model:Classifier._one"),
    ("tag:   evidence by n-gram weights", "shenava.nlp.classifier.model:Classifier._fill_evidence"),
    ("tag:   waiting for the encoder thread", "shenava.nlp.classifier.model:_EncoderAhead.next"),
    ("encoder thread: tokenizer + transformer (its own core)", "shenava.nlp.classifier.embedder:Embedder.embed"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000, help="new mentions end to end")
    parser.add_argument("--threads", type=int, default=2,
                        help="torch threads (model.threads); the 2-core target machine's two by default")
    parser.add_argument("--batch-size", type=int, default=64, help="model.batch_size")
    parser.add_argument("--profile-n", type=int, default=3000, help="mentions in the timed-profile run; 0 skips it")
    parser.add_argument("--dir", type=Path, default=None, help="work folder (default: a temporary one)")
    args = parser.parse_args()

    from shenava.config import ModelSettings
    from shenava.nlp.classifier import load_classifier

    with tempfile.TemporaryDirectory(prefix="shenava-bench-") as tmp:
        base = args.dir or Path(tmp)
        root = workdir(base / "run", args.n, args, seed=11)
        print(f"end to end: {args.n} new mentions, threads={args.threads}, batch_size={args.batch_size}; "
              f"cpus={os.cpu_count()}, load average at start {load_average()}")
        settings = ModelSettings(threads=args.threads, batch_size=args.batch_size)
        inner, t_load = timed(load_classifier, settings, [])
        clf = CountingClassifier(inner)
        clf.classify(["گرم کردن مدل"])  # first call pays lazy initialisation, not the benchmark
        clf.calls = clf.texts = 0
        load_peak = peak_mb()
        manifest = inner.bundle.manifest  # the encoder reads what it was trained with, not model.max_length
        print(f"  model {inner.model_version} ({manifest.get('layers')} layers, max_length "
              f"{manifest.get('max_length')} tokens, quantize {manifest.get('quantize')}) loaded in {t_load:.1f} s; "
              f"RSS {rss_mb():.0f} MB, peak so far {load_peak:.0f} MB")

        s = end_to_end(root, clf)
        total = s["collect"] + s["prepare"] + s["tag"]
        n = s["collected"]
        print(f"  collect -> store   {n / s['collect']:8.0f} mentions/s  ({n} in {s['collect']:.2f} s)")
        print(f"  prepare + dedup    {n / s['prepare']:8.0f} mentions/s  ({s['prepared']} in {s['prepare']:.2f} s)")
        print(f"  classify -> store  {n / s['tag']:8.0f} mentions/s  ({s['tagged']} model-tagged, "
              f"{s['reused']} reused by content hash, {clf.calls} model calls, in {s['tag']:.2f} s)")
        print(f"  END TO END         {n / total:8.0f} mentions/s  ({n} in {total:.2f} s; target >= 400)")
        print(f"  peak RSS {peak_mb():.0f} MB (after model load: {load_peak:.0f} MB; target <= 1536); "
              f"load average now {load_average()}")

        clf.calls = clf.texts = 0
        total_rows, seconds, report = rerun(root, clf)
        print(f"re-run analyze over the same store: {total_rows / seconds:,.0f} mentions/s "
              f"({total_rows} mentions in {seconds:.3f} s; {report.prepared} prepared, {report.tagged} tagged, "
              f"model calls {clf.calls}; target >= 20,000)")
        assert clf.calls == 0, "a re-run over analysed mentions called the model"

        tagged, reused, seconds = reuse_path(root, clf)
        print(f"same texts as new mentions (reuse by content hash): {reused / seconds:,.0f} mentions/s "
              f"({reused} reused, {tagged} tagged, model calls {clf.calls}, in {seconds:.3f} s)")
        assert clf.calls == 0 and tagged == 0, "mentions with analysed content hashes reached the model"

        if args.profile_n:
            clf.calls = 0
            print(f"profile (load average {load_average()}):")
            profile(workdir(base / "profile", args.profile_n, args, seed=12), clf)
    return 0


if __name__ == "__main__":
    sys.exit(main())
