"""The linear half of the classifier: character n-gram TF-IDF, design matrices
and logistic-regression heads stored as plain arrays (no pickles), so committed
artefacts load across scikit-learn versions and stay a few MB.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from shenava.nlp.classifier.chargrams import CharGrams


class Ngrams:
    """Character n-grams (read through colloquial spelling, missing half-spaces and
    typos) side by side with word uni/bigrams (which carry negation and idiom:
    «خوب نبود», «پول دور ریختن»)."""

    def __init__(self, max_features: int = 60000):
        self._fast: dict[str, CharGrams] | None = None  # built from the fitted vocabularies on first use
        self.parts = {
            "char": TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=3, max_features=max_features,
                                    sublinear_tf=True, dtype=np.float32),
            "word": TfidfVectorizer(analyzer="word", ngram_range=(1, 2), min_df=2, max_features=max_features * 2 // 3,
                                    sublinear_tf=True, token_pattern=r"\S+", dtype=np.float32),
        }

    def fit(self, texts: list[str]) -> "Ngrams":
        for vec in self.parts.values():
            vec.fit(texts)
        self._fast = None
        return self

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        if self._fast is None:
            self._fast = {name: CharGrams(vec.vocabulary_, vec.idf_, vec.ngram_range)
                          for name, vec in self.parts.items() if CharGrams.usable(vec)}
        return sparse.hstack([self._fast[name].transform(texts) if name in self._fast else vec.transform(texts)
                              for name, vec in self.parts.items()], format="csr")

    @property
    def size(self) -> int:
        return sum(len(v.vocabulary_) for v in self.parts.values())

    def to_arrays(self) -> dict[str, np.ndarray]:
        arrays = {}
        for name, vec in self.parts.items():
            vocab = sorted(vec.vocabulary_, key=vec.vocabulary_.get)
            arrays[f"ngrams.{name}.vocab"] = np.array(vocab, dtype=str)
            arrays[f"ngrams.{name}.idf"] = vec.idf_.astype(np.float32)
        return arrays

    @classmethod
    def from_arrays(cls, arrays) -> "Ngrams":
        out = cls()
        for name, vec in out.parts.items():
            vocab = [str(v) for v in arrays[f"ngrams.{name}.vocab"]]
            vec.vocabulary_ = {v: i for i, v in enumerate(vocab)}
            vec.idf_ = np.asarray(arrays[f"ngrams.{name}.idf"], dtype=np.float32)
        return out


@dataclass
class Blocks:
    """Feature blocks of a batch; each head picks and weighs the blocks it uses."""
    ngrams: sparse.csr_matrix
    embedding: np.ndarray
    cues: np.ndarray
    extra: np.ndarray | None = None  # e.g. fine-tuned encoder logits


def design(blocks: Blocks, weights: dict[str, float]) -> sparse.csr_matrix:
    parts = []
    if weights.get("ngrams"):
        parts.append(blocks.ngrams * weights["ngrams"])
    if weights.get("embedding"):
        parts.append(sparse.csr_matrix(blocks.embedding * weights["embedding"]))
    if weights.get("cues"):
        parts.append(sparse.csr_matrix(blocks.cues * weights["cues"]))
    if weights.get("extra") and blocks.extra is not None:
        parts.append(sparse.csr_matrix(blocks.extra * weights["extra"]))
    return sparse.hstack(parts, format="csr")


@dataclass
class LinearHead:
    name: str
    classes: list[str]           # ["false","true"] for binary heads
    coef: np.ndarray             # (k, d); k = 1 for binary
    intercept: np.ndarray        # (k,)
    weights: dict[str, float]    # block weights the head was trained with
    threshold: float = 0.5       # binary heads only
    _cache: dict = field(default_factory=dict, repr=False, compare=False)  # coef columns per block, transposed

    def proba(self, blocks: Blocks) -> np.ndarray:
        z = self._logits(blocks)
        if len(self.classes) == 2 and z.shape[1] == 1:
            p = 1.0 / (1.0 + np.exp(-z[:, 0]))
            return np.stack([1 - p, p], axis=1)
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def _logits(self, blocks: Blocks) -> np.ndarray:
        """`design(blocks) @ coef.T + intercept`, one block at a time.

        Stacking the blocks copied the dense embedding into a sparse matrix for every
        head of every chunk: 13% of an end-to-end run went to it.
        """
        parts = [(self.weights.get(name), part) for name, part in
                 (("ngrams", blocks.ngrams), ("embedding", blocks.embedding), ("cues", blocks.cues),
                  ("extra", blocks.extra))]
        parts = [(weight, part) for weight, part in parts if weight and part is not None]
        width = sum(part.shape[1] for _, part in parts)
        if width != self.coef.shape[1]:
            raise ValueError(f"head {self.name!r} was trained on {self.coef.shape[1]} features, "
                             f"these blocks give {width}")
        z = np.repeat(self.intercept[None, :].astype(np.float64), blocks.ngrams.shape[0], axis=0)
        start = 0
        for weight, part in parts:
            z += weight * np.asarray(part @ self._columns(start, part.shape[1]))
            start += part.shape[1]
        return z

    def _columns(self, start: int, width: int) -> np.ndarray:
        key = (start, width)
        if key not in self._cache:
            self._cache[key] = np.ascontiguousarray(self.coef[:, start:start + width].T, dtype=np.float32)
        return self._cache[key]

    def ngram_scores(self, ngrams: sparse.csr_matrix, cls: int) -> np.ndarray:
        """Each row's n-gram contribution to class `cls` (used to pick evidence clauses)."""
        n = ngrams.shape[1]
        row = 0 if self.coef.shape[0] == 1 else cls
        sign = -1.0 if (self.coef.shape[0] == 1 and cls == 0) else 1.0
        return sign * np.asarray(ngrams @ self._columns(0, n)[:, row]).ravel() * self.weights.get("ngrams", 0)

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {f"{self.name}.coef": self.coef.astype(np.float16), f"{self.name}.intercept": self.intercept.astype(np.float32)}

    def meta(self) -> dict:
        return {"classes": self.classes, "weights": self.weights, "threshold": self.threshold}

    @classmethod
    def from_arrays(cls, name: str, meta: dict, arrays) -> "LinearHead":
        return cls(name, list(meta["classes"]), np.asarray(arrays[f"{name}.coef"], dtype=np.float32),
                   np.asarray(arrays[f"{name}.intercept"], dtype=np.float32), dict(meta["weights"]),
                   float(meta.get("threshold", 0.5)))


