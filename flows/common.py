"""What every flow shares: which config a run uses and how it opens the store."""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from shenava.config import DEFAULT_CONFIG_NAME, Config, load_config
from shenava.storage import Store

CONFIG_ENV = "SHENAVA_CONFIG"


def config_file(config_path: str | None) -> Path:
    """The run's config: the parameter, else $SHENAVA_CONFIG of the worker, else ./shenava.toml.

    Resolved when the run starts (not when the deployment is made), so one
    deployment serves every worker machine with its own config.
    """
    return Path(config_path or os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG_NAME).resolve()


@contextmanager
def opened(config_path: str | None) -> Iterator[tuple[Config, Store]]:
    config = load_config(config_file(config_path))
    with Store.open(config.store_path) as store:
        yield config, store
