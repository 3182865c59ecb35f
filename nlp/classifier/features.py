"""Texts -> feature blocks, one code path for training and classifying."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from shenava.nlp.classifier.competitors import CompetitorFinder
from shenava.nlp.classifier.cues import FEATURE_NAMES, cue_features
from shenava.nlp.classifier.embedder import Embedder
from shenava.nlp.classifier.heads import Blocks
from shenava.nlp.classifier.textprep import fold, model_text


@dataclass
class Prepared:
    analysis: list[str]
    cues: np.ndarray


_FINDER = CompetitorFinder()


def prepare_texts(texts: list[str]) -> Prepared:
    analysis = [model_text(t) for t in texts]
    rows = []
    for a in analysis:
        folded = fold(a)
        rows.append(np.append(cue_features(folded), min(_FINDER.phrase_count(folded), 2) / 2))
    cues = np.stack(rows) if rows else np.zeros((0, len(FEATURE_NAMES) + 1), np.float32)
    return Prepared(analysis, cues.astype(np.float32))


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
