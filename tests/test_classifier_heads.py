"""A head scores a batch block by block exactly as it scores the stacked design matrix it was trained on."""
import numpy as np
import pytest
from scipy import sparse

from shenava.nlp.classifier.heads import Blocks, LinearHead, design


def batch(rows=7, seed=0):
    rng = np.random.default_rng(seed)
    ngrams = sparse.random(rows, 50, density=0.2, format="csr", dtype=np.float32, random_state=seed)
    return Blocks(ngrams, rng.normal(size=(rows, 8)).astype(np.float32), rng.integers(0, 2, (rows, 3)).astype(np.float32))


def test_blockwise_scores_equal_the_stacked_design():
    rng = np.random.default_rng(1)
    blocks = batch()
    for classes, weights in ((["false", "true"], {"ngrams": 1.0, "embedding": 1.5, "cues": 0.7}),
                             (["positive", "negative", "neutral", "mixed"], {"ngrams": 1.0, "embedding": 1.5})):
        k = 1 if len(classes) == 2 else len(classes)
        width = design(blocks, weights).shape[1]
        head = LinearHead("h", classes, rng.normal(size=(k, width)).astype(np.float32),
                          rng.normal(size=k).astype(np.float32), weights)
        z = np.asarray(design(blocks, weights) @ head.coef.T) + head.intercept
        if k == 1:
            p = 1 / (1 + np.exp(-z[:, 0]))
            want = np.stack([1 - p, p], axis=1)
        else:
            e = np.exp(z - z.max(axis=1, keepdims=True))
            want = e / e.sum(axis=1, keepdims=True)
        got = head.proba(blocks)
        assert got.shape == (7, len(classes))
        assert np.abs(got - want).max() < 1e-5
        # and the evidence scores are the n-gram block's part of the same sums
        part = np.asarray(blocks.ngrams @ head.coef[-1, :50]).ravel()
        assert np.allclose(head.ngram_scores(blocks.ngrams, len(classes) - 1), part, atol=1e-5)


def test_blocks_of_another_layout_are_refused():
    blocks = batch()
    weights = {"ngrams": 1.0, "embedding": 1.5, "cues": 0.7}
    head = LinearHead("complaint", ["false", "true"], np.ones((1, 50 + 8 + 3), np.float32), np.zeros(1, np.float32),
                      weights)
    no_encoder = Blocks(blocks.ngrams, np.zeros((7, 0), np.float32), blocks.cues)
    with pytest.raises(ValueError, match="head 'complaint' was trained on 61 features, these blocks give 53"):
        head.proba(no_encoder)
