"""Classifier: every tag of the labeling guide for a batch of mentions."""
from __future__ import annotations

import ctypes
import re
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Callable

import numpy as np

from shenava.config import Brand, ModelSettings
from shenava.errors import ModelError
from shenava.nlp.classifier.bundle import Bundle, load_bundle
from shenava.nlp.classifier.competitors import CompetitorFinder
from shenava.nlp.classifier.cues import CATEGORIES, find_cues
from shenava.nlp.classifier.data import BINARY_TAGS, RECOMMENDATIONS, SENTIMENTS
from shenava.nlp.classifier.embedder import Embedder
from shenava.nlp.classifier.features import analysis_forms, blocks_for, with_cues
from shenava.nlp.classifier.textprep import Folded, analysis_backend, fold, model_text

CHUNK = 64  # texts per step: the encoder embeds the next chunk while Python tags this one
_CLAUSE = re.compile(r"[^.!؟?\n،,؛;]+(?:[.!؟?]+)?")
_MAX_SPAN = 160


class Classifier:
    def __init__(self, bundle: Bundle, embedder: Embedder | None, brands: list[Brand], settings: ModelSettings):
        self.bundle = bundle
        self.embedder = embedder
        self.finder = CompetitorFinder(list(brands))
        self.settings = settings
        encoder_tag = "" if settings.encoder == bundle.manifest.get("encoder", "e5-small") else f"+{settings.encoder}"
        self.model_version = f"shenava-{bundle.version}-L{bundle.manifest.get('layers')}{encoder_tag}"

    def classify(self, texts: list[str], progress: Callable[[int], None] | None = None,
                 analysis: list[str] | None = None) -> list[dict]:
        """Tag `texts`; `analysis`, when given, is each text's analysis form (nlp.text.prepare), already made."""
        texts = ["" if t is None else str(t) for t in texts]
        if analysis is not None and len(analysis) != len(texts):
            raise ValueError(f"{len(analysis)} analysis texts for {len(texts)} texts")
        forms = analysis_forms(texts, analysis)
        # Chunks of similar length pad little in the encoder; results go back in input order.
        order = sorted(range(len(texts)), key=lambda i: len(forms[i]))
        chunks = [order[s:s + CHUNK] for s in range(0, len(order), CHUNK)]
        results: list[dict] = [{} for _ in texts]
        with _EncoderAhead(self.embedder) as ahead:
            for k, chunk in enumerate(chunks):
                if k == 0:
                    ahead.submit([forms[i] for i in chunk])
                if k + 1 < len(chunks):
                    ahead.submit([forms[i] for i in chunks[k + 1]])
                tagged = self._classify_chunk([texts[i] for i in chunk], [forms[i] for i in chunk], ahead.next)
                for i, result in zip(chunk, tagged):
                    results[i] = result
                if progress:
                    progress(len(chunk))
                if k % 4 == 3:
                    _release_freed_memory()
        _release_freed_memory()
        return results

    def _classify_chunk(self, texts: list[str], forms: list[str], vectors) -> list[dict]:
        prepared = with_cues(forms)
        blocks = blocks_for(prepared, self.bundle.vectorizer, None, vectors=vectors if self.embedder else None)
        heads = self.bundle.heads
        sent = heads["sentiment"].proba(blocks)
        binary = {tag: heads[tag].proba(blocks)[:, 1] for tag in BINARY_TAGS}
        mixed = heads["mixed"].proba(blocks)[:, 1] if "mixed" in heads else np.zeros(len(texts))
        rec = heads["recommendation"].proba(blocks)
        cats = {c: heads[f"category_{c}"].proba(blocks)[:, 1] for c in CATEGORIES if f"category_{c}" in heads}
        out, pending = [], []
        for i, text in enumerate(texts):
            result, requests = self._one(text, sent[i], {t: float(binary[t][i]) for t in BINARY_TAGS}, rec[i],
                                         {c: float(p[i]) for c, p in cats.items()}, float(mixed[i]))
            out.append(result)
            pending += [(result, *r) for r in requests]
        self._fill_evidence(pending)
        return out

    def _one(self, text: str, sent: np.ndarray, binary: dict, rec: np.ndarray, cats: dict, mixed: float = 0.0):
        heads = self.bundle.heads
        sent_classes = heads["sentiment"].classes
        scores = {c: round(float(sent[sent_classes.index(c)]), 4) if c in sent_classes else 0.0 for c in SENTIMENTS}
        if "mixed" in heads and mixed >= heads["mixed"].threshold:
            # The mixed head's probability becomes the mixed score and the other three share the
            # rest in their own proportions; mixed is lifted just above the best of them when the
            # head fired below it, so `sentiment` is always the highest score.
            rest = sum(v for c, v in scores.items() if c != "mixed") or 1.0
            scores = {c: round(mixed if c == "mixed" else v * (1 - mixed) / rest, 4) for c, v in scores.items()}
            scores["mixed"] = max(scores["mixed"], max(v for c, v in scores.items() if c != "mixed") + 1e-4)
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
        # With no comparative next to a name, the direction follows the mention's leaning.
        lean = sentiment if sentiment != "mixed" else max(("positive", "negative"), key=scores.get)
        competitors = self.finder.find(folded, lean, True) if flags["comparison"] else []
        clauses = [(m.start(), m.end()) for m in _CLAUSE.finditer(folded.text) if m.group().strip()]
        wanted = []  # (evidence key, cue tags, head, classes)
        if sentiment != "neutral":
            polar = ["positive", "negative"] if sentiment == "mixed" else [sentiment]
            wanted.append(("sentiment", polar, "sentiment", [sent_classes.index(p) for p in polar]))
        wanted += [(tag, [tag], tag, [1]) for tag in BINARY_TAGS if flags[tag]]
        if recommendation != "none":
            wanted.append(("recommendation", [recommendation], "recommendation", [rec_classes.index(recommendation)]))
        cues = find_cues(folded, {t for _, cue_tags, _, _ in wanted for t in cue_tags})
        evidence: dict[str, list[str]] = {}
        requests = []
        for key, cue_tags, head, classes in wanted:
            spans = _cue_spans(folded, cues, cue_tags, clauses)
            if spans:
                evidence[key] = spans
            elif len(clauses) == 1:
                evidence[key] = [folded.span(*clauses[0])[:_MAX_SPAN]]
            elif clauses:
                requests.append((key, head, classes, [folded.span(s, e) for s, e in clauses]))
        result = {
            "sentiment": sentiment,
            "sentiment_scores": scores,
            "complaint": bool(flags["complaint"]),
            "complaint_categories": categories,
            "suggestion": bool(flags["suggestion"]),
            "comparison": bool(flags["comparison"]),
            "competitors": competitors,
            "recommendation": recommendation,
            "question": bool(flags["question"]),
            "evidence": evidence,
            "scores": {**{t: round(binary[t], 4) for t in BINARY_TAGS},
                       "recommendation": {c: round(float(rec[j]), 4) for j, c in enumerate(rec_classes)},
                       "complaint_categories": {c: round(p, 4) for c, p in cats.items()}},
            "model_version": self.model_version,
        }
        return result, requests

    def _fill_evidence(self, pending: list) -> None:
        """No cue fired: quote the clause the tag's n-gram weights score highest.

        A mention's clauses are asked for by each of its tags; each distinct clause is
        prepared and transformed once, and each head's clause scores computed once.
        """
        if not pending:
            return
        clauses = list(dict.fromkeys(p for *_, clause_texts in pending for p in clause_texts))
        row_of = {p: i for i, p in enumerate(clauses)}
        ngrams = self.bundle.vectorizer.transform([model_text(p) for p in clauses]).tocsr()
        scores: dict[tuple[str, int], np.ndarray] = {}
        for result, key, head, classes, clause_texts in pending:
            for c in classes:
                if (head, c) not in scores:
                    scores[head, c] = self.bundle.heads[head].ngram_scores(ngrams, c)
            rows = [row_of[p] for p in clause_texts]
            score = sum(scores[head, c][rows] for c in classes)
            result["evidence"][key] = [clause_texts[int(np.argmax(score))][:_MAX_SPAN]]
        # Keep the evidence keys in a stable, readable order.
        for result, *_ in pending:
            result["evidence"] = {k: result["evidence"][k] for k in _EVIDENCE_ORDER if k in result["evidence"]}


