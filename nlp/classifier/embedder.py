"""The transformer half of the classifier: a (possibly truncated, LoRA-adapted)
encoder that turns texts into mean-pooled sentence vectors.

Speed is why the encoder keeps only its first `layers` layers and truncates
input: a full 12-layer e5-small does ~100 mentions/s on 2 cores, far under the
300/s target (bench/bench_classify.py --sweep measures this). On CPUs that
multiply bfloat16 in hardware (AVX512-BF16, AMX) the linear layers run in
bfloat16, about twice as fast with sentence vectors at cosine 0.99999 to the
float32 ones (a text's vector moves by up to 1.7e-4 with the batch it is in,
against 1e-7 in float32; training always embeds in float32). Dynamic int8 is available but off by default: it quantizes
activations per batch, so a text's scores would shift with the texts it
happens to be batched with, and its vectors fell to cosine 0.96.
LoRA adapters (trained by training/finetune.py) are merged into the weights
before quantization, so inference costs the same with or without them.
"""
from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

from shenava.errors import ModelError

PREFIX = "query: "  # e5 wants it for short texts to classify


class LoRALinear(nn.Module):
    """y = base(x) + (x A^T B^T) * alpha/r, base frozen."""

    def __init__(self, base: nn.Linear, rank: int, alpha: float):
        super().__init__()
        self.base = base
        self.scale = alpha / rank
        self.lora_a = nn.Parameter(torch.empty(rank, base.in_features))
        self.lora_b = nn.Parameter(torch.zeros(base.out_features, rank))
        nn.init.kaiming_uniform_(self.lora_a, a=math.sqrt(5))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + (x @ self.lora_a.T @ self.lora_b.T) * self.scale

    def merged(self) -> nn.Linear:
        with torch.no_grad():
            self.base.weight += (self.lora_b @ self.lora_a) * self.scale
        return self.base


LORA_TARGETS = ("attention.self.query", "attention.self.value", "attention.output.dense",
                "intermediate.dense", "output.dense")


def _get(module: nn.Module, dotted: str) -> nn.Module:
    for part in dotted.split("."):
        module = getattr(module, part)
    return module


def _set(module: nn.Module, dotted: str, value: nn.Module) -> None:
    *parents, last = dotted.split(".")
    for part in parents:
        module = getattr(module, part)
    setattr(module, last, value)


def load_base(folder: Path, layers: int):
    """Tokenizer and the first `layers` layers of the encoder in `folder`."""
    from transformers import AutoConfig, AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    # Dropping layers on purpose makes transformers report "unexpected" weights; silence it.
    hf_logging.set_verbosity_error()
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(folder))
        config = AutoConfig.from_pretrained(str(folder))
        total = getattr(config, "num_hidden_layers", layers)
        kept = min(layers, total) if layers > 0 else total
        config.num_hidden_layers = kept
        kwargs = {"add_pooling_layer": False} if config.model_type in ("xlm-roberta", "bert", "roberta") else {}
        model = AutoModel.from_pretrained(str(folder), config=config, **kwargs)
    except (OSError, ValueError) as exc:
        raise ModelError(f"{folder}: cannot load encoder: {exc}") from None
    model.eval()
    return tokenizer, model


def add_lora(model: nn.Module, rank: int, alpha: float, targets=LORA_TARGETS) -> list[str]:
    """Wrap the target linears of every layer in LoRA; return their dotted names."""
    for p in model.parameters():
        p.requires_grad_(False)
    names = []
    for i, _ in enumerate(model.encoder.layer):
        for t in targets:
            name = f"encoder.layer.{i}.{t}"
            _set(model, name, LoRALinear(_get(model, name), rank, alpha))
            names.append(name)
    return names


def lora_state(model: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items() if "lora_" in k}


def merge_lora(model: nn.Module, state: dict[str, torch.Tensor], rank: int, alpha: float) -> None:
    """Apply saved adapters to a plain model in place (W += B A * alpha/r)."""
    names = sorted({k.rsplit(".lora_", 1)[0] for k in state})
    with torch.no_grad():
        for name in names:
            base = _get(model, name)
            a, b = state[name + ".lora_a"].float(), state[name + ".lora_b"].float()
            if base.weight.shape != (b.shape[0], a.shape[1]):
                raise ModelError(f"adapter {name} does not fit the encoder (wrong encoder for these heads?)")
            base.weight += (b @ a) * (alpha / rank)


