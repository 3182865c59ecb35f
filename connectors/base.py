"""The connector shape: a generator of mentions plus the cursor that follows them.

A connector never writes to the store. `collect(cursor)` yields mentions newer
than the saved `cursor`; once the caller has stored every yielded mention it
saves `connector.cursor`, so a crash mid-run loses and duplicates nothing.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, ClassVar, Iterator

from pydantic import BaseModel, ConfigDict

from shenava.config import Config, HttpSettings, Source
from shenava.mention import Mention


class ConnectorOptions(BaseModel):
    """Kind-specific keys of a `[[sources]]` table; unknown keys are errors."""

    model_config = ConfigDict(extra="forbid")


class Connector(ABC):
    kind: ClassVar[str]
    Options: ClassVar[type[ConnectorOptions]] = ConnectorOptions

    def __init__(self, source: Source, options: ConnectorOptions, http: HttpSettings, base_dir: Path):
        self.source = source
        self.options = options
        self.http = http
        self.base_dir = base_dir
        # The state to save after everything `collect` yielded is stored.
        self.cursor: dict[str, Any] = {}

    @classmethod
    def from_config(cls, config: Config, source: Source) -> "Connector":
        return cls(source, cls.Options.model_validate(source.options()), config.http, config.base_dir)

    @abstractmethod
    def collect(self, cursor: dict[str, Any]) -> Iterator[Mention]:
        """Yield mentions newer than `cursor`, setting `self.cursor` as it goes."""

    def close(self) -> None:
        """Release network clients; called once collection is over."""


def build_connector(config: Config, source: Source) -> Connector:
    from shenava.connectors.registry import connector_class

    return connector_class(source.kind).from_config(config, source)
