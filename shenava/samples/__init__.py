"""Sample sources for `shenava demo`, written by the shenava team."""
