"""Classifier: every tag of the labeling guide for a batch of mentions."""
from __future__ import annotations

import re
from typing import Callable

import numpy as np

from shenava.config import Brand, ModelSettings
from shenava.errors import ModelError
from shenava.nlp.classifier.bundle import Bundle, load_bundle
from shenava.nlp.classifier.competitors import CompetitorFinder
from shenava.nlp.classifier.cues import CATEGORIES, find_cues
from shenava.nlp.classifier.data import BINARY_TAGS, RECOMMENDATIONS, SENTIMENTS
from shenava.nlp.classifier.embedder import Embedder
from shenava.nlp.classifier.features import blocks_for, prepare_texts
from shenava.nlp.classifier.textprep import Folded, analysis_backend, fold, model_text

_CLAUSE = re.compile(r"[^.!؟?\n،,؛;]+(?:[.!؟?]+)?")
_MAX_SPAN = 160


class Classifier:
    def __init__(self, bundle: Bundle, embedder: Embedder | None, brands: list[Brand], settings: ModelSettings):
        self.bundle = bundle
        self.embedder = embedder
        self.finder = CompetitorFinder(list(brands))
        self.settings = settings
        encoder_tag = "" if settings.encoder == bundle.manifest.get("encoder", "e5-small") else f"+{settings.encoder}"
        self.model_version = f"shenava-{bundle.version}-L{bundle.manifest.get('layers')}-T{settings.max_length}{encoder_tag}"

    def classify(self, texts: list[str], progress: Callable[[int], None] | None = None) -> list[dict]:
        texts = ["" if t is None else str(t) for t in texts]
        results: list[dict] = []
        step = max(256, self.settings.batch_size * 4)
        for start in range(0, len(texts), step):
            results += self._classify_chunk(texts[start:start + step], progress)
        return results

    def _classify_chunk(self, texts: list[str], progress) -> list[dict]:
        prepared = prepare_texts(texts)
        blocks = blocks_for(prepared, self.bundle.vectorizer, self.embedder,
                            progress=progress if self.embedder else None)
        if self.embedder is None and progress:
            progress(len(texts))
        heads = self.bundle.heads
        sent = heads["sentiment"].proba(blocks)
        binary = {tag: heads[tag].proba(blocks)[:, 1] for tag in BINARY_TAGS}
        rec = heads["recommendation"].proba(blocks)
        cats = {c: heads[f"category_{c}"].proba(blocks)[:, 1] for c in CATEGORIES if f"category_{c}" in heads}
        out = []
        for i, text in enumerate(texts):
            out.append(self._one(text, i, sent[i], {t: float(binary[t][i]) for t in BINARY_TAGS}, rec[i],
                                 {c: float(p[i]) for c, p in cats.items()}))
        return out

    def _one(self, text: str, i: int, sent: np.ndarray, binary: dict, rec: np.ndarray, cats: dict) -> dict:
        heads = self.bundle.heads
        sent_classes = heads["sentiment"].classes
        scores = {c: round(float(sent[sent_classes.index(c)]), 4) if c in sent_classes else 0.0 for c in SENTIMENTS}
        sentiment = max(scores, key=scores.get)
        flags = {t: binary[t] >= heads[t].threshold for t in BINARY_TAGS}
        rec_classes = heads["recommendation"].classes
        recommendation = rec_classes[int(np.argmax(rec))]
        categories: list[str] = []
        if flags["complaint"]:
            categories = [c for c, p in cats.items() if p >= heads[f"category_{c}"].threshold]
            if not categories and cats:
                categories = [max(cats, key=cats.get)]
        folded = fold(text)
        competitors = self.finder.find(folded, sentiment, flags["comparison"]) if flags["comparison"] else []
        cues = find_cues(folded)
        evidence: dict[str, list[str]] = {}
        if sentiment != "neutral":
            polar = ["positive", "negative"] if sentiment == "mixed" else [sentiment]
            evidence["sentiment"] = self._evidence(folded, cues, polar, "sentiment",
                                                   [sent_classes.index(p) for p in polar])
        for tag in BINARY_TAGS:
            if flags[tag]:
                evidence[tag] = self._evidence(folded, cues, [tag], tag, [1])
        if recommendation != "none":
            evidence["recommendation"] = self._evidence(folded, cues, [recommendation], "recommendation",
                                                        [rec_classes.index(recommendation)])
        return {
            "sentiment": sentiment,
            "sentiment_scores": scores,
            "complaint": bool(flags["complaint"]),
            "complaint_categories": categories,
            "suggestion": bool(flags["suggestion"]),
            "comparison": bool(flags["comparison"]),
            "competitors": competitors,
            "recommendation": recommendation,
            "question": bool(flags["question"]),
            "evidence": {k: v for k, v in evidence.items() if v},
            "scores": {**{t: round(binary[t], 4) for t in BINARY_TAGS},
                       "recommendation": {c: round(float(rec[j]), 4) for j, c in enumerate(rec_classes)},
                       "complaint_categories": {c: round(p, 4) for c, p in cats.items()}},
            "model_version": self.model_version,
        }

    def _evidence(self, folded: Folded, cues, cue_tags: list[str], head: str, classes: list[int]) -> list[str]:
        """Clauses holding a cue for the tag, as written; else the clause the n-gram model scores highest."""
        clauses = [(m.start(), m.end()) for m in _CLAUSE.finditer(folded.text) if m.group().strip()]
        spans: list[str] = []
        for cue in sorted((c for c in cues if any(c.tag == t or c.tag.startswith(t + ":") for t in cue_tags)),
                          key=lambda c: c.start):
            start, end = next(((s, e) for s, e in clauses if s <= cue.start < e), (cue.start, cue.end))
            if end - start > _MAX_SPAN:
                start, end = cue.start, cue.end
            span = folded.span(start, end)
            if span and span not in spans:
                spans.append(span)
        if spans or not clauses:
            return spans[:3]
        if len(clauses) == 1:
            return [folded.span(*clauses[0])[:_MAX_SPAN]]
        pieces = [folded.span(s, e) for s, e in clauses]
        ngrams = self.bundle.vectorizer.transform([model_text(p) for p in pieces])
        score = sum(self.bundle.heads[head].ngram_scores(ngrams, c) for c in classes)
        return [pieces[int(np.argmax(score))][:_MAX_SPAN]]


