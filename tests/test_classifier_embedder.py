"""The encoder half of the classifier: traced graph, bfloat16 where the CPU has it, the setting."""
import numpy as np
import pytest
import torch
from pydantic import ValidationError

from shenava.config import ModelSettings
from shenava.errors import ModelError
from shenava.nlp.classifier.embedder import Embedder, _Pooled, _traced, bf16_native, use_bf16
from shenava.nlp.encoder import ensure_encoder

TEXTS = ["خوب", "غذا سرد رسید و پیک هم یک ساعت دیر اومد 😡", "kheili khoob bood mersi",
         "نسبت به مدل قبلی باتریش ضعیف‌تره ولی دوربینش خیلی بهتر شده، قیمتش هم مناسبه " * 3,
         "کسی میدونه گارانتی داره؟", ""]


@pytest.fixture(scope="module")
def float32():
    return Embedder(ensure_encoder(ModelSettings()), 2, 64, batch_size=4, quantize=False, precision="float32")


def eager(embedder, texts):
    batch = embedder._tokenize(texts)
    with torch.inference_mode():
        return _Pooled(embedder.model)(batch["input_ids"], batch["attention_mask"]).numpy()


def test_traced_graph_embeds_like_the_eager_model(float32):
    assert isinstance(float32.pooled, torch.jit.ScriptModule)
    got = float32.embed(TEXTS)
    # Another batch size and padding length than the trace was made with.
    want = np.vstack([eager(float32, [t]) for t in TEXTS])
    assert got.shape == (len(TEXTS), 384)
    assert np.min(np.sum(got * want, axis=1)) > 0.9999


def test_bfloat16_vectors_stay_close_to_float32(float32):
    bf16 = Embedder(ensure_encoder(ModelSettings()), 2, 64, batch_size=4, quantize=False, precision="bfloat16")
    assert bf16.bf16
    cosine = np.sum(bf16.embed(TEXTS) * float32.embed(TEXTS), axis=1)
    assert cosine.min() > 0.999, cosine


def test_precision_setting():
    assert use_bf16("bfloat16") and not use_bf16("float32")
    assert use_bf16("auto") == bf16_native()
    with pytest.raises(ModelError, match="model.precision = 'fp8'"):
        use_bf16("fp8")
    with pytest.raises(ValidationError, match="precision"):
        ModelSettings(precision="fp8")


class ShapeDependent(torch.nn.Module):
    """Branches on the batch size in Python: a trace freezes the branch it saw."""

    def forward(self, input_ids, attention_mask):
        scale = 1.0 if input_ids.shape[0] == 2 else 2.0
        return input_ids.float()[:, :1] * scale


def test_an_encoder_that_does_not_trace_faithfully_runs_eagerly():
    def tokenize(texts):
        return {"input_ids": torch.ones(len(texts), 4, dtype=torch.long),
                "attention_mask": torch.ones(len(texts), 4, dtype=torch.long)}

    module = ShapeDependent()
    assert _traced(module, tokenize, bf16=False) is module
