"""Imports every built-in connector module so each registers its kind."""
from shenava.connectors import files  # noqa: F401
