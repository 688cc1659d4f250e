"""Pairs derived from triplets: graded pairs by return, prefix pairs after a divergence."""

import pytest

from arm_gym.data.triplets import Triplet
from arm_gym.reward.pairs import divergence, graded_pairs, prefix_pairs
from arm_gym.trajectory import Step, Trajectory


def test_graded_pairs_order_the_negatives_of_one_intent_by_return():
    def traj(*actions):
        return Trajectory("E", "t", "x", steps=[Step(a, "", 0.0) for a in actions])

    best, partial, nothing = traj("a", "buy"), traj("a", "b", "buy"), traj("a")
    triplets = [
        Triplet("get x", best, partial, 1.0, 0.5, task_id="t"),
        Triplet("get x", best, nothing, 1.0, 0.0, task_id="t"),
    ]
    extra = graded_pairs(triplets)
    assert len(extra) == 1  # the two positive-vs-negative pairs exist already
    assert extra[0].chosen_trajectory.actions == ["a", "b", "buy"] and extra[0].rejected_trajectory.actions == ["a"]
    assert (extra[0].chosen_return, extra[0].rejected_return) == (0.5, 0.0)
    assert graded_pairs(triplets[:1]) == []


def _traj(*actions, won_last=False):
    steps = [Step(a, f"after {a}", 0.0) for a in actions]
    if won_last:
        steps[-1] = Step(actions[-1], "won", 1.0)
    return Trajectory("E", "t", "x", "start", steps, env_return=float(won_last), won=won_last)


def _actions(pairs):
    return [(p.chosen_trajectory.actions, p.rejected_trajectory.actions) for p in pairs]


def test_prefix_pairs_cut_both_trajectories_after_their_divergence():
    chosen, rejected = _traj("a", "b", "c", "d", won_last=True), _traj("a", "x", "y")
    assert divergence(chosen, rejected) == 1
    pairs = prefix_pairs([Triplet("do x", chosen, rejected, 1.0, 0.0, task_id="t", env_id="E")])
    # k = d + 1 .. the shorter length: every rejected prefix holds the wrong step "x"
    assert _actions(pairs) == [(["a", "b"], ["a", "x"]), (["a", "b", "c"], ["a", "x", "y"])]
    assert [p.meta["prefix"] for p in pairs] == [2, 3] and {p.meta["diverge"] for p in pairs} == {1}
    first = pairs[0]
    assert (first.prompt, first.task_id, first.env_id) == ("do x", "t", "E")
    assert first.chosen_trajectory.initial_observation == "start"
    assert first.chosen_trajectory.steps[-1].observation == "after b"
    assert not first.chosen_trajectory.won and first.chosen_trajectory.env_return == 0.0  # a cut winner has not won
    assert (first.chosen_return, first.rejected_return) == (1.0, 0.0)  # the whole trajectories' returns
    assert len(chosen.steps) == 4 and len(rejected.steps) == 3  # the sources are untouched


@pytest.mark.parametrize(
    "chosen,rejected,expected",
    [
        ((("a", "b", "c"), ("a", "b", "z"), [])),  # diverge at the last step: only the whole pair, not repeated
        ((("a", "b", "c"), ("a", "b"), [])),  # stop short: the same actions, nothing diverges
        ((("a", "b", "c"), ("x", "y", "z"), [(["a"], ["x"]), (["a", "b"], ["x", "y"])])),
        ((("a", "b"), ("a", "x", "y", "z"), [(["a", "b"], ["a", "x"])])),  # the whole shorter chosen, a cut rejected
    ],
)
def test_prefix_lengths_run_from_the_divergence_to_the_shorter_trajectory(chosen, rejected, expected):
    pairs = prefix_pairs([Triplet("do x", _traj(*chosen, won_last=True), _traj(*rejected), 1.0, 0.0)])
    assert _actions(pairs) == expected
    if expected and len(chosen) == 2:
        assert pairs[0].chosen_trajectory.won  # not cut: still the winner


def test_prefix_pairs_are_never_identical_nor_repeated_and_a_long_pair_gives_a_spread_sample():
    c = _traj(*"abcdefghij", won_last=True)
    one, two = Triplet("do x", c, _traj(*"aqrstuvwxy"), 1.0, 0.0), Triplet("do x", c, _traj(*"aqzzzzzzzz"), 1.0, 0.0)
    assert [p.meta["prefix"] for p in prefix_pairs([one], max_per_pair=4)] == [2, 4, 7, 9]  # of 2..9, ends included
    pairs = prefix_pairs([one, two], max_per_pair=None)
    assert len(pairs) == 8 + 7  # k = 2..9 for each; their shared first pair (["a", "b"], ["a", "q"]) once
    assert all(p.chosen_trajectory.actions != p.rejected_trajectory.actions for p in pairs)
    keys = [tuple(map(tuple, a)) for a in _actions(pairs)]
    assert len(keys) == len(set(keys))
    already = Triplet("do x", _traj("a", "b"), _traj("a", "q"), 1.0, 0.0)  # a pair of its own already
    keys = [tuple(map(tuple, a)) for a in _actions(prefix_pairs([one, already], max_per_pair=None))]
    assert len(keys) == 7 and (("a", "b"), ("a", "q")) not in keys
    with pytest.raises(ValueError, match="max_prefix_pairs"):
        prefix_pairs([one], max_per_pair=0)
