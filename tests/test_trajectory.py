"""The trajectory layer: the one episode recorder, info helpers and the vector-info splitter."""

from __future__ import annotations

import gymnasium as gym
import numpy as np

from arm_gym.trajectory import EpisodeRecorder, extra_info, jsonable, split_infos
from tests.testing_env import GenericTextEnv


def test_recorder_sums_the_env_reward_not_the_wrapped_one():
    env = GenericTextEnv(goal_steps=2)
    obs, info = env.reset(seed=3)
    recorder = EpisodeRecorder("G-v0", obs, info, seed=3, meta={"policy": "x"})
    for action in ("good", "good"):
        obs, _, terminated, truncated, info = env.step(action)
        done = recorder.step(action, obs, 5.0, terminated, truncated, info)  # a wrapper's reward of 5 is not the return
    t = recorder.finish(complete=True)
    assert done and t.won and t.env_return == 1.0 and [s.reward for s in t.steps] == [5.0, 5.0]
    assert t.meta == {"policy": "x", "terminated": True, "complete": True}
    assert (t.task_id, t.instruction, t.initial_observation, t.seed) == (info["task_id"], info["instruction"],
                                                                        "start of " + info["task_id"], 3)


def test_recorder_keeps_only_jsonable_env_specific_info():
    recorder = EpisodeRecorder("G-v0", "o", {"task_id": "t"})
    recorder.step("a", "o2", 0.0, False, True, {"won": False, "purchase": {"price": np.float64(2.5)}, "x": object()})
    t = recorder.finish(final_info=True)
    assert t.meta == {"terminated": False, "final_info": {"purchase": {"price": 2.5}}}
    assert extra_info({"won": True, "_mask": 1, "final_obs": "x"}) == {} and jsonable(object()) is None


def test_split_infos_nested_and_masked():
    infos = {
        "a": np.array([1, 2]),
        "_a": np.array([True, False]),
        "d": {"x": np.array(["p", "q"], dtype=object), "_x": np.array([True, True])},
        "_d": np.array([False, True]),
    }
    assert split_infos(infos, 2) == [{"a": 1}, {"d": {"x": "q"}}]
    assert split_infos([{"a": 1}], 1) == [{"a": 1}]


def test_split_infos_reads_a_real_vector_env():
    envs = gym.vector.SyncVectorEnv([lambda: GenericTextEnv() for _ in range(2)])
    _, infos = envs.reset(seed=[0, 1])
    per_env = split_infos(infos, 2)
    assert [i["admissible_actions"] for i in per_env] == [["good", "bad"]] * 2
    assert all(isinstance(i["won"], bool) for i in per_env)
