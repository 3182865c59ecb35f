"""What every flow shares: where the config is and how to open the store."""
from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator

from shenava.config import Config, load_config
from shenava.storage import Store

DEFAULT_CONFIG = os.environ.get("SHENAVA_CONFIG", "shenava.toml")


@contextmanager
def opened(config_path: str) -> Iterator[tuple[Config, Store]]:
    config = load_config(config_path)
    with Store.open(config.store_path) as store:
        yield config, store