def load_classifier(settings: ModelSettings | None = None, brands: list[Brand] | tuple = ()) -> Classifier:
    import torch

    settings = settings or ModelSettings()
    if settings.threads:
        torch.set_num_threads(settings.threads)
    bundle = load_bundle(settings.heads)
    manifest = bundle.manifest
    if manifest.get("analysis") and manifest["analysis"] != analysis_backend():
        import sys

        print(f"shenava: warning: heads were trained on {manifest['analysis']!r} text preparation, "
              f"now running {analysis_backend()!r}; retrain with `shenava train`", file=sys.stderr)
    embedder = None
    lora = manifest.get("lora") or {}
    if manifest.get("layers", 0) > 0:
        if settings.encoder != manifest.get("encoder"):
            raise ModelError(f"model.encoder = {settings.encoder!r} but the heads in {bundle.path} were trained on "
                             f"{manifest.get('encoder')!r}; train heads for this encoder (`shenava train`) "
                             f"and point model.heads at them")
        from shenava.nlp.encoder import ensure_encoder

        embedder = Embedder(ensure_encoder(settings), manifest["layers"], settings.max_length,
                            batch_size=settings.batch_size, adapters=bundle.adapters,
                            rank=lora.get("rank", 8), alpha=lora.get("alpha", 16.0),
                            quantize=manifest.get("quantize", True))
    return Classifier(bundle, embedder, list(brands), settings)
