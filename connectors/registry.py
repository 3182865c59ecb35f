"""Which connector class serves which `kind` of source."""
from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel

if TYPE_CHECKING:
    from shenava.connectors.base import Connector

_KINDS: dict[str, type["Connector"]] = {}


def register(cls: type["Connector"]) -> type["Connector"]:
    _KINDS[cls.kind] = cls
    return cls


def _load_builtin() -> None:
    # Importing the modules runs their @register decorators.
    from shenava.connectors import builtin  # noqa: F401


def connector_class(kind: str) -> type["Connector"]:
    _load_builtin()
    try:
        return _KINDS[kind]
    except KeyError:
        raise KeyError(f"unknown source kind {kind!r} (known: {', '.join(sorted(_KINDS))})") from None


def options_model(kind: str) -> type[BaseModel]:
    return connector_class(kind).Options
