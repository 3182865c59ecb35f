"""Texts -> feature blocks, one code path for training and classifying."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from shenava.nlp.classifier.cues import cue_features
from shenava.nlp.classifier.embedder import Embedder
from shenava.nlp.classifier.heads import Blocks
from shenava.nlp.classifier.textprep import fold, model_text


@dataclass
class Prepared:
    analysis: list[str]
    cues: np.ndarray


def prepare_texts(texts: list[str]) -> Prepared:
    analysis = [model_text(t) for t in texts]
    cues = np.stack([cue_features(fold(a)) for a in analysis]) if analysis else np.zeros((0, 0), np.float32)
    return Prepared(analysis, cues)


def blocks_for(prepared: Prepared, vectorizer, embedder: Embedder | None,
               progress: Callable[[int], None] | None = None, cache: Path | None = None,
               cache_key: str = "") -> Blocks:
    ngrams = vectorizer.transform(prepared.analysis).astype(np.float32).tocsr()
    if embedder is None:
        embedding = np.zeros((len(prepared.analysis), 0), np.float32)
    else:
        embedding = _cached_embed(embedder, prepared.analysis, progress, cache, cache_key)
    return Blocks(ngrams, embedding, prepared.cues)


def _cached_embed(embedder: Embedder, texts: list[str], progress, cache: Path | None, key: str) -> np.ndarray:
    """Training re-embeds the same 30k texts run after run; a keyed cache saves minutes."""
    if cache is None:
        return embedder.embed(texts, progress)
    digest = hashlib.sha1(key.encode())
    for t in texts:
        digest.update(t.encode("utf-8"))
        digest.update(b"\0")
    path = cache / f"emb-{digest.hexdigest()[:20]}.npy"
    if path.exists():
        return np.load(path)
    out = embedder.embed(texts, progress)
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, out)
    return out
