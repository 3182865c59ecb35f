"""python -m shenava.nlp.classifier train|evaluate|classify IN -o OUT (the CLI wires the same functions)."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from shenava.config import ModelSettings
from shenava.errors import ShenavaError


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from shenava.nlp.classifier.data import default_data_dir

    parser = argparse.ArgumentParser(prog="python -m shenava.nlp.classifier")
    sub = parser.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train")
    t.add_argument("--data", type=Path, default=default_data_dir())
    t.add_argument("--out", type=Path, default=None)
    t.add_argument("--layers", type=int, default=4)
    t.add_argument("--finetune", action="store_true")
    t.add_argument("--minutes", type=float, default=15.0)
    e = sub.add_parser("evaluate")
    e.add_argument("--data", type=Path, default=default_data_dir())
    e.add_argument("--heads", type=Path, default=None)
    c = sub.add_parser("classify")
    c.add_argument("input", type=Path)
    c.add_argument("-o", "--output", type=Path, required=True)
    c.add_argument("--heads", type=Path, default=None)
    args = parser.parse_args(argv)
    try:
        if args.cmd == "train":
            from shenava.nlp.classifier.bundle import SHIPPED_DIR
            from shenava.nlp.classifier.training import TrainOptions, train_all

            train_all(args.data, args.out or SHIPPED_DIR,
                      options=TrainOptions(layers=args.layers, finetune=args.finetune, finetune_minutes=args.minutes))
        elif args.cmd == "evaluate":
            from shenava.nlp.classifier.evaluation import evaluate_all

            table, _ = evaluate_all(args.data, ModelSettings(heads=args.heads))
            print(table)
        else:
            from shenava.nlp.classifier.files import classify_file

            classify_file(args.input, args.output, ModelSettings(heads=args.heads), [])
    except ShenavaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
