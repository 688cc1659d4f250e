"""Fresh evaluation trajectories: the episode plan never plays the explorer; Game of 24 episodes hold real mistakes."""

import gymnasium as gym
import pytest

from arm_gym.envs.game24.env import parse_step
from arm_gym.envs.game24.puzzles import apply, parse_numbers, solve
from arm_gym.reward.fresh import POLICIES, episode_plan, fresh_trajectories


def test_the_episode_plan_never_plays_the_random_explorer():
    # (epsilon, error_rate, expert_share) of each episode
    assert episode_plan("lookahead", 4, corruptible=True, error_rate=0.3) == [(0, 0, 0), (0.25, 0, 0), (0.5, 0, 0),
                                                                             (0.75, 0, 0)]
    assert episode_plan("mix", 4, corruptible=True, error_rate=0.3) == [(0, 0, 0), (0.5, 0, 0), (0, 0.3, 0), (0, 0.3, 0)]
    assert episode_plan("mix", 3, corruptible=False, error_rate=0.3) == episode_plan("lookahead", 3, corruptible=False,
                                                                                    error_rate=0.3)
    assert episode_plan("errorful", 2, corruptible=True, error_rate=0.2) == [(0, 0.2, 0)] * 2
    # random actions only after an expert prefix of 1/n .. all of the path
    assert episode_plan("expert-mix", 4, corruptible=True, error_rate=0.3) == [(1, 0, 0.25), (1, 0, 0.5), (1, 0, 0.75),
                                                                              (1, 0, 1)]
    with pytest.raises(ValueError, match="corrupt"):
        episode_plan("errorful", 2, corruptible=False, error_rate=0.2)
    with pytest.raises(ValueError, match="expert path"):
        episode_plan("expert-mix", 2, corruptible=True, error_rate=0.2, has_expert=False)
    with pytest.raises(ValueError, match="unknown policy"):
        episode_plan("random", 2, corruptible=True, error_rate=0.2)


def test_eval_rm_offers_every_policy_and_scienceworld_evaluates_with_expert_prefixes():
    from arm_gym.commands.eval_rm import POLICIES as CHOICES
    from arm_gym.pipeline import PipelineSettings

    assert CHOICES == POLICIES and "expert-mix" in POLICIES
    assert PipelineSettings.for_env("ARM-ScienceWorld-v0", "small").eval_policy == "expert-mix"
    assert PipelineSettings.for_env("ARM-Game24-v0", "small").eval_policy == "mix"
    assert PipelineSettings.for_env("ARM-Game24-v0", "small", eval_policy="lookahead").eval_policy == "lookahead"


def test_expert_mix_plays_the_planned_expert_shares_with_wins_and_losses():
    trajs = fresh_trajectories("ARM-Game24-v0", n_tasks=6, episodes_per_task=3, policy="expert-mix", progress=False,
                               seed=7)
    assert len(trajs) == 18
    assert [t.meta["expert_share"] for t in trajs] == [1 / 3, 2 / 3, 1.0] * 6
    assert all(t.meta["epsilon"] == 1.0 and t.meta["error_rate"] == 0.0 for t in trajs)
    for t in trajs:
        expert = solve(parse_numbers(t.task_id))
        k = round(t.meta["expert_share"] * len(expert))
        assert t.actions[:k] == expert[:k]
    assert all(t.won for t in trajs if t.meta["expert_share"] == 1.0)
    partial = [t for t in trajs if t.meta["expert_share"] < 1.0]
    assert any(t.won for t in partial) and not all(t.won for t in partial)  # a spread of returns, not just the expert
    with pytest.raises(ValueError, match="expert path"):
        fresh_trajectories("tests.testing_env:GenericTextEnv", n_tasks=1, episodes_per_task=2, policy="expert-mix",
                           progress=False)


def test_fresh_game24_trajectories_hold_real_arithmetic_mistakes():
    kwargs = {"check_arithmetic": False}
    trajs = fresh_trajectories("ARM-Game24-v0", n_tasks=4, episodes_per_task=4, progress=False, seed=7, env_kwargs=kwargs,
                               lookahead={"candidates": 64, "rollouts": 16})
    test_tasks = set(gym.make("ARM-Game24-v0").unwrapped.task_ids("test"))
    assert len(trajs) == 16 and {t.task_id for t in trajs} <= test_tasks
    assert max(t.meta["epsilon"] for t in trajs) < 1.0
    errorful = [t for t in trajs if t.meta["error_rate"] > 0]
    assert len(errorful) == 8

    def mistakes(t):
        return sum(apply(a, op, b) != c for a, op, b, c in (parse_step(x) for x in t.actions))

    assert sum(mistakes(t) for t in errorful) >= 3 and all(mistakes(t) == 0 for t in trajs if t not in errorful)
    assert all(not t.won for t in errorful if mistakes(t))
    assert any(t.won for t in trajs) and not all(t.won for t in trajs)
    again = fresh_trajectories("ARM-Game24-v0", n_tasks=4, episodes_per_task=4, progress=False, seed=7, env_kwargs=kwargs,
                               lookahead={"candidates": 64, "rollouts": 16})
    assert [t.actions for t in again] == [t.actions for t in trajs]  # seeded: reproducible
