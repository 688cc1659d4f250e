import math

import numpy as np
import pytest

from arm_gym.reward.evaluate import (
    better_of_two_accuracy,
    evaluate_reward_model,
    format_table,
    fresh_trajectories,
    pairwise_accuracy,
    spearman,
)
from arm_gym.reward.model import RewardModel
from arm_gym.reward.train import VAL_FILE, load_triplets
from tests.reward.tiny_model import trained_checkpoint


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    out, _, _ = trained_checkpoint(tmp_path_factory.getbasetemp())
    return RewardModel.from_pretrained(out, device="cpu"), out


def test_spearman_and_better_of_two_on_known_numbers():
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([4, 3, 2, 1], [10, 20, 30, 40]) == pytest.approx(-1.0)
    assert math.isnan(spearman([1, 2, 3], [1, 1, 1]))
    acc, n = better_of_two_accuracy([0.9, 0.1, 0.5, 0.5, 0.3], [1, 0, 1, 0, 1], ["a", "a", "b", "b", "c"])
    assert (acc, n) == (0.75, 2)  # pair a right, pair b tied (1/2), c has no partner
    assert math.isnan(better_of_two_accuracy([1, 2], [1, 1], ["a", "a"])[0])


def test_held_out_pairwise_accuracy_of_the_trained_model(model):
    rm, out = model
    val = load_triplets(out / VAL_FILE)
    assert pairwise_accuracy(rm, val) >= 0.9
    assert math.isnan(pairwise_accuracy(rm, []))


def test_fresh_trajectories_come_from_test_tasks_with_a_spread_of_skill():
    import gymnasium as gym

    trajs = fresh_trajectories("ARM-Game24-v0", n_tasks=3, episodes_per_task=3, progress=False, seed=7)
    env = gym.make("ARM-Game24-v0").unwrapped
    test_tasks = set(env.task_ids("test"))
    assert len(trajs) == 9 and {t.task_id for t in trajs} <= test_tasks
    assert [t.meta["epsilon"] for t in trajs[:3]] == [0.0, 0.5, 1.0]
    assert all(t.steps and t.env_id == "ARM-Game24-v0" for t in trajs)
    again = fresh_trajectories("ARM-Game24-v0", n_tasks=3, episodes_per_task=3, progress=False, seed=7)
    assert [t.actions for t in again] == [t.actions for t in trajs]  # seeded: reproducible


def test_evaluate_reward_model_reports_every_metric(model):
    rm, out = model
    trajs = fresh_trajectories("ARM-Game24-v0", n_tasks=2, episodes_per_task=3, progress=False)
    results = evaluate_reward_model(rm, val_triplets=load_triplets(out / VAL_FILE), trajectories=trajs)
    assert results["n_trajectories"] == 6 and results["n_tasks"] == 2
    for key in ("val_pairwise_accuracy", "spearman", "better_of_two_accuracy", "mean_env_return", "win_rate"):
        assert key in results
    table = format_table(results)
    assert "val_pairwise_accuracy" in table and "n_better_of_two_pairs" in table


def test_format_table_skips_nested_values():
    table = format_table({"a": 1.0, "nested": {"x": 1}, "n": np.int64(3)})
    assert "nested" not in table and "1.0000" in table
