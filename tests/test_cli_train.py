"""`shenava train / evaluate / classify` honour the config's model section."""
import json

from shenava.cli import main
from tests.test_classifier_training import _write


def test_train_writes_to_config_heads_and_classify_uses_them(tmp_path, capsys):
    data_dir, _ = _write(tmp_path)
    heads = tmp_path / "my-heads"
    config = tmp_path / "shenava.toml"
    config.write_text(f'[model]\nheads = "{heads}"\n', encoding="utf-8")

    assert main(["--config", str(config), "train", "--data", str(data_dir), "--layers", "0"]) == 0
    manifest = json.loads((heads / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["layers"] == 0

    assert main(["--config", str(config), "evaluate", "--data", str(data_dir)]) == 0
    assert "snappfood" in capsys.readouterr().out
    assert (heads / "metrics.json").exists()

    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text(json.dumps({"id": 1, "text": "غذا سرد بود افتضاح"}, ensure_ascii=False) + "\n", encoding="utf-8")
    assert main(["--config", str(config), "classify", str(src), "-o", str(out)]) == 0
    [row] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert row["model_version"].endswith("-L0")
    assert row["sentiment"] == "negative"
