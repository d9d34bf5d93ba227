from __future__ import annotations

import itertools

import pytest

from retrieval.fusion import cap_per_group, fuse, normalise


def test_normalise_maps_three_standard_deviations_either_side_of_the_mean_to_0_and_1() -> None:
    scores = [1.0, 2.0, 3.0]  # mean 2, sd 1: the range -1..5 becomes 0..1
    assert normalise(scores) == pytest.approx([2 / 6, 3 / 6, 4 / 6])


def test_degenerate_lists_get_the_neutral_score_not_their_raw_scores() -> None:
    assert normalise([]) == []
    assert normalise([7.3]) == [0.5]
    assert normalise([4.0, 4.0, 4.0]) == [0.5, 0.5, 0.5]


def test_a_clear_dense_winner_is_not_overtaken_by_a_passage_second_in_both_lists() -> None:
    # Rank fusion would put "b" first (2nd + 2nd beats 1st + absent); the scores say "a" is far ahead in dense.
    dense = [("a", 0.80), ("b", 0.52), ("c", 0.50), ("d", 0.49), ("e", 0.48)]
    sparse = [("f", 9.0), ("b", 8.9), ("c", 2.0), ("d", 1.9), ("e", 1.8)]
    fused = fuse(dense, sparse, dense_weight=0.7, limit=3)
    assert fused[0].key == "a"
    assert all(x.score >= y.score for x, y in itertools.pairwise(fused))


def test_weights_decide_between_the_sources() -> None:
    dense = [("d1", 0.9), ("d2", 0.5), ("d3", 0.4)]
    sparse = [("s1", 12.0), ("s2", 3.0), ("s3", 2.0)]
    assert fuse(dense, sparse, dense_weight=1.0, limit=1)[0].key == "d1"
    assert fuse(dense, sparse, dense_weight=0.0, limit=1)[0].key == "s1"


def test_a_point_in_both_lists_is_counted_once_with_both_shares() -> None:
    dense = [("x", 0.9), ("y", 0.3), ("z", 0.2)]
    sparse = [("x", 5.0), ("w", 1.0), ("v", 0.5)]
    fused = fuse(dense, sparse, dense_weight=0.5, limit=10)
    assert [f.key for f in fused].count("x") == 1
    assert len(fused) == 5
    assert fused[0].key == "x"


def test_ties_keep_the_dense_order_then_the_sparse_order() -> None:
    fused = fuse([("a", 1.0), ("b", 1.0)], [("c", 2.0), ("d", 2.0)], dense_weight=0.5, limit=4)
    assert [f.key for f in fused] == ["a", "b", "c", "d"]


def test_rows_of_one_table_give_way_after_the_cap_and_come_back_when_nothing_else_is_left() -> None:
    ranked = ["t1", "t2", "t3", "t4", "p1", "u1", "t5"]
    group = {"t1": "T", "t2": "T", "t3": "T", "t4": "T", "t5": "T", "u1": "U", "p1": None}
    assert cap_per_group(ranked, group.get, cap=2, limit=4) == ["t1", "t2", "p1", "u1"]
    assert cap_per_group(ranked, group.get, cap=2, limit=6) == ["t1", "t2", "p1", "u1", "t3", "t4"]
    assert cap_per_group(ranked, group.get, cap=10, limit=3) == ["t1", "t2", "t3"]


def test_ungrouped_items_are_never_held_back() -> None:
    ranked = ["a", "b", "c"]
    assert cap_per_group(ranked, lambda _: None, cap=1, limit=3) == ranked
