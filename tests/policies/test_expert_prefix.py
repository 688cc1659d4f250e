"""ExpertPrefixPolicy: the start of the env family's expert path, then the fallback, in real envs."""

import gymnasium as gym
import pytest

import arm_gym  # noqa: F401  (registers the ids)
from arm_gym.data.rollout import play_episode
from arm_gym.envs import make_env
from arm_gym.envs.game24.puzzles import parse_numbers, solve
from arm_gym.policies import ExpertPrefixPolicy, RandomPolicy

TASK = "1 2 6 10"  # a test puzzle; the solver (Game of 24's expert) solves it in three steps


def episode(env, share, seed=3, task=TASK):
    policy = ExpertPrefixPolicy(RandomPolicy(), share, env=env)
    return play_episode(env, policy, seed=seed, options={"task_id": task, "split": "test"})


def test_the_full_expert_path_wins_and_share_zero_is_the_fallback():
    env = gym.make("ARM-Game24-v0")
    expert = solve(parse_numbers(TASK))
    full = episode(env, 1.0)
    assert full.actions == expert and full.won and full.env_return == 1.0
    assert full.meta["policy"] == "expert1+random"
    for seed in range(4):
        alone = play_episode(env, RandomPolicy(), seed=seed, options={"task_id": TASK, "split": "test"})
        assert episode(env, 0.0, seed).actions == alone.actions


def test_an_intermediate_share_plays_exactly_the_experts_first_actions_then_the_fallback():
    env = gym.make("ARM-Game24-v0")
    expert = solve(parse_numbers(TASK))
    for share, k in ((1 / 3, 1), (0.5, 2), (2 / 3, 2)):  # round(share * 3): 1, 2 (round half to even), 2
        runs = [episode(env, share, seed) for seed in range(6)]
        assert all(t.actions[:k] == expert[:k] for t in runs)
        assert all(len(t.actions) == len(expert) for t in runs)  # every valid step merges two numbers: still 3 steps
        assert len({tuple(t.actions[k:]) for t in runs}) > 1  # the fallback's own (random) steps after the prefix
        assert [t.actions for t in runs] == [episode(env, share, seed).actions for seed in range(6)]  # seeded


def test_without_an_expert_path_the_fallback_plays_from_the_first_step():
    env = make_env("tests.testing_env:GenericTextEnv")
    for seed in range(3):
        alone = play_episode(env, RandomPolicy(), seed=seed, options={"task_id": "t2"})
        assert episode(env, 1.0, seed, task="t2").actions == alone.actions


def test_share_is_checked():
    with pytest.raises(ValueError, match="share"):
        ExpertPrefixPolicy(RandomPolicy(), 1.5, env=gym.make("ARM-Game24-v0"))


def test_scienceworld_gold_prefix_leaves_the_live_episode_where_it_was():
    """The adapter reloads the task to read the gold sequence; the episode goes on from its own start."""
    env = gym.make("ARM-ScienceWorld-v0", max_episode_steps=30)
    try:
        task = "chemistry-mix/24"  # a test variation whose 19-step gold sequence wins
        obs, _ = env.reset(options={"task_id": task, "split": "test"})
        gold = env.unwrapped.gold_actions()
        full = episode(env, 1.0, task=task)
        assert full.initial_observation == obs and full.won and full.actions == gold[: len(full.actions)]
        half = episode(env, 0.5, task=task)
        assert half.actions[:10] == gold[:10] and half.actions[10:] != gold[10 : len(half.actions)]
        # the share rounds to no action: the fallback acts on the first step's actions, read after the reload
        none = episode(env, 0.01, task=task)
        alone = play_episode(env, RandomPolicy(), seed=3, options={"task_id": task, "split": "test"})
        assert none.actions == alone.actions
    finally:
        env.close()
