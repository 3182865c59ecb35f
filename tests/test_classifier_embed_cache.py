"""The training embedding cache: rows are reused by text, only new texts are embedded."""
import numpy as np

from shenava.nlp.classifier.features import _cached_embed


class CountingEmbedder:
    def __init__(self):
        self.seen: list[str] = []

    def embed(self, texts, progress=None):
        self.seen += texts
        return np.array([[len(t), t.count("ی")] for t in texts], dtype=np.float32)


def test_second_run_embeds_only_the_new_texts(tmp_path):
    first = CountingEmbedder()
    texts = ["غذا سرد رسید", "کاش سس جدا بیاد", "از اسنپ‌فود بهتره"]
    a = _cached_embed(first, texts, None, tmp_path, "e5|4|64")
    assert first.seen == texts

    second = CountingEmbedder()
    more = ["کاش سس جدا بیاد", "پیک خیلی دیر اومد", "غذا سرد رسید"]
    b = _cached_embed(second, more, None, tmp_path, "e5|4|64")
    assert second.seen == ["پیک خیلی دیر اومد"]
    assert np.array_equal(b[0], a[1]) and np.array_equal(b[2], a[0])
    assert b.shape == (3, 2)


def test_another_encoder_setup_does_not_reuse_vectors(tmp_path):
    _cached_embed(CountingEmbedder(), ["غذا سرد رسید"], None, tmp_path, "e5|4|64")
    other = CountingEmbedder()
    _cached_embed(other, ["غذا سرد رسید"], None, tmp_path, "e5|6|64")
    assert other.seen == ["غذا سرد رسید"]
