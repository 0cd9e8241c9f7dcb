"""Near-duplicate text, explainably: Jaccard similarity of character shingles, estimated by MinHash.

Chinese has no spaces, so words are not the unit: the text is normalised (NFKC, lower case, punctuation
and spaces dropped) and cut into overlapping character n-grams (``shingle_size``, 3 by default). Two
reports' similarity is the share of shingles they have in common (Jaccard); MinHash (datasketch)
estimates it from 128 numbers per report, and LSH bands (42 bands of 3) find the candidates without
comparing a new report with every stored one. A candidate counts when the estimate reaches
``similarity_threshold``.

The shingles are hashed with the deployment's keyed hash (HMAC) before MinHash, so a stored signature
cannot be turned back into the shingles it came from by hashing a dictionary of n-grams.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import unicodedata
from collections.abc import Iterable

import numpy as np
from datasketch import MinHash

NUM_PERM = 128
ROWS = 3
BANDS = NUM_PERM // ROWS  # 42 bands of 3 rows; the last two values are not banded


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def shingles(text: str, size: int) -> set[str]:
    clean = normalise(text)
    if len(clean) <= size:
        return {clean} if clean else set()
    return {clean[i : i + size] for i in range(len(clean) - size + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    """The exact similarity (for explaining a grouping; the service compares signatures)."""
    return len(a & b) / len(a | b) if a or b else 0.0


class Signer:
    def __init__(self, key: bytes, shingle_size: int) -> None:
        self._key = key
        self.size = shingle_size

    def _hash(self, data: bytes) -> int:
        return int.from_bytes(hmac.new(self._key, data, hashlib.sha256).digest()[:4], "little")

    def minhash(self, text: str) -> MinHash:
        m = MinHash(num_perm=NUM_PERM, seed=1, hashfunc=self._hash)
        for s in shingles(text, self.size):
            m.update(s.encode())
        return m

    def signature(self, text: str) -> str:
        return encode(self.minhash(text).hashvalues)


def encode(values: Iterable[int]) -> str:
    return base64.b64encode(np.asarray(list(values), dtype="<u4").tobytes()).decode()


def decode(signature: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(signature), dtype="<u4").astype(np.uint64)


def similarity(a: str, b: str) -> float:
    """Estimated Jaccard similarity of two stored signatures (share of equal MinHash values)."""
    va, vb = decode(a), decode(b)
    if len(va) != len(vb) or not len(va):
        return 0.0
    return float(np.count_nonzero(va == vb)) / len(va)


def bands(signature: str) -> list[str]:
    """The LSH band keys of a signature: reports sharing one are compared."""
    values = decode(signature)
    out = []
    for i in range(BANDS):
        chunk = values[i * ROWS : (i + 1) * ROWS].astype("<u4").tobytes()
        out.append(f"{i}:{hashlib.blake2b(chunk, digest_size=12).hexdigest()}")
    return out
