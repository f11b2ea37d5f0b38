"""Secret keys (API tokens, Open311 client keys) are stored only as hashes."""

import hashlib


def hash_key(key: str) -> str:
    """The stored form of a secret key: its SHA-256 in hex."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()
