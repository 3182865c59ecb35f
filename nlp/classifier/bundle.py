"""The trained artefacts on disk (nlp/model/ by default) and their version.

- manifest.json: encoder, layers kept, text preparation, head metadata, training summary
- arrays.npz: n-gram vocabulary and idf, head weights (float16)
- adapters.safetensors: LoRA adapters of the encoder, when it was fine-tuned
The model version is a hash of these files' bytes: the same files classify the
same way, so a mention classified by this version can be skipped by content hash.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from shenava.errors import ModelError
from shenava.nlp.classifier.cues import PATTERNS_DIGEST
from shenava.nlp.classifier.heads import LinearHead, Ngrams

SHIPPED_DIR = Path(__file__).resolve().parents[1] / "model"
FORMAT = 2
_FILES = ("manifest.json", "arrays.npz", "adapters.safetensors")


@dataclass
class Bundle:
    manifest: dict
    heads: dict[str, LinearHead]
    vectorizer: Ngrams
    adapters: dict | None = None
    path: Path = field(default_factory=Path)
    version: str = ""

    def save(self, out_dir: Path) -> str:
        out_dir.mkdir(parents=True, exist_ok=True)
        self.manifest["format"] = FORMAT
        self.manifest["heads"] = {name: head.meta() for name, head in self.heads.items()}
        arrays = self.vectorizer.to_arrays()
        for head in self.heads.values():
            arrays.update(head.to_arrays())
        with open(out_dir / "arrays.npz", "wb") as fh:
            np.savez_compressed(fh, **arrays)
        adapters_path = out_dir / "adapters.safetensors"
        if self.adapters:
            from safetensors.torch import save_file

            save_file({k: v.half().contiguous() for k, v in self.adapters.items()}, str(adapters_path))
        elif adapters_path.exists():
            adapters_path.unlink()
        (out_dir / "manifest.json").write_text(json.dumps(self.manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        self.path, self.version = out_dir, version_of(out_dir)
        return self.version


def version_of(folder: Path) -> str:
    digest = hashlib.sha256()
    for name in _FILES:
        path = folder / name
        if path.exists():
            digest.update(name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def load_bundle(folder: Path | None) -> Bundle:
    folder = Path(folder) if folder else SHIPPED_DIR
    manifest_path = folder / "manifest.json"
    if not manifest_path.is_file():
        hint = "run `shenava train` first" if folder == SHIPPED_DIR else "check model.heads in the config"
        raise ModelError(f"{folder}: no trained classifier here (manifest.json missing); {hint}")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT:
            raise ModelError(f"{manifest_path}: format {manifest.get('format')} is not {FORMAT}; retrain")
        trained_cues = (manifest.get("cues") or {}).get("patterns")
        if trained_cues and trained_cues != PATTERNS_DIGEST:
            raise ModelError(f"{manifest_path}: trained with another set of cue patterns ({trained_cues}; this code has "
                             f"{PATTERNS_DIGEST}, nlp/classifier/cues.py); retrain with `shenava train`")
        with np.load(folder / "arrays.npz", allow_pickle=False) as arrays:
            vectorizer = Ngrams.from_arrays(arrays)
            heads = {name: LinearHead.from_arrays(name, meta, arrays) for name, meta in manifest["heads"].items()}
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(f"{folder}: trained classifier files are unreadable ({exc.__class__.__name__}: {exc})") from None
    adapters = None
    if (folder / "adapters.safetensors").exists():
        from safetensors.torch import load_file

        adapters = {k: v.float() for k, v in load_file(str(folder / "adapters.safetensors")).items()}
    return Bundle(manifest, heads, vectorizer, adapters, folder, version_of(folder))
