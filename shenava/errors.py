"""The small exception hierarchy every layer raises.

Each error's message names the thing that was wrong (a config key and line, a
URL and what was missing, a file path), so the CLI can print it on one line.
"""


class ShenavaError(Exception):
    """Base of every error shenava reports to a person."""


class ConfigError(ShenavaError):
    """The config file is missing, unparsable or has a bad key or value."""


class StoreError(ShenavaError):
    """The SQLite store cannot be opened or written (corrupt, read-only, full)."""


class ConnectorError(ShenavaError):
    """A source could not be collected."""


class SourceUnavailable(ConnectorError):
    """The source does not exist or is not public (e.g. a channel without preview)."""


class LayoutChanged(ConnectorError):
    """A page or response no longer has the shape the connector parses."""


class FetchError(ConnectorError):
    """The network gave up on a URL after retries (timeout, 429, 5xx, too large)."""


class ModelError(ShenavaError):
    """The classifier or encoder cannot be loaded or trained."""
