"""Our own BM25 sparse vectors; Qdrant's IDF modifier supplies the inverse document frequency.

Document side: BM25's saturated term frequency, tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / avg_len)). Query side:
weight 1 per distinct term, so a hit scores idf * saturated tf, which is BM25. The average length is a fixed setting
rather than a corpus statistic: chunks are bounded in size, and a fixed value means adding documents never changes
the weights of chunks already stored (the same choice Qdrant's own BM25 model makes).

Terms become ids by hashing into 2^32 (Qdrant's sparse index range): no vocabulary to persist or share between
processes; two terms collide with probability about n^2 / 2^33 (about 1% for a 10,000-term vocabulary).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from functools import lru_cache

import snowballstemmer
from pydantic import BaseModel

_TOKEN = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)*")

# Function words only: terms like "not", "after" or "before" change a benefits answer and are kept.
_FUNCTION_WORDS = (
    "a an the and or of to in on at by for from with as is are was were be been being it its this that these those "
    "i me my we our you your he she they them their what which who whom how do does did can could would should will "
    "shall may might must there here about into than then so if any some such"
)
STOPWORDS = frozenset(_FUNCTION_WORDS.split())


_stemmer = snowballstemmer.stemmer("english")


class SparseVector(BaseModel):
    indices: list[int]
    values: list[float]


def terms(text: str) -> list[str]:
    """Lower-cased, accent-folded word and number tokens, stop words removed, stemmed."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return [_stem(t) for t in _TOKEN.findall(folded) if t not in STOPWORDS]


def term_id(term: str) -> int:
    return int.from_bytes(hashlib.blake2b(term.encode(), digest_size=4).digest(), "big")


def document_vector(text: str, k1: float, b: float, avg_length: float) -> SparseVector:
    counts = Counter(terms(text))
    length = sum(counts.values())
    norm = k1 * (1.0 - b + b * length / avg_length)
    weights: dict[int, float] = {}
    for term, tf in counts.items():
        index = term_id(term)
        weights[index] = weights.get(index, 0.0) + tf * (k1 + 1.0) / (tf + norm)
    return _vector(weights)


def query_vector(text: str) -> SparseVector:
    return _vector({term_id(term): 1.0 for term in set(terms(text))})


def _vector(weights: dict[int, float]) -> SparseVector:
    ordered = sorted(weights)
    return SparseVector(indices=ordered, values=[weights[i] for i in ordered])


@lru_cache(maxsize=200_000)
def _stem(token: str) -> str:
    """Snowball (Porter 2) English stem: "deductibles" and "deductible", "bonuses" and "bonus" meet."""
    if token[0].isdigit():
        return token
    stem: str = _stemmer.stemWord(token)
    return stem
