"""`shenava` command line: parses options and calls the library, nothing more."""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from datetime import date
from pathlib import Path
from typing import Callable

from shenava.errors import ShenavaError

CONFIG_ENV = "SHENAVA_CONFIG"


def _config(args: argparse.Namespace):
    from shenava.config import DEFAULT_CONFIG_NAME, load_config

    path = args.config or os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG_NAME
    if not Path(path).exists() and not args.config and not os.environ.get(CONFIG_ENV):
        raise ShenavaError(f"{path}: no config here; pass --config, set {CONFIG_ENV}, "
                           "or run `shenava demo` to see the bundled sample")
    return load_config(path)


def _store(config, readonly: bool = False):
    from shenava.storage import Store

    return Store.open(config.store_path, readonly=readonly)


class _Progress:
    """A tqdm bar on stderr, or nothing when stderr is not a terminal and --quiet is set."""

    def __init__(self, desc: str, quiet: bool):
        self.bar = None
        if not quiet:
            from tqdm import tqdm

            self.bar = tqdm(desc=desc, unit=" mentions", file=sys.stderr, leave=False)

    def __call__(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def __enter__(self) -> Callable[[int], None]:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()


def cmd_collect(args: argparse.Namespace) -> int:
    from shenava.pipeline import collect

    config = _config(args)
    with _store(config) as store, _Progress("collecting", args.quiet) as progress:
        reports = collect(config, store, args.source or None, progress)
    for r in reports:
        status = f"FAILED: {r.error}" if r.error else "ok"
        print(f"{r.source}: {r.new} new, {r.updated} edited, {r.unchanged} unchanged — {status}")
    return 1 if any(r.error for r in reports) else 0


def cmd_analyze(args: argparse.Namespace) -> int:
    from shenava.analyze import analyze

    config = _config(args)
    with _store(config) as store, _Progress("analyzing", args.quiet) as progress:
        report = analyze(config, store, limit=args.limit, progress=progress)
    print(f"prepared {report.prepared}, tagged {report.tagged}, reused {report.reused} "
          f"(model {report.model_version})")
    return 0


def cmd_digest(args: argparse.Namespace) -> int:
    from shenava.digest import write_digest

    config = _config(args)
    brands = [args.brand] if args.brand else [b.name for b in config.brands]
    if not brands:
        raise ShenavaError("no brand to digest: add [[brands]] to the config or pass --brand")
    with _store(config) as store:
        for brand in brands:
            files = write_digest(store, config, brand, args.period, args.date or _latest_day(store))
            print(f"{brand}: {files.html}  (markdown: {files.markdown})")
            if args.send:
                from shenava.digest.deliver import deliver

                for channel in deliver(files, config.digest):
                    print(f"{brand}: sent by {channel}")
    return 0


def _latest_day(store) -> date:
    from shenava.stats import latest_day

    return latest_day(store)


def cmd_run(args: argparse.Namespace) -> int:
    status = cmd_collect(args)
    args.limit = None
    cmd_analyze(args)
    args.brand, args.date = None, None
    cmd_digest(args)
    return status


def _model_settings(args: argparse.Namespace):
    """(model settings, brands) of the config when there is one, else the shipped defaults."""
    from shenava.config import DEFAULT_CONFIG_NAME, ModelSettings

    if args.config or os.environ.get(CONFIG_ENV) or Path(DEFAULT_CONFIG_NAME).exists():
        config = _config(args)
        return config.model, config.brands
    return ModelSettings(), []


def cmd_classify(args: argparse.Namespace) -> int:
    from shenava.nlp.classifier.files import classify_file

    settings, brands = _model_settings(args)
    n = classify_file(Path(args.input), Path(args.output), settings, brands)
    print(f"classified {n} mentions -> {args.output}", file=sys.stderr)
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from shenava.nlp.classifier.training import TrainOptions, train_all

    settings, _ = _model_settings(args)
    options = TrainOptions(layers=args.layers, max_length=args.max_length,
                           finetune=args.finetune_minutes > 0, finetune_minutes=args.finetune_minutes)
    train_all(Path(args.data), Path(args.out) if args.out else None, settings, options)
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from shenava.nlp.classifier.evaluation import evaluate_all

    settings, _ = _model_settings(args)
    if args.agreement:
        from shenava.nlp.classifier.agreement import agreement_table

        table, _ = agreement_table(Path(args.data), Path(args.agreement), settings)
    elif args.fresh:
        from shenava.nlp.classifier.evaluation import evaluate_fresh

        table, _ = evaluate_fresh(Path(args.data), [Path(f) for f in args.fresh], settings)
    elif args.platform_tags:
        from shenava.nlp.classifier.platform_tags import platform_tag_table

        table, _ = platform_tag_table(Path(args.data), Path(args.platform_tags), settings)
    else:
        table, _ = evaluate_all(Path(args.data), settings)
    print(table)
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from shenava.storage.search import search

    config = _config(args)
    with _store(config, readonly=True) as store:
        hits = search(store, args.query, limit=args.limit, brand=args.brand)
    if args.json:
        for h in hits:
            print(json.dumps(h.__dict__, ensure_ascii=False, default=str))
    for h in hits if not args.json else []:
        print(f"[{h.published_at[:16]}] {h.source}  {h.permalink or ''}\n    {h.snippet}")
    if not hits and not args.json:
        print("no mentions match", file=sys.stderr)
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from shenava.stats import store_stats

    config = _config(args)
    with _store(config, readonly=True) as store:
        print(json.dumps(store_stats(store), ensure_ascii=False, indent=2) if args.json
              else store_stats(store, as_text=True))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from shenava.demo import run_demo

    run_demo(Path(args.workdir), use_prefect=not args.no_prefect)
    return 0


def _send_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-send", dest="send", action="store_false",
                   help="only write the files; skip the e-mail / Telegram delivery set in [digest.email] / "
                        "[digest.telegram] (or SHENAVA_SMTP_HOST / SHENAVA_TELEGRAM_CHAT)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="shenava",
        description="شنوا — Persian social listening: collect mentions, tag them, write digests.")
    parser.add_argument("--config", "-c", help=f"config TOML (default: ${CONFIG_ENV} or ./shenava.toml)")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bars")
    parser.add_argument("--verbose", "-v", action="store_true", help="log what each step does")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("collect", help="fetch new mentions from the configured sources")
    p.add_argument("--source", "-s", action="append", help="source name (repeatable; default: all enabled)")
    p.set_defaults(func=cmd_collect)

    p = sub.add_parser("analyze", help="normalize and tag mentions not yet tagged by the current model")
    p.add_argument("--limit", type=int, help="stop after this many mentions")
    p.set_defaults(func=cmd_analyze)

    p = sub.add_parser("digest", help="write the HTML + Markdown digest for a brand and period")
    p.add_argument("--brand", "-b", help="brand name (default: every configured brand)")
    p.add_argument("--period", choices=["day", "week"], default="day", help="day or week (default: day)")
    p.add_argument("--date", type=date.fromisoformat,
                   help="last day of the period, YYYY-MM-DD (default: the newest day in the store)")
    _send_option(p)
    p.set_defaults(func=cmd_digest)

    p = sub.add_parser("run", help="collect, analyze and digest in one go")
    p.add_argument("--source", "-s", action="append", help="source name (repeatable; default: all)")
    p.add_argument("--period", choices=["day", "week"], default="day", help="digest period")
    _send_option(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("classify", help="tag a JSON Lines file of {id, text} (no store, no network)")
    p.add_argument("input", help="input .jsonl, one {\"id\", \"text\"} per line")
    p.add_argument("-o", "--output", required=True, help="output .jsonl, one result per input line")
    p.set_defaults(func=cmd_classify)

    p = sub.add_parser("train", help="rebuild the classifier from ../shared/data and nlp/labels")
    p.add_argument("--data", default="../shared/data", help="labelled data folder (default: ../shared/data)")
    p.add_argument("--out", help="where to write the trained model (default: the config's model.heads, "
                                 "else the bundled model folder)")
    p.add_argument("--layers", type=int, default=2,
                   help="encoder layers kept (default 2; 0 = n-grams and cues only, no encoder)")
    p.add_argument("--max-length", type=int, default=64, help="encoder tokens per text (default 64)")
    p.add_argument("--finetune-minutes", type=float, default=0,
                   help="first fine-tune LoRA adapters on the encoder for this long (default 0: frozen encoder)")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("evaluate", help="print held-out metrics of the current classifier")
    p.add_argument("--data", default="../shared/data", help="labelled data folder (default: ../shared/data)")
    instead = p.add_mutually_exclusive_group()
    instead.add_argument("--agreement", metavar="FILE",
                   help="instead: a second labeller's labels of held-out texts (e.g. nlp/agreement/"
                        "second_labeller_300.jsonl) against ours, beside the model's on the same rows")
    instead.add_argument("--fresh", metavar="FILE", nargs="+",
                         help="instead: hand labels the model was never trained on (e.g. nlp/labels/fresh/"
                              "*.jsonl), scored like the held-out hand labels")
    instead.add_argument("--platform-tags", metavar="FILE",
                   help="instead: careful readings of held-out SnappFood/Digikala texts (e.g. nlp/agreement/"
                        "platform_tags_500.jsonl) against the platforms' own tags, beside the model's")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("search", help="full-text search over stored mentions")
    p.add_argument("query", help='words, "a phrase", or a prefix*')
    p.add_argument("--limit", "-n", type=int, default=20, help="how many results (default 20)")
    p.add_argument("--brand", "-b", help="only mentions of this brand")
    p.add_argument("--json", action="store_true", help="one JSON object per result")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("stats", help="what the store holds: mentions per source, tags, last runs")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("demo", help="run the whole pipeline on the bundled sample sources")
    p.add_argument("--workdir", default=".", help="where data/ and reports/ go (default: here)")
    p.add_argument("--no-prefect", action="store_true", help="call the library directly, without Prefect")
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        return args.func(args)
    except ShenavaError as exc:
        print(f"shenava: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("shenava: interrupted; what was stored is kept, the next run resumes", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
