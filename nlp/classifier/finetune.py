"""LoRA fine-tuning of the encoder's first layers on CPU, within a time budget.

Multi-task: every row trains the sentiment head (corpus rows have 3 classes,
hand rows add `mixed`); hand-labelled rows also train the intent heads
(complaint, suggestion, comparison, question, recommendation, complaint
categories). Only the adapters are kept — the task heads here exist to shape
the encoder; the shipped heads are refitted on its embeddings afterwards
(training.py), together with n-grams and cues.
"""
from __future__ import annotations

import math
import random
import time
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from torch import nn

from shenava.config import ModelSettings
from shenava.nlp.classifier.cues import CATEGORIES
from shenava.nlp.classifier.data import BINARY_TAGS, RECOMMENDATIONS, SENTIMENTS, Dataset
from shenava.nlp.classifier.embedder import PREFIX, add_lora, load_base, lora_state, mean_pool
from shenava.nlp.classifier.textprep import model_text


class MultiTask(nn.Module):
    def __init__(self, encoder: nn.Module, hidden: int):
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(0.1)
        self.sentiment = nn.Linear(hidden, len(SENTIMENTS))
        self.binary = nn.Linear(hidden, len(BINARY_TAGS))
        self.recommendation = nn.Linear(hidden, len(RECOMMENDATIONS))
        self.categories = nn.Linear(hidden, len(CATEGORIES))

    def forward(self, input_ids, attention_mask):
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        pooled = self.dropout(mean_pool(hidden, attention_mask))
        return (self.sentiment(pooled), self.binary(pooled), self.recommendation(pooled), self.categories(pooled))


def _examples(data: Dataset, hand_repeat: int) -> list[dict]:
    rows = [{"text": r.text, "sent": SENTIMENTS.index(r.label)} for r in data.sentiment]
    for r in data.hand:
        ex = {"text": r.text, "sent": SENTIMENTS.index(r.sentiment),
              "binary": [float(getattr(r, t)) for t in BINARY_TAGS],
              "rec": RECOMMENDATIONS.index(r.recommendation),
              "cats": [float(c in r.complaint_categories) for c in CATEGORIES] if r.complaint else None}
        rows += [ex] * hand_repeat
    return rows


def _batches(lengths: list[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar length (less padding, less wasted compute)."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    batches = []
    chunk = batch_size * 50
    for start in range(0, len(order), chunk):
        group = sorted(order[start:start + chunk], key=lengths.__getitem__)
        batches += [group[i:i + batch_size] for i in range(0, len(group), batch_size)]
    rng.shuffle(batches)
    return batches


def finetune(encoder_folder: Path, data: Dataset, options, settings: ModelSettings,
             log: Callable[[str], None], seed: int = 0) -> dict[str, torch.Tensor]:
    """Train LoRA adapters for at most `options.finetune_minutes`; return their state."""
    torch.manual_seed(seed)
    rng = random.Random(seed)
    tokenizer, encoder = load_base(encoder_folder, options.layers)
    add_lora(encoder, options.lora_rank, options.lora_alpha)
    model = MultiTask(encoder, int(encoder.config.hidden_size))
    examples = _examples(data, hand_repeat=getattr(options, "hand_repeat", 3))
    max_len = getattr(options, "max_length", 64)
    ids = tokenizer([PREFIX + model_text(e["text"]) for e in examples], truncation=True,
                    max_length=max_len)["input_ids"]
    lengths = [len(x) for x in ids]
    pad = tokenizer.pad_token_id
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=getattr(options, "finetune_lr", 1e-3), weight_decay=0.01)
    budget = options.finetune_minutes * 60
    batch_size = getattr(options, "finetune_batch", 32)
    base_lr = getattr(options, "finetune_lr", 1e-3)
    step, t0, seen, epoch = 0, time.time(), 0, 0
    bce, ce = nn.BCEWithLogitsLoss(reduction="none"), nn.CrossEntropyLoss(reduction="none")
    model.train()
    while True:
        for batch in _batches(lengths, batch_size, rng):
            # The schedule runs on the clock, not on a step count: the CPU is shared and
            # its speed changes while we train; warm-up, then cosine decay to the budget.
            progress = (time.time() - t0) / budget
            if progress >= 1.0:
                return _finish(model, log, step, seen, t0, epoch)
            for g in opt.param_groups:
                g["lr"] = base_lr * min(1.0, (step + 1) / 50) * 0.5 * (1 + math.cos(math.pi * progress))
            width = max(lengths[i] for i in batch)
            input_ids = torch.full((len(batch), width), pad, dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for row, i in enumerate(batch):
                input_ids[row, :lengths[i]] = torch.tensor(ids[i])
                mask[row, :lengths[i]] = 1
            loss = _loss(model(input_ids, mask), [examples[i] for i in batch], bce, ce)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            step += 1
            seen += len(batch)
            if step % 100 == 0:
                log(f"finetune: step {step}, epoch {epoch}, loss {loss.item():.3f}, "
                    f"{seen / (time.time() - t0):.0f} rows/s, {progress:.0%} of budget")
        epoch += 1


def _loss(outputs, exs: list[dict], bce, ce) -> torch.Tensor:
    sent, binary, rec, cats = outputs
    loss = ce(sent, torch.tensor([e["sent"] for e in exs])).mean()
    hand = [k for k, e in enumerate(exs) if "binary" in e]
    if hand:
        loss = loss + bce(binary[hand], torch.tensor([exs[k]["binary"] for k in hand])).sum(1).mean()
        loss = loss + ce(rec[hand], torch.tensor([exs[k]["rec"] for k in hand])).mean()
        comp = [k for k in hand if exs[k]["cats"] is not None]
        if comp:
            loss = loss + 0.5 * bce(cats[comp], torch.tensor([exs[k]["cats"] for k in comp])).sum(1).mean()
    return loss


def _finish(model: MultiTask, log, step: int, seen: int, t0: float, epoch: int) -> dict[str, torch.Tensor]:
    log(f"finetune: done, {step} steps, {seen} rows ({epoch} full epochs) in {time.time() - t0:.0f}s")
    model.eval()
    state = lora_state(model.encoder)
    # The task heads ride along (prefix "task.") for experiments; the bundle stores only adapters.
    state.update({f"task.{k}": v.detach().clone() for k, v in model.state_dict().items()
                  if not k.startswith("encoder.")})
    return state
