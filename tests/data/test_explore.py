"""Vectorised exploration: records, determinism across batching, resume, bad input."""

from __future__ import annotations

import json

import gymnasium as gym
import numpy as np
import pytest
from arm_gym.trajectory import load_trajectories

from arm_gym.data.explore import collect, episode_key, existing_keys
from arm_gym.envs import make_env
from arm_gym.policies import Policy, RandomPolicy

GENERIC = "tests.testing_env:GenericTextEnv"


def by_key(path):
    return {t.meta["episode_key"]: t for t in load_trajectories(path)}


def test_records_follow_the_trajectory_schema(tmp_path):
    out = tmp_path / "t.jsonl"
    stats = collect(GENERIC, out, episodes=12, num_envs=3, max_steps=5, progress=False)
    trajs = load_trajectories(out)
    assert stats.collected == len(trajs) == 12 and stats.skipped_existing == 0
    assert sorted(t.seed for t in trajs) == list(range(12))
    for t in trajs:
        assert t.env_id == GENERIC and t.task_id in {"t0", "t1"} and t.instruction.startswith("say good")
        assert t.meta["episode_key"] == episode_key(GENERIC, "random", t.seed, {"max_steps": 5})
        assert t.meta["complete"] is True and 1 <= len(t.steps) <= 5
        assert all(s.action in ("good", "bad") for s in t.steps)
        assert t.won == (t.actions[-3:] == ["good"] * 3)
        assert t.env_return == (1.0 if t.won else 0.0)
    assert stats.won == sum(t.won for t in trajs) and stats.steps == sum(len(t.steps) for t in trajs)


def test_episodes_do_not_depend_on_batching_or_process(tmp_path):
    one = tmp_path / "one.jsonl"
    collect(GENERIC, one, episodes=10, num_envs=1, max_steps=6, progress=False)
    many = tmp_path / "many.jsonl"
    collect(GENERIC, many, episodes=10, num_envs=4, max_steps=6, progress=False, vectorization="async")
    a, b = by_key(one), by_key(many)
    assert a.keys() == b.keys()
    for key in a:
        assert a[key].to_dict() == b[key].to_dict()


def test_rerun_continues_without_duplicates(tmp_path):
    out = tmp_path / "t.jsonl"
    collect("ARM-Game24-v0", out, episodes=6, num_envs=2, progress=False)
    first = out.read_text().splitlines()
    with out.open("a") as fh:
        fh.write('{"env_id": "ARM-Game24-v0", "task_id": "1 1')  # a killed writer's partial line
    stats = collect("ARM-Game24-v0", out, episodes=15, num_envs=4, progress=False)
    assert (stats.skipped_existing, stats.collected) == (6, 9)
    lines = out.read_text().splitlines()
    assert lines[:6] == first  # completed records kept as they were
    keys = [json.loads(line)["meta"]["episode_key"] for line in lines]
    assert len(keys) == len(set(keys)) == 15
    again = collect("ARM-Game24-v0", out, episodes=15, num_envs=4, progress=False)
    assert again.collected == 0 and len(out.read_text().splitlines()) == 15


def test_game24_records_replay_to_the_same_return(tmp_path):
    out = tmp_path / "g.jsonl"
    collect("ARM-Game24-v0", out, episodes=20, num_envs=4, seed=100, progress=False)
    env = make_env("ARM-Game24-v0")
    for t in load_trajectories(out):
        obs, info = env.reset(seed=t.seed)
        assert (info["task_id"], obs) == (t.task_id, t.initial_observation)
        total = 0.0
        for step in t.steps:
            obs, reward, *_ = env.step(step.action)
            assert obs == step.observation
            total += reward
        assert total == t.env_return


def test_env_specific_final_info_is_kept(tmp_path):
    from arm_gym.core import StepResult
    from tests.testing_env import GenericTextEnv

    class WithExtra(GenericTextEnv):
        def step(self, action):
            obs, r, term, trunc, info = super().step(action)
            info["purchase"] = {"asin": "B1", "price": np.float64(3.5)}
            info["opaque"] = object()
            return obs, r, term, trunc, info

    gym.register(
        "ArmTestWithExtra-v0",
        entry_point=WithExtra,
        kwargs={"step_fn": lambda e, a: StepResult("end", 1.0, True, True)},
    )
    out = tmp_path / "t.jsonl"
    collect("ArmTestWithExtra-v0", out, episodes=2, num_envs=2, progress=False)
    for t in load_trajectories(out):
        assert t.meta["final_info"] == {"purchase": {"asin": "B1", "price": 3.5}}


class Scripted(Policy):
    """A policy that returns ``reply(n)`` actions for a batch of ``n`` episodes."""

    def __init__(self, name, reply):
        self.name, self.reply = name, reply

    def act(self, observation, info, history=(), rng=None):
        return self.act_batch([observation], [info])[0]

    def act_batch(self, observations, infos, histories=None, rngs=None):
        return self.reply(len(observations))


def test_random_policy_draws_from_the_episode_generator():
    info = {"admissible_actions": ["x", "y"], "instruction": "i"}
    policy = RandomPolicy(seed=0)
    a = [policy.act("o", info, rng=np.random.default_rng(5)) for _ in range(5)]
    assert len(set(a)) == 1 and a[0] in ("x", "y")  # the same episode generator state, the same choice
    assert RandomPolicy(fallback_action="").act("o", {"admissible_actions": []}) == ""


def test_bad_input(tmp_path):
    with pytest.raises(ValueError):
        collect(GENERIC, tmp_path / "x.jsonl", episodes=-1, progress=False)
    with pytest.raises(ValueError):
        collect(GENERIC, tmp_path / "x.jsonl", episodes=1, num_envs=0, progress=False)
    with pytest.raises(gym.error.Error):
        collect("ARM-NoSuchEnv-v0", tmp_path / "x.jsonl", episodes=1, progress=False)

    wrong_count = Scripted("broken", lambda n: [])
    with pytest.raises(RuntimeError, match="returned 0 actions"):
        collect(GENERIC, tmp_path / "x.jsonl", episodes=2, policy=wrong_count, progress=False)
    assert existing_keys(tmp_path / "missing.jsonl") == set()


def test_policy_junk_actions_are_recorded_not_fatal(tmp_path):
    junk = Scripted("junk", lambda n: [None] * n)
    out = tmp_path / "j.jsonl"
    collect("ARM-Game24-v0", out, episodes=2, policy=junk, max_steps=3, progress=False)
    for t in load_trajectories(out):
        assert len(t.steps) == 3 and not t.won
        assert all(s.action == "" and "Invalid action" in s.observation for s in t.steps)
