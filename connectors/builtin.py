"""Imports every built-in connector module so each registers its kind."""
from shenava.connectors import files  # noqa: F401
from shenava.connectors import telegram  # noqa: F401
from shenava.connectors import telegram_comments  # noqa: F401
from shenava.connectors import telegram_export  # noqa: F401
from shenava.connectors import reviews  # noqa: F401
from shenava.connectors import website  # noqa: F401
from shenava.connectors import feed  # noqa: F401
from shenava.connectors import telethon_source  # noqa: F401  (imports Telethon only when collecting)
