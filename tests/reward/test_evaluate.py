import math

import numpy as np
import pytest

from arm_gym.reward.evaluate import (
    ProvenanceError,
    balanced_cut,
    better_of_two_accuracy,
    check_provenance,
    check_tasks,
    concordance,
    evaluate_reward_model,
    format_histogram,
    format_scorer_table,
    format_table,
    outcome_gap,
    pairwise_accuracy,
    return_histogram,
    spearman,
)
from arm_gym.reward.fresh import fresh_trajectories
from arm_gym.reward.model import RewardModel
from arm_gym.reward.train import VAL_FILE, load_triplets
from tests.reward.tiny_model import trained_checkpoint

GENERIC = "tests.testing_env:GenericTextEnv"


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    out, _, _ = trained_checkpoint(tmp_path_factory.getbasetemp())
    return RewardModel.from_pretrained(out, device="cpu"), out


def test_spearman_and_better_of_two_on_known_numbers():
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([4, 3, 2, 1], [10, 20, 30, 40]) == pytest.approx(-1.0)
    assert spearman([1, 1, 2, 3], [0, 1, 1, 2]) == pytest.approx(5 / 6)  # ties averaged: ranks (1.5,1.5,3,4), (1,2.5,2.5,4)
    assert math.isnan(spearman([1, 2, 3], [1, 1, 1]))
    acc, n = better_of_two_accuracy([0.9, 0.1, 0.5, 0.5, 0.3], [1, 0, 1, 0, 1], ["a", "a", "b", "b", "c"])
    assert (acc, n) == (0.75, 2)  # pair a right, pair b tied (1/2), c has no partner
    assert math.isnan(better_of_two_accuracy([1, 2], [1, 1], ["a", "a"])[0])


def test_concordance_counts_pairs_with_different_returns_and_is_fair_to_continuous_scores():
    assert concordance([0.9, 0.1, 0.5, 0.5], [1, 0, 1, 0]) == pytest.approx(0.875)  # 3 right, one tie of 4 pairs
    assert concordance([3, 2, 1], [0.5, 0.25, 0.0]) == 1.0 and concordance([1, 2, 3], [0.5, 0.25, 0.0]) == 0.0
    assert math.isnan(concordance([1, 2], [1, 1]))
    # 0/1 returns: a right 0/1 keyword and a continuous scorer that puts every win first both order every pair,
    # but Spearman caps the continuous one near sqrt(3 p (1 - p)) (p = 0.35 here)
    returns = np.array([1] * 35 + [0] * 65, float)
    continuous = np.linspace(1, 0, 100)
    assert concordance(returns, returns) == concordance(continuous, returns) == 1.0
    assert spearman(returns, returns) == pytest.approx(1.0)
    assert spearman(continuous, returns) == pytest.approx(math.sqrt(3 * 0.35 * 0.65), abs=0.01)


def test_held_out_pairwise_accuracy_of_the_trained_model(model):
    rm, out = model
    val = load_triplets(out / VAL_FILE)
    assert pairwise_accuracy(rm, val) >= 0.9
    assert math.isnan(pairwise_accuracy(rm, []))


def test_evaluate_reward_model_gives_finite_metrics_beside_baselines(model):
    """The eval path end to end on the env the tiny model knows: a NaN metric fails this test."""
    rm, out = model
    trajs = fresh_trajectories(GENERIC, n_tasks=4, episodes_per_task=4, progress=False, env_kwargs={"n_tasks": 40})
    results = evaluate_reward_model(rm, val_triplets=load_triplets(out / VAL_FILE), trajectories=trajs, n_boot=200)
    assert results["refused"] is None and results["n_trajectories"] == 16 and results["n_tasks"] == 4
    for key in ("val_pairwise_accuracy", "spearman", "concordance", "better_of_two_accuracy"):
        assert not math.isnan(results[key]), key
        row = results["scorers"]["reward_model"][key]
        assert row["low"] <= row["value"] <= row["high"]
    assert results["spearman"] > 0.5 and results["better_of_two_accuracy"] > 0.8
    assert set(results["scorers"]) == {"reward_model", "reward_model_verdict", "length", "brevity",
                                       "instruction_overlap", "outcome_claim"}
    assert set(results["margin"]) == {"val_pairwise_accuracy", "spearman", "concordance", "better_of_two_accuracy"}
    assert not {m["baseline"] for m in results["margin"].values()} & {"reward_model", "reward_model_verdict"}
    # the verdict: the model's score against the cut calibrated on the validation triplets, a 0/1 scorer
    scores = results["per_trajectory"]["scores"]
    cut = results["verdict_cut"]
    assert scores["reward_model_verdict"] == [float(x >= cut) for x in scores["reward_model"]]
    assert 0 < sum(scores["reward_model_verdict"]) < 16
    assert math.isnan(results["scorers"]["reward_model_verdict"]["val_pairwise_accuracy"]["value"])  # its own data
    assert sum(b["count"] for b in results["return_histogram"]) == 16
    table = format_scorer_table(results)
    assert "reward_model" in table and "outcome_claim" in table and "margin over the best baseline" in table
    assert "val_pairwise_accuracy" in format_table(results)