_EVIDENCE_ORDER = ("sentiment", "complaint", "suggestion", "comparison", "recommendation", "question")


def _cue_spans(folded: Folded, cues, cue_tags: list[str], clauses: list[tuple[int, int]]) -> list[str]:
    """The clauses holding a cue for the tag, as written (the cue alone when its clause is long)."""
    spans: list[str] = []
    for cue in sorted((c for c in cues if any(c.tag == t or c.tag.startswith(t + ":") for t in cue_tags)),
                      key=lambda c: c.start):
        start, end = next(((s, e) for s, e in clauses if s <= cue.start < e), (cue.start, cue.end))
        if end - start > _MAX_SPAN:
            start, end = cue.start, cue.end
        span = folded.span(start, end)
        if span and span not in spans:
            spans.append(span)
    return spans[:3]


class _EncoderAhead:
    """Embeds the next chunk on a worker thread while the caller tags the current one.

    Torch releases the GIL, so the encoder keeps one core busy while n-grams, cues,
    heads and evidence (pure Python, the other half of the time) run on the other.
    At most one chunk waits ahead, so memory does not grow with the input.
    """

    def __init__(self, embedder: Embedder | None):
        self.embedder = embedder
        self.pending: list = []
        self.pool = None

    def __enter__(self) -> "_EncoderAhead":
        if self.embedder is not None:
            import torch

            threads = torch.get_num_threads()
            # The intra-op thread count is per calling thread: give the worker the caller's.
            self.pool = ThreadPoolExecutor(1, thread_name_prefix="shenava-encoder",
                                           initializer=torch.set_num_threads, initargs=(threads,))
        return self

    def submit(self, forms: list[str]) -> None:
        if self.pool is not None:
            self.pending.append(self.pool.submit(self.embedder.embed, forms))

    def next(self) -> np.ndarray:
        return self.pending.pop(0).result()

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            for future in self.pending:
                future.cancel()
            self.pool.shutdown(wait=True)


@lru_cache(maxsize=1)
def _malloc_trim():
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to trim
        return None


def _release_freed_memory() -> None:
    """Give the heap freed by a chunk back to the OS.

    Every chunk's tensors and sparse matrices have other shapes, and glibc kept the
    freed pieces: RSS grew ~60 MB per 1,000 mentions tagged (1,080 -> 1,480 MB over
    8,000, past the 1.5 GB budget with the model) though nothing leaked.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


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

        # The encoder reads as many tokens as it was trained with (the manifest's max_length).
        embedder = Embedder(ensure_encoder(settings), manifest["layers"], manifest.get("max_length", 64),
                            batch_size=settings.batch_size, adapters=bundle.adapters,
                            rank=lora.get("rank", 8), alpha=lora.get("alpha", 16.0),
                            quantize=manifest.get("quantize", False), precision=settings.precision)
    return Classifier(bundle, embedder, list(brands), settings)