def _own_weights(model: nn.Module, skip: torch.Tensor | None = None) -> None:
    """Copy the weights out of the memory-mapped checkpoint, so the mapping can be released.

    from_pretrained leaves them as views of model.safetensors; reading the word table
    for half() made 384 MB of the file resident, and it stayed resident for the life
    of the process though only the float16 copy is used. `skip` (the word table) is
    replaced by half() instead of copied, so it is never held twice.
    """
    with torch.no_grad():
        for tensor in [*model.parameters(), *model.buffers()]:
            if tensor is not skip:
                tensor.data = tensor.data.clone()


PRECISIONS = ("auto", "float32", "bfloat16")


def bf16_native() -> bool:
    """True when this CPU multiplies bfloat16 in hardware; emulated bfloat16 is slower than float32."""
    try:
        return bool(torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported())
    except AttributeError:  # a torch without these probes
        return False


def use_bf16(precision: str) -> bool:
    if precision not in PRECISIONS:
        raise ModelError(f"model.precision = {precision!r}: expected one of {', '.join(PRECISIONS)}")
    return precision == "bfloat16" or (precision == "auto" and bf16_native())


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1.0)


class _Pooled(nn.Module):
    """Encoder, mean pooling and L2 norm as one module, so that it traces into one graph."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state.float()
        return torch.nn.functional.normalize(mean_pool(hidden, attention_mask), dim=-1)


def _traced(pooled: _Pooled, tokenize, bf16: bool):
    """A TorchScript trace of `pooled`, or `pooled` itself when tracing fails or disagrees.

    The eager module returns to Python between every small op, so while the classifier
    tags one chunk in Python and embeds the next on a worker thread, the encoder waited
    for the GIL: 141 texts/s beside a busy Python thread against 973/s alone. The traced
    graph runs in C++ and did 678/s beside it, with vectors at cosine 0.9999997.
    """
    trace_batch = tokenize(["غذا سرد رسید", "کیفیتش عالیه ولی قیمتش نسبت به ماه قبل بالا رفته، پیشنهاد نمیکنم"])
    check_batch = tokenize(["خوب", "پیک دیر اومد", "kheili bad bood 😡 پول دور ریختن"])
    try:
        with warnings.catch_warnings(), torch.inference_mode(), \
                torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            warnings.simplefilter("ignore")  # tracer warnings about Python values in HF's code
            traced = torch.jit.trace(pooled, (trace_batch["input_ids"], trace_batch["attention_mask"]),
                                     check_trace=False)
            agree = torch.allclose(traced(check_batch["input_ids"], check_batch["attention_mask"]),
                                   pooled(check_batch["input_ids"], check_batch["attention_mask"]), atol=1e-3)
    except Exception:  # noqa: BLE001 - any encoder that will not trace still works eagerly
        return pooled
    return traced if agree else pooled


class Embedder:
    """Texts -> L2-normalized mean-pooled vectors, batched by length."""

    def __init__(self, folder: Path, layers: int, max_length: int, batch_size: int = 64,
                 adapters: dict[str, torch.Tensor] | None = None, rank: int = 8, alpha: float = 16.0,
                 quantize: bool = True, precision: str = "float32"):
        self.tokenizer, model = load_base(folder, layers)
        if adapters:
            merge_lora(model, adapters, rank, alpha)
        # The 250k x 384 word table is most of the model's memory; float16 halves it
        # (the 4-bit source values barely notice) and adding the float32 position
        # embeddings promotes the sum back to float32.
        words = model.get_input_embeddings()
        halve = model.config.model_type == "xlm-roberta" and words.weight.dtype == torch.float32
        _own_weights(model, skip=words.weight if halve else None)
        if halve:
            words.half()  # a new float16 tensor: the last view of the mapped file goes
        if quantize:
            with warnings.catch_warnings():  # torch deprecates eager quantization in favour of torchao
                warnings.simplefilter("ignore")
                model = torch.ao.quantization.quantize_dynamic(model, {nn.Linear}, dtype=torch.qint8)
        self.model = model
        self.bf16 = use_bf16(precision) and not quantize
        self.max_length = max_length
        self.batch_size = batch_size
        self.dim = int(model.config.hidden_size)
        self.pooled = _traced(_Pooled(model), self._tokenize, self.bf16)

    def _tokenize(self, texts: list[str]) -> dict:
        return self.tokenizer([PREFIX + t for t in texts], padding=True, truncation=True,
                              max_length=self.max_length, return_tensors="pt")

    def embed(self, texts: list[str], progress=None) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        # Sorting by length keeps padding (wasted compute) small within a batch.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bf16):
            for start in range(0, len(order), self.batch_size):
                idx = order[start:start + self.batch_size]
                batch = self._tokenize([texts[i] for i in idx])
                out[idx] = self.pooled(batch["input_ids"], batch["attention_mask"]).numpy()
                if progress:
                    progress(len(idx))
        return out