def test_the_return_histogram_counts_per_bin():
    assert return_histogram([0, 1, 0, 0.5, 0]) == [
        {"low": 0.0, "high": 0.0, "count": 3}, {"low": 0.5, "high": 0.5, "count": 1}, {"low": 1.0, "high": 1.0, "count": 1}
    ]
    graded = return_histogram(np.linspace(0, 1, 101), max_bins=4)
    assert [b["count"] for b in graded] == [25, 25, 25, 26] and graded[0]["low"] == 0 and graded[-1]["high"] == 1
    text = format_histogram(return_histogram([0, 0, 1]))
    assert "0" in text and "##" in text and return_histogram([]) == []


def test_outcome_gap_names_what_is_missing():
    from arm_gym.trajectory import Trajectory

    lost = [Trajectory("e", "t", "i", env_return=0.5) for _ in range(3)]
    assert "no won trajectory" in outcome_gap(lost)
    assert "all 3" in outcome_gap([Trajectory("e", "t", "i", won=True) for _ in range(3)])
    assert outcome_gap([*lost, Trajectory("e", "t", "i", won=True)]) is None


def test_provenance_refuses_another_env_or_settings():
    meta = {"provenance": {"env_ids": ["ARM-Game24-v0"], "env_kwargs": {"check_arithmetic": False},
                           "train_task_ids": ["1 1 4 6", "2 3 4 8"]}}
    assert check_provenance(meta, "ARM-Game24-v0", {"check_arithmetic": False}) == []
    with pytest.raises(ProvenanceError, match="trained on ARM-Game24-v0, not on ARM-WebShop-v0"):
        check_provenance(meta, "ARM-WebShop-v0", {"check_arithmetic": False})
    with pytest.raises(ProvenanceError, match=r'\{"check_arithmetic": false\}.*evaluation uses \{\}'):
        check_provenance(meta, "ARM-Game24-v0", {})
    (warning,) = check_provenance(meta, "ARM-Game24-v0", {}, force=True)
    assert "forced" in warning
    assert check_tasks(meta, ["3 3 8 8"]) == []
    with pytest.raises(ProvenanceError, match="1 evaluation task"):
        check_tasks(meta, ["3 3 8 8", "2 3 4 8"])
    assert "forced" in check_tasks(meta, ["2 3 4 8"], force=True)[0]
    (old,) = check_provenance({}, "ARM-Game24-v0", {})  # an old checkpoint: a warning, not an error
    assert "no provenance" in old and check_tasks({}, ["2 3 4 8"]) == []


def test_a_tie_counts_one_half():
    from tests.reward.tiny_model import make_triplets

    class Constant:
        name = "constant"

        def score(self, pairs):
            return np.ones(len(pairs))

    assert pairwise_accuracy(Constant(), make_triplets(5)) == 0.5


def test_balanced_cut_separates_good_from_bad_scores():
    assert balanced_cut([3.0, 4.0, 5.0], [1.0, 2.0, 3.5]) == 3.0  # 3/3 good at or above, 2/3 bad below
    assert balanced_cut([10.0], [1.0, 2.0]) == 10.0
    with pytest.raises(ValueError, match="both good and bad"):
        balanced_cut([], [1.0])