def fit_head(name: str, X: sparse.csr_matrix, y: list[str], classes: list[str], weights: dict[str, float],
             C: float = 4.0, sample_weight: np.ndarray | None = None, balanced: bool = False) -> LinearHead:
    from sklearn.linear_model import LogisticRegression

    index = {c: i for i, c in enumerate(classes)}
    target = np.array([index[v] for v in y])
    present = sorted(set(target.tolist()))
    model = LogisticRegression(C=C, max_iter=3000, class_weight="balanced" if balanced else None)
    model.fit(X, target, sample_weight=sample_weight)
    if len(classes) == 2:
        coef, intercept = model.coef_, model.intercept_
    else:
        # Classes absent from training keep a very low score rather than breaking the shapes.
        coef = np.zeros((len(classes), X.shape[1]), np.float32)
        intercept = np.full(len(classes), -20.0, np.float32)
        for row, cls in enumerate(model.classes_):
            coef[cls], intercept[cls] = model.coef_[row], model.intercept_[row]
        if len(present) == 2:  # sklearn returns one row for two classes
            a, b = model.classes_
            coef[a], coef[b] = -model.coef_[0] / 2, model.coef_[0] / 2
            intercept[a], intercept[b] = -model.intercept_[0] / 2, model.intercept_[0] / 2
    return LinearHead(name, classes, np.asarray(coef, np.float32), np.asarray(intercept, np.float32), weights)
