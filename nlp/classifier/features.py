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
from shenava.nlp.classifier.textprep import analysis_backend, fold, model_text


@dataclass
class Prepared:
    analysis: list[str]
    cues: np.ndarray


_FINDER = CompetitorFinder()


def analysis_forms(texts: list[str], analysis: list[str] | None = None) -> list[str]:
    """What the model reads of each text: the stored analysis form when given, else made here."""
    if analysis is None or analysis_backend() != "prepare":
        return [model_text(t) for t in texts]
    return [(a or "").strip() for a in analysis]


def prepare_texts(texts: list[str], analysis: list[str] | None = None) -> Prepared:
    return with_cues(analysis_forms(texts, analysis))


def with_cues(analysis: list[str]) -> Prepared:
    rows = []
    for a in analysis:
        folded = fold(a)
        rows.append(np.append(cue_features(folded), min(_FINDER.phrase_count(folded), 2) / 2))
    cues = np.stack(rows) if rows else np.zeros((0, len(FEATURE_NAMES) + 1), np.float32)
    return Prepared(analysis, cues.astype(np.float32))


def blocks_for(prepared: Prepared, vectorizer, embedder: Embedder | None,
               progress: Callable[[int], None] | None = None, cache: Path | None = None,
               cache_key: str = "", vectors: Callable[[], np.ndarray] | None = None) -> Blocks:
    """`vectors`, when given, returns the texts' embeddings, made elsewhere (the classifier embeds ahead)."""
    ngrams = vectorizer.transform(prepared.analysis).astype(np.float32).tocsr()
    if vectors is not None:
        embedding = vectors()
    elif embedder is None:
        embedding = np.zeros((len(prepared.analysis), 0), np.float32)
    else:
        embedding = _cached_embed(embedder, prepared.analysis, progress, cache, cache_key)
    return Blocks(ngrams, embedding, prepared.cues)


def _cached_embed(embedder: Embedder, texts: list[str], progress, cache: Path | None, key: str) -> np.ndarray:
    """Training re-embeds the same 30k texts run after run; a cache keyed by encoder
    setup and by each text's hash saves minutes, and a few new labels only embed those."""
    if cache is None:
        return embedder.embed(texts, progress)
    path = cache / f"emb-{hashlib.sha1(key.encode()).hexdigest()[:20]}.npz"
    hashes = np.array([hashlib.sha1(t.encode("utf-8")).digest()[:12] for t in texts], dtype="S12")
    known: dict[bytes, np.ndarray] = {}
    if path.exists():
        with np.load(path) as old:
            known = dict(zip(old["hashes"].tolist(), old["vectors"]))
    missing = sorted({i for i, h in enumerate(hashes.tolist()) if h not in known})
    if missing:
        fresh = embedder.embed([texts[i] for i in missing], progress)
        known.update(zip(hashes[missing].tolist(), fresh))
        cache.mkdir(parents=True, exist_ok=True)
        keys = list(known)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, hashes=np.array(keys, dtype="S12"), vectors=np.stack([known[k] for k in keys]))
        tmp.replace(path)
    return np.stack([known[h] for h in hashes.tolist()])
