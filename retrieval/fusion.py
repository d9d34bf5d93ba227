"""Fusing the dense and BM25 result lists into one ranking by their normalised scores.

Each list's scores are put on a common scale with distribution-based score fusion (Qdrant's DBSF: mean - 3 sd of
that list maps to 0 and mean + 3 sd to 1, unclipped so an outlier keeps its lead), then combined as a weighted sum;
a point missing from a list scores 0 there. Unlike reciprocal rank fusion, how far ahead a passage is counts, not
only its place: a clear dense winner is not overtaken by a passage that is merely second in both lists.

Degenerate lists carry no ordering: a single hit, or hits that all score the same, get the neutral 0.5 (the
"single-hit keeps its raw score" pitfall of min-max fusion would put a raw BM25 score of, say, 7.3 against
normalised dense scores below 1).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

Key = TypeVar("Key")

_SPREAD = 3.0  # standard deviations either side of the mean that map to 0 and 1
_NEUTRAL = 0.5


@dataclass(frozen=True)
class Fused(Generic[Key]):
    key: Key
    score: float


def normalise(scores: Sequence[float]) -> list[float]:
    """Scores mapped linearly so that mean - 3 sd is 0 and mean + 3 sd is 1; degenerate lists get 0.5 each."""
    if len(scores) < 2:
        return [_NEUTRAL] * len(scores)
    mean = statistics.fmean(scores)
    spread = statistics.stdev(scores) * _SPREAD
    if spread == 0.0:
        return [_NEUTRAL] * len(scores)
    low = mean - spread
    return [(s - low) / (2 * spread) for s in scores]


def fuse(
    dense: Sequence[tuple[Key, float]], sparse: Sequence[tuple[Key, float]], *, dense_weight: float, limit: int
) -> list[Fused[Key]]:
    """The `limit` best keys by dense_weight * dense + (1 - dense_weight) * sparse normalised scores.

    Ties keep the dense list's order, then the sparse list's, so the result is deterministic.
    """
    combined: dict[Key, float] = {}
    for results, weight in ((dense, dense_weight), (sparse, 1.0 - dense_weight)):
        for (key, _), value in zip(results, normalise([score for _, score in results]), strict=True):
            combined[key] = combined.get(key, 0.0) + weight * value
    order = {key: n for n, key in enumerate(combined)}  # first seen: dense order, then sparse-only hits
    ranked = sorted(combined, key=lambda key: (-combined[key], order[key]))
    return [Fused(key=key, score=combined[key]) for key in ranked[:limit]]


Item = TypeVar("Item")


def cap_per_group(
    ranked: Sequence[Item], group_of: Callable[[Item], Hashable | None], cap: int, limit: int
) -> list[Item]:
    """The first `limit` items, taking at most `cap` of any one group while others are left; then the rest in order.

    Items whose group is None are never held back. Used for table rows: each row is its own chunk, so one table could
    otherwise fill every place and push out the paragraph that explains it (the count, the rule, the exceptions).
    """
    kept: list[Item] = []
    held: list[Item] = []
    taken: dict[Hashable, int] = {}
    for item in ranked:
        group = group_of(item)
        if group is not None and taken.get(group, 0) >= cap:
            held.append(item)
            continue
        if group is not None:
            taken[group] = taken.get(group, 0) + 1
        kept.append(item)
        if len(kept) == limit:
            return kept
    return [*kept, *held][:limit]
