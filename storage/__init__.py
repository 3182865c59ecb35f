from shenava.storage.store import Store, UpsertResult, text_hash, utcnow

__all__ = ["Store", "UpsertResult", "text_hash", "utcnow"]
